#include <backflow/nn.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <unordered_set>

namespace backflow::nn {
namespace {

std::vector<LayerSpec> micrograd_specs(const std::vector<std::size_t>& sizes, Activation hidden, Activation output) {
  std::vector<LayerSpec> specs;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    specs.push_back({sizes[i], i + 1 == sizes.size() ? output : hidden});
  }
  return specs;
}

}  // namespace

MLP::MLP(std::size_t inputs, const std::vector<std::size_t>& sizes, Activation hidden, Activation output,
         std::uint64_t seed)
    : MLP(inputs, micrograd_specs(sizes, hidden, output), seed) {}

MLP::MLP(std::size_t inputs, const std::vector<LayerSpec>& layers, std::uint64_t seed) {
  if (layers.empty()) throw std::invalid_argument("backflow: MLP needs at least one layer");
  Random random(seed);
  std::size_t fan_in = inputs;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers_.emplace_back(fan_in, layers[i].units, layers[i].activation, random, fmt::format("layer {}", i + 1));
    fan_in = layers[i].units;
  }
}

MLP::MLP(std::vector<Layer> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw std::invalid_argument("backflow: MLP needs at least one layer");
  for (std::size_t i = 1; i < layers_.size(); ++i) {
    if (layers_[i].inputs() != layers_[i - 1].neurons().size()) {
      throw std::invalid_argument(fmt::format("backflow: MLP: {} expects {} inputs but {} gives {}", layers_[i].name(),
                                              layers_[i].inputs(), layers_[i - 1].name(),
                                              layers_[i - 1].neurons().size()));
    }
  }
}

std::vector<Value> MLP::operator()(const std::vector<Value>& x) const {
  std::vector<Value> activations = x;
  for (const Layer& layer : layers_) activations = layer(activations);
  return activations;
}

std::vector<Value> MLP::parameters() const {
  // Each once, as PyTorch's Module.parameters() does: a layer (or neuron) used twice shares
  // its weights, and an optimizer given them twice would move them twice. Sharing is by
  // whole neurons, so a neuron's first parameter stands for all of them (this runs every
  // training step: one set entry per neuron, not per weight).
  std::vector<Value> result;
  std::unordered_set<std::uintptr_t> seen_neurons;
  for (const Layer& layer : layers_) {
    for (const Neuron& neuron : layer.neurons()) {
      std::vector<Value> own = neuron.parameters();
      if (own.empty() || !seen_neurons.insert(own.front().id()).second) continue;
      result.insert(result.end(), own.begin(), own.end());
    }
  }
  return result;
}

void MLP::zero_grad() const { nn::zero_grad(parameters()); }

void zero_grad(const std::vector<Value>& parameters) {
  for (const Value& p : parameters) p.set_grad(0.0);
}

}  // namespace backflow::nn
