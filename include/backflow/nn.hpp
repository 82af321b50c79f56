// backflow/nn.hpp: neurons, layers and multi-layer perceptrons built only from Value ops,
// as in micrograd: every weight is a Value leaf, every forward pass a fresh graph.
#pragma once

#include <backflow/random.hpp>
#include <backflow/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backflow::nn {

/// The nonlinearity a neuron applies to its weighted sum.
enum class Activation { linear, sigmoid, relu, tanh };

/// "linear", "sigmoid", "relu" or "tanh".
std::string_view activation_name(Activation activation);
/// The inverse of activation_name(); throws std::invalid_argument naming the choices.
Activation parse_activation(std::string_view name);
/// Applies `activation` to x (linear returns x itself).
Value activate(Activation activation, const Value& x);

/// One neuron: activation(sum_i w_i * x_i + b).
class Neuron {
 public:
  /// Weights uniform in [-1, 1) from `random`, bias 0 (micrograd's initialisation).
  Neuron(std::size_t inputs, Activation activation, Random& random, std::string_view name = "neuron");
  /// Given weights; no bias term when `bias` is empty (as in the introduction's example).
  Neuron(const std::vector<double>& weights, std::optional<double> bias, Activation activation,
         std::string_view name = "neuron");

  /// The neuron's output for inputs x; throws std::invalid_argument on a size mismatch.
  Value operator()(const std::vector<Value>& x) const;

  /// Weights, then the bias if there is one.
  std::vector<Value> parameters() const;
  const std::vector<Value>& weights() const { return weights_; }
  const std::optional<Value>& bias() const { return bias_; }
  Activation activation() const { return activation_; }
  /// The module name its nodes carry, e.g. "layer 1 / neuron 3".
  std::string_view name() const;

 private:
  std::vector<Value> weights_;
  std::optional<Value> bias_;
  Activation activation_;
  std::uint32_t scope_;
};

/// A row of neurons that all see the same inputs.
class Layer {
 public:
  Layer(std::size_t inputs, std::size_t outputs, Activation activation, Random& random,
        std::string_view name = "layer");
  /// A layer from neurons made elsewhere (they keep their own names).
  Layer(std::vector<Neuron> neurons, std::string_view name = "layer");

  std::vector<Value> operator()(const std::vector<Value>& x) const;
  std::vector<Value> parameters() const;
  const std::vector<Neuron>& neurons() const { return neurons_; }
  std::size_t inputs() const;
  std::string_view name() const;

 private:
  std::vector<Neuron> neurons_;
  std::uint32_t scope_;
};

/// The size and activation of one layer of an MLP.
struct LayerSpec {
  std::size_t units;
  Activation activation;
};

/// A multi-layer perceptron: layers applied one after another.
class MLP {
 public:
  /// micrograd's MLP(nin, [sizes...]): `hidden` activation on every layer but the last,
  /// `output` on the last. Layers are named "layer 1", "layer 2", ...
  MLP(std::size_t inputs, const std::vector<std::size_t>& sizes,
      Activation hidden = Activation::relu, Activation output = Activation::linear,
      std::uint64_t seed = 1337);
  /// One activation per layer.
  MLP(std::size_t inputs, const std::vector<LayerSpec>& layers, std::uint64_t seed = 1337);
  /// Layers made elsewhere (each layer's input count must match the previous layer's size).
  explicit MLP(std::vector<Layer> layers);

  std::vector<Value> operator()(const std::vector<Value>& x) const;
  std::vector<Value> parameters() const;
  /// Sets every parameter's gradient to 0.
  void zero_grad() const;
  const std::vector<Layer>& layers() const { return layers_; }

 private:
  std::vector<Layer> layers_;
};

/// Sets the gradient of each of `parameters` to 0.
void zero_grad(const std::vector<Value>& parameters);

/// Readable one-or-more-line descriptions, e.g. "MLP 2 -> 16 -> 16 -> 1 (337 parameters)".
std::string to_string(const Neuron& neuron);
std::string to_string(const Layer& layer);
std::string to_string(const MLP& mlp);

}  // namespace backflow::nn
