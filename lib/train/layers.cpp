#include <backflow/layers.hpp>
#include <backflow/scope.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <stdexcept>

namespace backflow {

std::string_view activation_name(LayerActivation activation) {
  switch (activation) {
    case LayerActivation::linear: return "linear";
    case LayerActivation::relu: return "relu";
    case LayerActivation::sigmoid: return "sigmoid";
    case LayerActivation::tanh: return "tanh";
    case LayerActivation::softmax: return "softmax";
  }
  return "?";
}

LayerActivation parse_layer_activation(std::string_view name) {
  for (auto a : {LayerActivation::linear, LayerActivation::relu, LayerActivation::sigmoid, LayerActivation::tanh,
                 LayerActivation::softmax}) {
    if (name == activation_name(a)) return a;
  }
  throw std::invalid_argument(
      fmt::format("backflow: unknown activation '{}' (choose linear, relu, sigmoid, tanh or softmax)", name));
}

namespace {

DenseActivation fused_activation(LayerActivation activation) {
  switch (activation) {
    case LayerActivation::relu: return DenseActivation::relu;
    case LayerActivation::sigmoid: return DenseActivation::sigmoid;
    case LayerActivation::tanh: return DenseActivation::tanh;
    case LayerActivation::linear:
    case LayerActivation::softmax: return DenseActivation::linear;  // softmax comes after
  }
  return DenseActivation::linear;
}

Tensor glorot_uniform(std::size_t fan_in, std::size_t fan_out, Random& random) {
  // Keras' default: uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  std::vector<float> values(fan_in * fan_out);
  for (float& v : values) v = static_cast<float>(random.uniform(-limit, limit));
  return Tensor({fan_in, fan_out}, std::move(values));
}

}  // namespace

Dense::Dense(std::size_t inputs, std::size_t units, LayerActivation activation, Random& random, std::string name)
    : weights_(glorot_uniform(inputs, units, random)),
      bias_(Tensor::zeros({units})),
      activation_(activation),
      name_(std::move(name)),
      scope_(scope_id(name_)) {
  if (inputs == 0 || units == 0) {
    throw std::invalid_argument(fmt::format("backflow: {}: needs at least one input and one unit", name_));
  }
  weights_.mark_parameter().set_label(fmt::format("{}/kernel", name_));
  bias_.mark_parameter().set_label(fmt::format("{}/bias", name_));
}

Tensor Dense::logits(const Tensor& x) const {
  if (x.rank() != 2 || x.shape()[1] != inputs()) {
    throw std::invalid_argument(
        fmt::format("backflow: {}: expects input shape [batch, {}], got {}", name_, inputs(), to_string(x.shape())));
  }
  ScopeGuard scope(scope_);
  return dense(x, weights_, bias_, fused_activation(activation_));
}

Tensor Dense::operator()(const Tensor& x) const {
  Tensor out = logits(x);
  if (activation_ != LayerActivation::softmax) return out;
  ScopeGuard scope(scope_);
  return softmax(out);
}

Sequential::Sequential(std::size_t inputs, const std::vector<DenseSpec>& layers, std::uint64_t seed) {
  if (layers.empty()) throw std::invalid_argument("backflow: Sequential needs at least one layer");
  Random random(seed);
  std::size_t fan_in = inputs;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers_.emplace_back(fan_in, layers[i].units, layers[i].activation, random,
                         i == 0 ? std::string("dense") : fmt::format("dense_{}", i));
    fan_in = layers[i].units;
  }
}

Tensor Sequential::logits(const Tensor& x) const {
  Tensor h = x;
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = layers_[i](h);
  return layers_.back().logits(h);
}

Tensor Sequential::operator()(const Tensor& x) const {
  Tensor h = x;
  for (const Dense& layer : layers_) h = layer(h);
  return h;
}

std::vector<Tensor> Sequential::parameters() const {
  std::vector<Tensor> result;
  for (const Dense& layer : layers_) {
    result.push_back(layer.weights());
    result.push_back(layer.bias());
  }
  return result;
}

std::size_t Sequential::parameter_count() const {
  std::size_t count = 0;
  for (const Tensor& p : parameters()) count += p.size();
  return count;
}

namespace {

std::string with_commas(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return grouped;
}

/// The memory of `parameters` float32 weights in Keras' words: the largest unit (B, KB, MB,
/// ...; steps of 1024) that keeps the number at 1 or more, so 337 weights read "1.32 KB".
std::string memory_size(std::size_t parameters) {
  constexpr std::array units = {"B", "KB", "MB", "GB", "TB"};
  double size = static_cast<double>(parameters) * sizeof(float);
  std::size_t unit = 0;
  while (size >= 1024.0 && unit + 1 < units.size()) {
    size /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.2f} {}", size, units[unit]);
}

}  // namespace

std::string Sequential::summary() const {
  const std::string rule(65, '-');
  std::string text = "Model: \"sequential\"\n" + rule + "\n";
  text += fmt::format("{:<30}{:<22}{:>13}\n", "Layer (type)", "Output Shape", "Param #");
  text += std::string(65, '=') + "\n";
  for (const Dense& layer : layers_) {
    text += fmt::format("{:<30}{:<22}{:>13}\n", fmt::format("{} (Dense)", layer.name()),
                        fmt::format("(None, {})", layer.units()),
                        with_commas(layer.weights().size() + layer.bias().size()));
  }
  text += std::string(65, '=') + "\n";
  const std::size_t total = parameter_count();
  text += fmt::format("Total params: {} ({})\n", with_commas(total), memory_size(total));
  text += fmt::format("Trainable params: {} ({})\n", with_commas(total), memory_size(total));
  text += fmt::format("Non-trainable params: 0 (0.00 B)\n");
  return text + rule + "\n";
}

}  // namespace backflow
