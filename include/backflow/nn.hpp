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
  /// Throws std::invalid_argument for 0 inputs (as does the constructor below for no weights).
  Neuron(std::size_t inputs, Activation activation, Random& random, std::string_view name = "neuron");
  /// Given weights; no bias term when `bias` is empty (as in the introduction's example).
  Neuron(const std::vector<double>& weights, std::optional<double> bias, Activation activation,
         std::string_view name = "neuron");

  /// The neuron's output for inputs x; throws std::invalid_argument on a size mismatch.
  Value operator()(const std::vector<Value>& x) const;

  /// Weights, then the bias if there is one.
  std::vector<Value> parameters() const;
  /// The weights w_i, one per input.
  const std::vector<Value>& weights() const { return weights_; }
  /// The bias b, or std::nullopt for a neuron without one.
  const std::optional<Value>& bias() const { return bias_; }
  /// The nonlinearity applied to the weighted sum.
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
  /// `outputs` new neurons on `inputs` inputs, named "NAME / neuron 1", "NAME / neuron 2", ...
  Layer(std::size_t inputs, std::size_t outputs, Activation activation, Random& random,
        std::string_view name = "layer");
  /// A layer from neurons made elsewhere (they keep their own names).
  Layer(std::vector<Neuron> neurons, std::string_view name = "layer");

  /// Each neuron's output for inputs x, in neuron order.
  std::vector<Value> operator()(const std::vector<Value>& x) const;
  /// Every neuron's parameters, neuron after neuron.
  std::vector<Value> parameters() const;
  /// The neurons, one per output.
  const std::vector<Neuron>& neurons() const { return neurons_; }
  /// The number of inputs each neuron takes (0 for a layer without neurons).
  std::size_t inputs() const;
  /// The module name its nodes carry, e.g. "layer 1".
  std::string_view name() const;

 private:
  std::vector<Neuron> neurons_;
  std::uint32_t scope_;
};

/// The size and activation of one layer of an MLP.
struct LayerSpec {
  std::size_t units;      ///< number of neurons
  Activation activation;  ///< applied by every neuron of the layer
};

/// A multi-layer perceptron: layers applied one after another.
class MLP {
 public:
  /// micrograd's MLP(nin, [sizes...]): `hidden` activation on every layer but the last,
  /// `output` on the last. Layers are named "layer 1", "layer 2", ... Throws
  /// std::invalid_argument for an empty `sizes`.
  MLP(std::size_t inputs, const std::vector<std::size_t>& sizes, Activation hidden = Activation::relu,
      Activation output = Activation::linear, std::uint64_t seed = 1337);
  /// One activation per layer. Throws std::invalid_argument for no layers.
  MLP(std::size_t inputs, const std::vector<LayerSpec>& layers, std::uint64_t seed = 1337);
  /// Layers made elsewhere: at least one, each taking as many inputs as the one before has
  /// neurons. Throws std::invalid_argument otherwise.
  explicit MLP(std::vector<Layer> layers);

  /// The last layer's outputs for inputs x.
  std::vector<Value> operator()(const std::vector<Value>& x) const;
  /// Every layer's parameters, layer after layer, each once (a layer used twice shares them).
  std::vector<Value> parameters() const;
  /// Sets every parameter's gradient to 0.
  void zero_grad() const;
  /// The layers, first to last.
  const std::vector<Layer>& layers() const { return layers_; }

 private:
  std::vector<Layer> layers_;
};

/// Sets the gradient of each of `parameters` to 0.
void zero_grad(const std::vector<Value>& parameters);

/// One line, e.g. "relu neuron, 2 inputs + bias".
std::string to_string(const Neuron& neuron);
/// One line, e.g. "layer 1: 16 x [relu neuron, 2 inputs + bias] = 48 parameters".
std::string to_string(const Layer& layer);
/// "MLP 2 -> 16 -> 16 -> 1 (337 parameters)", then one line per layer.
std::string to_string(const MLP& mlp);

}  // namespace backflow::nn
