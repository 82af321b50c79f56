// The optimizers: the bookkeeping they share (steps, per-parameter state, scalar and tensor
// parameters), with the update rules themselves in update_rules.hpp and float_kernels.cpp.
#include "float_kernels.hpp"
#include "update_rules.hpp"

#include <backflow/optim.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace backflow {
namespace {

// Settings are checked where they are given, as PyTorch does: a bad one would otherwise show
// up steps later as NaN weights, far from its cause.
void check_setting(bool valid, std::string_view what, double value, std::string_view rule) {
  if (!valid) throw std::invalid_argument(fmt::format("backflow: {} must be {}, got {}", what, rule, value));
}

void check_learning_rate(double learning_rate) {
  check_setting(std::isfinite(learning_rate) && learning_rate >= 0.0, "the learning rate", learning_rate,
                "a finite number >= 0");
}

/// Throws when a parameter is listed twice: step() would update it twice.
template <class Parameter>
void check_each_once(const std::vector<Parameter>& parameters) {
  std::unordered_map<std::uintptr_t, std::size_t> first_position;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto [it, inserted] = first_position.try_emplace(parameters[i].id(), i);
    if (!inserted) {
      throw std::invalid_argument(fmt::format(
          "backflow: an optimizer's parameter list holds the same parameter twice (at {} and {}); step() would move "
          "it twice (PyTorch warns that it will refuse this too)",
          it->second, i));
    }
  }
}

}  // namespace

Optimizer::Optimizer(std::vector<Value> values, std::vector<Tensor> tensors, double learning_rate)
    : values_(std::move(values)), tensors_(std::move(tensors)), learning_rate_(learning_rate) {
  check_learning_rate(learning_rate);
  check_each_once(values_);
  check_each_once(tensors_);
}

void Optimizer::set_learning_rate(double learning_rate) {
  check_learning_rate(learning_rate);
  learning_rate_ = learning_rate;
}

Optimizer::~Optimizer() = default;

void Optimizer::step() {
  ++steps_;
  if (!values_.empty()) {
    if (value_state_.empty()) value_state_.assign(values_.size() * state_per_parameter(), 0.0);
    // Scalar parameters live in separate nodes: gather them, update as one array, scatter back.
    std::vector<double> data(values_.size());
    std::vector<double> grad(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
      data[i] = values_[i].data();
      grad[i] = values_[i].grad();
    }
    update(data, grad, value_state_);
    for (std::size_t i = 0; i < values_.size(); ++i) values_[i].set_data(data[i]);
  }
  if (tensor_state_.empty()) {
    for (const Tensor& t : tensors_) tensor_state_.emplace_back(t.size() * state_per_parameter(), 0.0F);
  }
  for (std::size_t i = 0; i < tensors_.size(); ++i) update(tensors_[i].data(), tensors_[i].grad(), tensor_state_[i]);
}

void Optimizer::zero_grad() {
  for (Value& p : values_) p.set_grad(0.0);
  for (const Tensor& t : tensors_) t.zero_grad();
}

namespace {

// These run on the base constructor's argument, so every setting is checked before the
// parameter list is (as PyTorch does).

/// The learning rate, once it and the momentum are known to be valid.
double checked_sgd(double learning_rate, double momentum) {
  check_learning_rate(learning_rate);
  check_setting(std::isfinite(momentum) && momentum >= 0.0, "SGD's momentum", momentum, "a finite number >= 0");
  return learning_rate;
}

/// The learning rate, once every Adam setting is known to be valid.
double checked_adam(const AdamOptions& options) {
  check_learning_rate(options.learning_rate);
  // beta = 1 would divide by 1 - beta^t = 0 in the bias correction; epsilon = 0 would give
  // 0 / 0 for a weight whose gradient has always been 0.
  check_setting(options.beta1 >= 0.0 && options.beta1 < 1.0, "Adam's beta1", options.beta1, "in [0, 1)");
  check_setting(options.beta2 >= 0.0 && options.beta2 < 1.0, "Adam's beta2", options.beta2, "in [0, 1)");
  check_setting(std::isfinite(options.epsilon) && options.epsilon > 0.0, "Adam's epsilon", options.epsilon,
                "a finite number > 0");
  return options.learning_rate;
}

}  // namespace

SGD::SGD(std::vector<Value> parameters, double learning_rate, double momentum)
    : Optimizer(std::move(parameters), {}, checked_sgd(learning_rate, momentum)), momentum_(momentum) {}

SGD::SGD(std::vector<Tensor> parameters, double learning_rate, double momentum)
    : Optimizer({}, std::move(parameters), checked_sgd(learning_rate, momentum)), momentum_(momentum) {}

void SGD::update(std::span<double> data, std::span<const double> grad, std::span<double> state) {
  detail::sgd_update(data, grad, state, learning_rate(), momentum_);
}

void SGD::update(std::span<float> data, std::span<const float> grad, std::span<float> state) {
  detail::sgd_update_vectorised(data, grad, state, learning_rate(), momentum_);
}

Adam::Adam(std::vector<Value> parameters, AdamOptions options)
    : Optimizer(std::move(parameters), {}, checked_adam(options)), options_(options) {}

Adam::Adam(std::vector<Tensor> parameters, AdamOptions options)
    : Optimizer({}, std::move(parameters), checked_adam(options)), options_(options) {}

// Adam's state per parameter: the running mean of the gradient, then of its square.
void Adam::update(std::span<double> data, std::span<const double> grad, std::span<double> state) {
  const std::size_t n = data.size();
  detail::adam_update(data, grad, state.first(n), state.subspan(n, n), steps(), learning_rate(), options_.beta1,
                      options_.beta2, options_.epsilon);
}

void Adam::update(std::span<float> data, std::span<const float> grad, std::span<float> state) {
  const std::size_t n = data.size();
  detail::adam_update_vectorised(data, grad, state.first(n), state.subspan(n, n), steps(), learning_rate(),
                                 options_.beta1, options_.beta2, options_.epsilon);
}

}  // namespace backflow
