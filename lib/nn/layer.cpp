#include <backflow/nn.hpp>
#include <backflow/scope.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace backflow::nn {

Layer::Layer(std::size_t inputs, std::size_t outputs, Activation activation, Random& random, std::string_view name)
    : scope_(scope_id(name)) {
  neurons_.reserve(outputs);
  for (std::size_t i = 0; i < outputs; ++i) {
    neurons_.emplace_back(inputs, activation, random, fmt::format("{} / neuron {}", name, i + 1));
  }
}

Layer::Layer(std::vector<Neuron> neurons, std::string_view name)
    : neurons_(std::move(neurons)), scope_(scope_id(name)) {
  for (const Neuron& neuron : neurons_) {
    if (neuron.weights().size() != inputs()) {
      throw std::invalid_argument(
          fmt::format("backflow: {}: neurons disagree on the input count "
                      "({} and {})",
                      name, inputs(), neuron.weights().size()));
    }
  }
}

std::vector<Value> Layer::operator()(const std::vector<Value>& x) const {
  ScopeGuard scope(scope_);
  std::vector<Value> outputs;
  outputs.reserve(neurons_.size());
  for (const Neuron& neuron : neurons_) outputs.push_back(neuron(x));
  return outputs;
}

std::vector<Value> Layer::parameters() const {
  std::vector<Value> result;
  for (const Neuron& neuron : neurons_) {
    for (const Value& p : neuron.parameters()) result.push_back(p);
  }
  return result;
}

std::size_t Layer::inputs() const { return neurons_.empty() ? 0 : neurons_.front().weights().size(); }

std::string_view Layer::name() const { return scope_name(scope_); }

}  // namespace backflow::nn
