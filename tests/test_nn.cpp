// Neurons, layers and MLPs built from Values.
#include <backflow/nn.hpp>
#include <backflow/optim.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using backflow::Value;
using backflow::nn::Activation;
using backflow::nn::MLP;

TEST_CASE("micrograd's MLP(2, [16, 16, 1]) has 337 parameters") {
  MLP model(2, {16, 16, 1});
  CHECK(model.parameters().size() == 337);
  CHECK(model.layers().size() == 3);
  CHECK(model.layers()[0].neurons()[0].activation() == Activation::relu);
  CHECK(model.layers()[2].neurons()[0].activation() == Activation::linear);
  for (const Value& p : model.parameters()) CHECK(p.is_parameter());
}

TEST_CASE("initialisation is seeded and reproducible") {
  MLP a(3, {4, 1}, Activation::tanh, Activation::linear, 7);
  MLP b(3, {4, 1}, Activation::tanh, Activation::linear, 7);
  MLP c(3, {4, 1}, Activation::tanh, Activation::linear, 8);
  const auto pa = a.parameters();
  const auto pb = b.parameters();
  const auto pc = c.parameters();
  bool all_same = true;
  bool any_different = false;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    all_same = all_same && pa[i].data() == pb[i].data();
    any_different = any_different || pa[i].data() != pc[i].data();
    CHECK(pa[i].data() >= -1.0);
    CHECK(pa[i].data() < 1.0);
  }
  CHECK(all_same);
  CHECK(any_different);
}

TEST_CASE("each layer can have its own activation") {
  MLP model(2, {{3, Activation::sigmoid}, {2, Activation::tanh}, {1, Activation::linear}});
  const auto out = model({0.5, -0.5});
  REQUIRE(out.size() == 1);
  CHECK(model.layers()[0](std::vector<Value>{0.5, -0.5})[0].op() == backflow::Op::sigmoid);
  CHECK(model.layers()[1].neurons()[0].activation() == Activation::tanh);
}

TEST_CASE("nodes carry the module that made them") {
  MLP model(2, {3, 1});
  const Value out = model({1.0, 2.0})[0];
  CHECK(out.scope() == "layer 2 / neuron 1");
  CHECK(model.layers()[0].neurons()[2].name() == "layer 1 / neuron 3");
  Value outside = out * 2.0;
  CHECK(outside.scope().empty());
}

TEST_CASE("an MLP of no layers is refused, however it is made") {
  CHECK_THROWS_WITH_AS(backflow::nn::MLP(std::vector<backflow::nn::Layer>{}), doctest::Contains("at least one layer"),
                       std::invalid_argument);
  CHECK_THROWS_AS(backflow::nn::MLP(2, std::vector<std::size_t>{}), std::invalid_argument);
}

TEST_CASE("wrong input sizes are reported with the module name") {
  MLP model(2, {3, 1});
  CHECK_THROWS_WITH_AS(model({1.0, 2.0, 3.0}), "backflow: layer 1 / neuron 1: expects 2 inputs, got 3",
                       std::invalid_argument);
  // A neuron needs an input to weigh: 0 is refused when the model is built, not read past later.
  CHECK_THROWS_WITH_AS(MLP(2, std::vector<std::size_t>{0, 1}),
                       "backflow: layer 2 / neuron 1: a neuron needs at least one input", std::invalid_argument);
  CHECK_THROWS_AS(MLP(0, std::vector<std::size_t>{1}), std::invalid_argument);
  CHECK_THROWS_AS(backflow::nn::parse_activation("softplus"), std::invalid_argument);
  CHECK(backflow::nn::parse_activation("tanh") == Activation::tanh);
}

TEST_CASE("a model prints readably") {
  MLP model(2, {16, 16, 1});
  const std::string text = backflow::nn::to_string(model);
  CHECK(text.find("MLP 2 -> 16 -> 16 -> 1 (337 parameters)") == 0);
  CHECK(text.find("layer 1: 16 x [relu neuron, 2 inputs + bias] = 48 parameters") != std::string::npos);
  CHECK(text.find("layer 3: 1 x [linear neuron, 16 inputs + bias] = 17 parameters") != std::string::npos);
}

TEST_CASE("zero_grad clears the parameters' gradients") {
  MLP model(2, {2, 1});
  model({1.0, 1.0})[0].backward();
  bool any_nonzero = false;
  for (const Value& p : model.parameters()) any_nonzero = any_nonzero || p.grad() != 0.0;
  CHECK(any_nonzero);
  model.zero_grad();
  for (const Value& p : model.parameters()) CHECK(p.grad() == 0.0);
}

TEST_CASE("a layer used twice shares its weights, and parameters() lists them once") {
  const backflow::nn::MLP base(3, {3, 3});
  const backflow::nn::Layer& shared = base.layers().front();
  const backflow::nn::MLP twice(std::vector<backflow::nn::Layer>{shared, shared});
  CHECK(twice.parameters().size() == shared.parameters().size());
  CHECK_NOTHROW(backflow::SGD(twice.parameters(), 0.1));  // an optimizer would refuse a repeat
  // One neuron in two layers (1 input -> 1 -> 1): its weight and bias, once.
  const backflow::nn::MLP source(1, std::vector<std::size_t>{1});
  const backflow::nn::Neuron& neuron = source.layers().front().neurons().front();
  const backflow::nn::Layer first(std::vector<backflow::nn::Neuron>{neuron}, "first");
  const backflow::nn::Layer second(std::vector<backflow::nn::Neuron>{neuron}, "second");
  CHECK(backflow::nn::MLP(std::vector<backflow::nn::Layer>{first, second}).parameters().size() == 2);
}
