// What models promise when they are named, stored or put together: activation names, every
// activation through save and load, and an MLP refusing layers that do not fit.
#include "scratch_directory.hpp"

#include <backflow/layers.hpp>
#include <backflow/nn.hpp>
#include <backflow/train.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using backflow::LayerActivation;
using backflow::Sequential;
using backflow::Tensor;

TEST_CASE("parse_layer_activation reads every activation_name and names the choices for anything else") {
  for (const auto activation : {LayerActivation::linear, LayerActivation::relu, LayerActivation::sigmoid,
                                LayerActivation::tanh, LayerActivation::softmax}) {
    CHECK(backflow::parse_layer_activation(backflow::activation_name(activation)) == activation);
  }
  CHECK_THROWS_WITH_AS(backflow::parse_layer_activation("gelu"),
                       "backflow: unknown activation 'gelu' (choose linear, relu, sigmoid, tanh or softmax)",
                       std::invalid_argument);
  CHECK_THROWS_AS(backflow::parse_layer_activation("Tanh"), std::invalid_argument);  // names are lower case
}

TEST_CASE("a model of sigmoid, tanh and linear layers predicts the same after save and load") {
  const Sequential model(3, {{4, LayerActivation::sigmoid}, {5, LayerActivation::tanh}, {2, LayerActivation::linear}},
                         9);
  std::vector<float> rows;
  for (int i = 0; i < 8 * 3; ++i) rows.push_back(static_cast<float>(i % 7) - 3.0F);
  const Tensor inputs({8, 3}, rows);
  const fixtures::ScratchDirectory directory;
  backflow::save(model, directory / "model.bfm");
  const Sequential loaded = backflow::load(directory / "model.bfm");

  REQUIRE(loaded.layers().size() == 3);
  CHECK(loaded.layers()[0].activation() == LayerActivation::sigmoid);
  CHECK(loaded.layers()[1].activation() == LayerActivation::tanh);
  CHECK(loaded.layers()[2].activation() == LayerActivation::linear);
  const Tensor expected = backflow::predict(model, inputs);
  const Tensor got = backflow::predict(loaded, inputs);
  REQUIRE(got.shape() == expected.shape());
  std::size_t different = 0;
  for (std::size_t i = 0; i < got.size(); ++i) different += got.data()[i] == expected.data()[i] ? 0 : 1;
  CHECK(different == 0);
}

TEST_CASE("an MLP refuses layers whose sizes do not fit, naming both") {
  backflow::Random random(1);
  using backflow::nn::Activation;
  using backflow::nn::Layer;
  // 3 outputs feeding a layer that expects 4 inputs
  CHECK_THROWS_WITH_AS(backflow::nn::MLP(std::vector<Layer>{Layer(2, 3, Activation::tanh, random, "layer 1"),
                                                            Layer(4, 1, Activation::linear, random, "layer 2")}),
                       "backflow: MLP: layer 2 expects 4 inputs but layer 1 gives 3", std::invalid_argument);

  const backflow::nn::MLP fitting(std::vector<Layer>{Layer(2, 3, Activation::tanh, random, "layer 1"),
                                                     Layer(3, 1, Activation::linear, random, "layer 2")});
  CHECK(fitting({1.0, -1.0}).size() == 1);
  CHECK(fitting.parameters().size() == 3 * 3 + 4);
}
