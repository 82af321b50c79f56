// Whole training runs: XOR converges; micrograd's moons demo reaches 100% accuracy.
#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/toy_data.hpp>

#include <doctest/doctest.h>

using backflow::Value;
using backflow::nn::Activation;
using backflow::nn::MLP;

TEST_CASE("a 2-4-1 sigmoid network learns XOR with squared error") {
  const auto table = backflow::xor_table();
  MLP model(2, {4, 1}, Activation::sigmoid, Activation::sigmoid, 3);
  backflow::SGD sgd(model.parameters(), 2.0);
  for (int epoch = 0; epoch < 5000; ++epoch) {
    std::vector<Value> errors;
    for (std::size_t i = 0; i < 4; ++i) {
      const std::vector<Value> x{table.inputs[i][0], table.inputs[i][1]};
      errors.push_back(backflow::squared_error(model(x)[0], table.targets[i]));
    }
    sgd.zero_grad();
    backflow::sum(errors).backward();
    sgd.step();
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const std::vector<Value> x{table.inputs[i][0], table.inputs[i][1]};
    CAPTURE(i);
    CHECK((model(x)[0].data() > 0.5) == (table.targets[i] > 0.5));
  }
}

TEST_CASE("micrograd's moons demo reaches 100% accuracy in 100 steps") {
  const auto data = backflow::make_moons(100, 0.1, 1);
  MLP model(2, {16, 16, 1});
  REQUIRE(model.parameters().size() == 337);
  backflow::SGD sgd(model.parameters(), 1.0);
  double accuracy = 0.0;
  for (int step = 0; step < 100; ++step) {
    std::vector<Value> scores;
    for (const auto& p : data.points) scores.push_back(model({p[0], p[1]})[0]);
    const Value loss = backflow::hinge_loss(scores, data.labels) + backflow::l2_penalty(model.parameters(), 1e-4);
    int correct = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) correct += (scores[i].data() > 0) == (data.labels[i] > 0);
    accuracy = correct / 100.0;
    sgd.zero_grad();
    loss.backward();
    sgd.set_learning_rate(1.0 - 0.9 * step / 100.0);
    sgd.step();
  }
  CHECK(accuracy == 1.0);
}
