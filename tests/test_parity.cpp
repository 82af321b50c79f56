// The scalar engine is the reference: the same MLP in Values and in Tensors, with identical
// weights, gives the same outputs and the same gradient for every parameter (to 1e-5).
#include <backflow/layers.hpp>
#include <backflow/losses.hpp>
#include <backflow/nn.hpp>
#include <backflow/tensor.hpp>

#include <doctest/doctest.h>

using backflow::Tensor;
using backflow::Value;

TEST_CASE("scalar and tensor engines agree on an MLP's outputs and every gradient") {
  // Tensor model: 3 -> 4 tanh -> 3 softmax, batch of 2 rows.
  const backflow::Sequential model(3, {{4, backflow::LayerActivation::tanh}, {3, backflow::LayerActivation::softmax}},
                                   9);
  const std::vector<std::vector<double>> batch{{0.5, -1.0, 2.0}, {-0.3, 0.8, 0.1}};
  const std::vector<std::size_t> classes{2, 0};

  // The same weights as scalar Values: neuron j of a layer uses column j of W.
  auto values_of = [](const Tensor& t) {
    std::vector<Value> v;
    for (float x : t.data()) v.emplace_back(static_cast<double>(x));
    return v;
  };
  std::vector<std::vector<Value>> weights;
  std::vector<std::vector<Value>> biases;
  for (const auto& layer : model.layers()) {
    weights.push_back(values_of(layer.weights()));
    biases.push_back(values_of(layer.bias()));
  }
  auto scalar_logits = [&](const std::vector<double>& row) {
    std::vector<Value> h(row.begin(), row.end());
    for (std::size_t l = 0; l < model.layers().size(); ++l) {
      const auto& layer = model.layers()[l];
      std::vector<Value> next;
      for (std::size_t j = 0; j < layer.units(); ++j) {
        Value z = biases[l][j];
        for (std::size_t i = 0; i < layer.inputs(); ++i) z = z + weights[l][i * layer.units() + j] * h[i];
        next.push_back(l + 1 < model.layers().size() ? z.tanh() : z);
      }
      h = next;
    }
    return h;
  };
  std::vector<Value> losses;
  for (std::size_t r = 0; r < batch.size(); ++r)
    losses.push_back(backflow::softmax_cross_entropy(scalar_logits(batch[r]), classes[r]));
  const Value scalar_loss = backflow::mean(losses);
  scalar_loss.backward();

  const Tensor x({2, 3}, {0.5F, -1.0F, 2.0F, -0.3F, 0.8F, 0.1F});
  const Tensor y({2, 3}, {0, 0, 1, 1, 0, 0});
  const Tensor logits = model.logits(x);
  const Tensor tensor_loss = backflow::softmax_cross_entropy(logits, y);
  tensor_loss.backward();

  CHECK(tensor_loss.item() == doctest::Approx(scalar_loss.data()).epsilon(1e-5));
  for (std::size_t r = 0; r < 2; ++r) {
    const auto expected = scalar_logits(batch[r]);
    for (std::size_t c = 0; c < 3; ++c) CHECK(logits.at({r, c}) == doctest::Approx(expected[c].data()).epsilon(1e-5));
  }
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    const auto& layer = model.layers()[l];
    for (std::size_t i = 0; i < weights[l].size(); ++i) {
      CHECK(layer.weights().grad()[i] == doctest::Approx(weights[l][i].grad()).epsilon(1e-5).scale(1e-3));
    }
    for (std::size_t j = 0; j < biases[l].size(); ++j) {
      CHECK(layer.bias().grad()[j] == doctest::Approx(biases[l][j].grad()).epsilon(1e-5).scale(1e-3));
    }
  }
}
