// backflow/layers.hpp: Keras-style layers over Tensors: Dense and Sequential, with summary().
#pragma once

#include <backflow/random.hpp>
#include <backflow/tensor.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace backflow {

/// A layer's activation. softmax turns each output row into class probabilities.
enum class LayerActivation { linear, relu, sigmoid, tanh, softmax };

/// "linear", "relu", "sigmoid", "tanh", "softmax".
std::string_view activation_name(LayerActivation activation);
/// The inverse of activation_name(); throws std::invalid_argument naming the choices.
LayerActivation parse_layer_activation(std::string_view name);

/// A fully connected layer: activation(x W + b), with Keras' defaults: Glorot-uniform
/// weights W [inputs, units] and zero biases b [units].
class Dense {
 public:
  /// A layer from `inputs` features to `units` outputs, its weights drawn from `random`;
  /// `name` labels its parameters ("NAME/kernel", "NAME/bias") and its graph scope.
  Dense(std::size_t inputs, std::size_t units, LayerActivation activation, Random& random, std::string name);

  /// The layer's output for a batch x [rows, inputs].
  Tensor operator()(const Tensor& x) const;
  /// The output before a softmax (for a fused softmax cross-entropy); same as () otherwise.
  Tensor logits(const Tensor& x) const;

  /// The weights W [inputs, units].
  const Tensor& weights() const { return weights_; }
  /// The biases b [units].
  const Tensor& bias() const { return bias_; }
  /// The weights, then the biases.
  std::vector<Tensor> parameters() const { return {weights_, bias_}; }
  /// The number of input features.
  std::size_t inputs() const { return weights_.shape()[0]; }
  /// The number of outputs.
  std::size_t units() const { return weights_.shape()[1]; }
  /// The activation applied to x W + b.
  LayerActivation activation() const { return activation_; }
  /// The layer's name, e.g. "dense_1".
  const std::string& name() const { return name_; }

 private:
  Tensor weights_;
  Tensor bias_;
  LayerActivation activation_;
  std::string name_;
  std::uint32_t scope_;
};

/// The size and activation of one Dense layer of a Sequential model.
struct DenseSpec {
  std::size_t units;           ///< number of outputs
  LayerActivation activation;  ///< the layer's activation
};

/// Layers applied one after another, named like Keras does: dense, dense_1, dense_2, ...
class Sequential {
 public:
  /// A stack of Dense layers on `inputs` features, initialised from `seed`.
  Sequential(std::size_t inputs, const std::vector<DenseSpec>& layers, std::uint64_t seed = 42);

  /// The last layer's output for a batch x [rows, inputs].
  Tensor operator()(const Tensor& x) const;
  /// The output with the last layer's softmax left out (the logits).
  Tensor logits(const Tensor& x) const;
  /// Every layer's weights and biases, layer after layer.
  std::vector<Tensor> parameters() const;
  /// The number of trainable values (all elements of all parameters).
  std::size_t parameter_count() const;
  /// The number of input features.
  std::size_t inputs() const { return layers_.front().inputs(); }
  /// The number of outputs of the last layer.
  std::size_t outputs() const { return layers_.back().units(); }
  /// The layers, first to last.
  const std::vector<Dense>& layers() const { return layers_; }
  /// Keras' table: layer (type), output shape, parameter count, and the totals.
  std::string summary() const;

 private:
  std::vector<Dense> layers_;
};

}  // namespace backflow
