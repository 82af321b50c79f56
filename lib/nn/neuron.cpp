#include <backflow/nn.hpp>
#include <backflow/scope.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace backflow::nn {
namespace {

// A neuron sums w_i * x_i starting from its first input: with none, there is nothing to sum.
void require_inputs(std::size_t inputs, std::string_view name) {
  if (inputs == 0) throw std::invalid_argument(fmt::format("backflow: {}: a neuron needs at least one input", name));
}

}  // namespace

Neuron::Neuron(std::size_t inputs, Activation activation, Random& random, std::string_view name)
    : activation_(activation), scope_(scope_id(name)) {
  require_inputs(inputs, this->name());
  ScopeGuard scope(scope_);
  weights_.reserve(inputs);
  for (std::size_t i = 0; i < inputs; ++i) {
    weights_.emplace_back(random.uniform(-1.0, 1.0), fmt::format("w{}", i + 1));
    weights_.back().mark_parameter();
  }
  bias_.emplace(0.0, "b");
  bias_->mark_parameter();
}

Neuron::Neuron(const std::vector<double>& weights, std::optional<double> bias, Activation activation,
               std::string_view name)
    : activation_(activation), scope_(scope_id(name)) {
  require_inputs(weights.size(), this->name());
  ScopeGuard scope(scope_);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    weights_.emplace_back(weights[i], fmt::format("w{}", i + 1));
    weights_.back().mark_parameter();
  }
  if (bias) {
    bias_.emplace(*bias, "b");
    bias_->mark_parameter();
  }
}

Value Neuron::operator()(const std::vector<Value>& x) const {
  if (x.size() != weights_.size()) {
    throw std::invalid_argument(
        fmt::format("backflow: {}: expects {} inputs, got {}", name(), weights_.size(), x.size()));
  }
  ScopeGuard scope(scope_);
  // micrograd's order: start from the bias (or the first product), add w_i * x_i one by one.
  Value total = bias_ ? *bias_ + weights_[0] * x[0] : weights_[0] * x[0];
  for (std::size_t i = 1; i < x.size(); ++i) total = total + weights_[i] * x[i];
  return activate(activation_, total);
}

std::vector<Value> Neuron::parameters() const {
  std::vector<Value> result = weights_;
  if (bias_) result.push_back(*bias_);
  return result;
}

std::string_view Neuron::name() const { return scope_name(scope_); }

}  // namespace backflow::nn
