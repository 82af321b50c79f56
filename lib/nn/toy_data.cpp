#include <backflow/random.hpp>
#include <backflow/toy_data.hpp>

#include <fmt/format.h>

#include <cmath>
#include <numbers>

namespace backflow {

LabeledPoints make_moons(std::size_t count, double noise, std::uint64_t seed) {
  Random random(seed);
  LabeledPoints data;
  const std::size_t outer = count / 2;
  const std::size_t inner = count - outer;
  // The outer moon is the upper half circle; the inner one is flipped and shifted into it.
  for (std::size_t i = 0; i < outer; ++i) {
    const double angle = std::numbers::pi * static_cast<double>(i) / static_cast<double>(outer > 1 ? outer - 1 : 1);
    data.points.push_back({std::cos(angle), std::sin(angle)});
    data.labels.push_back(-1.0);
  }
  for (std::size_t i = 0; i < inner; ++i) {
    const double angle = std::numbers::pi * static_cast<double>(i) / static_cast<double>(inner > 1 ? inner - 1 : 1);
    data.points.push_back({1.0 - std::cos(angle), 0.5 - std::sin(angle)});
    data.labels.push_back(1.0);
  }
  for (auto& point : data.points) {
    point[0] += random.normal(0.0, noise);
    point[1] += random.normal(0.0, noise);
  }
  // Interleave the classes, as make_moons(shuffle=True) does.
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  random.shuffle(order);
  LabeledPoints shuffled;
  for (std::size_t i : order) {
    shuffled.points.push_back(data.points[i]);
    shuffled.labels.push_back(data.labels[i]);
  }
  return shuffled;
}

XorTable xor_table() { return {{{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}}, {0.0, 1.0, 1.0, 0.0}}; }

nn::MLP IntroductionExample::network() const {
  std::vector<nn::Neuron> hidden;
  for (std::size_t i = 0; i < hidden_weights.size(); ++i) {
    hidden.emplace_back(hidden_weights[i], std::nullopt, nn::Activation::sigmoid,
                        fmt::format("layer 1 / neuron {}", i + 1));
  }
  std::vector<nn::Neuron> output;
  output.emplace_back(output_weights, std::nullopt, nn::Activation::sigmoid, "layer 2 / neuron 1");
  std::vector<nn::Layer> layers;
  layers.emplace_back(std::move(hidden), "layer 1");
  layers.emplace_back(std::move(output), "layer 2");
  return nn::MLP(std::move(layers));
}

}  // namespace backflow
