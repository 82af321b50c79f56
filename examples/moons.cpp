// micrograd's demo: an MLP(2, [16, 16, 1]) separates two interleaving moons.
#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

using backflow::Value;

int main(int argc, char** argv) {
  CLI::App app{"micrograd's demo: MLP 2-16-16-1 on 100 moons points, max-margin loss, SGD"};
  int steps = 100;
  std::uint64_t seed = 1337;
  std::uint64_t data_seed = 1;
  app.add_option("--steps", steps, "full-batch SGD steps")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed for the initial weights")->capture_default_str();
  app.add_option("--data-seed", data_seed, "seed for the moons")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto data = backflow::make_moons(100, 0.1, data_seed);
  backflow::nn::MLP model(2, {16, 16, 1}, backflow::nn::Activation::relu, backflow::nn::Activation::linear, seed);
  backflow::SGD sgd(model.parameters(), 1.0);
  fmt::print("{}\n\n", backflow::nn::to_string(model));

  double accuracy = 0.0;
  for (int step = 0; step < steps; ++step) {
    std::vector<Value> scores;
    for (const auto& p : data.points) scores.push_back(model({p[0], p[1]})[0]);
    // max-margin loss plus a little L2 regularisation, exactly as in micrograd's demo
    const Value data_loss = backflow::hinge_loss(scores, data.labels);
    const Value loss = data_loss + backflow::l2_penalty(model.parameters(), 1e-4);
    int correct = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) correct += (scores[i].data() > 0) == (data.labels[i] > 0);
    accuracy = correct / static_cast<double>(scores.size());

    sgd.zero_grad();
    loss.backward();
    sgd.set_learning_rate(1.0 - 0.9 * step / 100.0);
    sgd.step();
    fmt::print("step {:>3} loss {:.6f}, accuracy {:.0f}%\n", step, loss.data(), accuracy * 100);
  }
  return accuracy == 1.0 ? 0 : 1;
}
