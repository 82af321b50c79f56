// Printouts of models, so a learner can see what was built.
#include <backflow/nn.hpp>

#include <fmt/format.h>

namespace backflow::nn {

std::string to_string(const Neuron& neuron) {
  return fmt::format("{} neuron, {} inputs{}", activation_name(neuron.activation()), neuron.weights().size(),
                     neuron.bias() ? " + bias" : "");
}

std::string to_string(const Layer& layer) {
  if (layer.neurons().empty()) return fmt::format("{}: empty", layer.name());
  return fmt::format("{}: {} x [{}] = {} parameters", layer.name(), layer.neurons().size(),
                     to_string(layer.neurons().front()), layer.parameters().size());
}

std::string to_string(const MLP& mlp) {
  std::string shape = mlp.layers().empty() ? "0" : fmt::format("{}", mlp.layers().front().inputs());
  for (const Layer& layer : mlp.layers()) shape += fmt::format(" -> {}", layer.neurons().size());
  std::string text = fmt::format("MLP {} ({} parameters)", shape, mlp.parameters().size());
  for (const Layer& layer : mlp.layers()) text += "\n  " + to_string(layer);
  return text;
}

}  // namespace backflow::nn
