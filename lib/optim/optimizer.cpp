// The optimizers: the bookkeeping they share (steps, per-parameter state, scalar and tensor
// parameters), with the update rules themselves in update_rules.hpp and float_kernels.cpp.
#include "float_kernels.hpp"
#include "update_rules.hpp"

#include <backflow/optim.hpp>

namespace backflow {

Optimizer::Optimizer(std::vector<Value> values, std::vector<Tensor> tensors, double learning_rate)
    : values_(std::move(values)), tensors_(std::move(tensors)), learning_rate_(learning_rate) {}

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

SGD::SGD(std::vector<Value> parameters, double learning_rate, double momentum)
    : Optimizer(std::move(parameters), {}, learning_rate), momentum_(momentum) {}

SGD::SGD(std::vector<Tensor> parameters, double learning_rate, double momentum)
    : Optimizer({}, std::move(parameters), learning_rate), momentum_(momentum) {}

void SGD::update(std::span<double> data, std::span<const double> grad, std::span<double> state) {
  detail::sgd_update(data, grad, state, learning_rate(), momentum_);
}

void SGD::update(std::span<float> data, std::span<const float> grad, std::span<float> state) {
  detail::sgd_update_vectorised(data, grad, state, learning_rate(), momentum_);
}

Adam::Adam(std::vector<Value> parameters, AdamOptions options)
    : Optimizer(std::move(parameters), {}, options.learning_rate), options_(options) {}

Adam::Adam(std::vector<Tensor> parameters, AdamOptions options)
    : Optimizer({}, std::move(parameters), options.learning_rate), options_(options) {}

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
