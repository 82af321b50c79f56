// XOR, the introduction's first learning problem: a 2-h-1 network trained with squared error.
#include "cli_checks.hpp"

#include <backflow/dot.hpp>
#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <vector>

using backflow::Value;

int main(int argc, char** argv) {
  CLI::App app{"Train a 2-h-1 network on XOR with squared error and plain gradient descent"};
  app.footer("Exit status: 0 when XOR is solved, 1 when it is not, 2 on an error.");
  std::size_t hidden = 4;
  std::string activation = "sigmoid";
  double learning_rate = 2.0;
  int epochs = 5000;
  std::uint64_t seed = 3;
  int print_every = 500;
  app.add_option("--hidden", hidden, "hidden units")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000))
      ->check(examples::decimal_digits);
  app.add_option("--activation", activation, "hidden activation: sigmoid, relu, tanh or linear")->capture_default_str();
  app.add_option("--lr", learning_rate, "learning rate")->capture_default_str()->check(examples::positive_finite);
  app.add_option("--epochs", epochs, "maximum full passes over the four rows")
      ->capture_default_str()
      ->check(examples::positive_count);
  app.add_option("--seed", seed, "seed for the initial weights")
      ->capture_default_str()
      ->check(examples::decimal_digits);
  app.add_option("--print-every", print_every, "print the loss every N epochs")
      ->capture_default_str()
      ->check(examples::positive_count);
  std::string graph_file;
  std::string frames_directory;
  bool collapse = false;
  app.add_option("--graph", graph_file,
                 "draw the first epoch's graph after backward() to FILE (.dot, .svg, .png, .pdf)");
  app.add_option("--frames", frames_directory, "write one picture per backward step of the first epoch into DIR");
  app.add_flag("--collapse", collapse, "draw each neuron as one box");
  if (const auto status = examples::parse_command_line(app, argc, argv, 2)) return *status;

  backflow::nn::Activation hidden_activation{};
  try {
    hidden_activation = backflow::nn::parse_activation(activation);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
  const auto table = backflow::xor_table();
  backflow::nn::MLP model(2, {hidden, 1}, hidden_activation, backflow::nn::Activation::sigmoid, seed);
  backflow::SGD sgd(model.parameters(), learning_rate);
  fmt::print("{}\n\n", backflow::nn::to_string(model));

  auto predict = [&](std::size_t row) { return model({table.inputs[row][0], table.inputs[row][1]})[0]; };
  auto all_right = [&] {
    for (std::size_t i = 0; i < 4; ++i) {
      if ((predict(i).data() > 0.5) != (table.targets[i] > 0.5)) return false;
    }
    return true;
  };

  int epochs_run = 0;
  bool solved = false;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    epochs_run = epoch + 1;
    std::vector<Value> errors;
    for (std::size_t i = 0; i < 4; ++i) errors.push_back(backflow::squared_error(predict(i), table.targets[i]));
    const Value loss = backflow::sum(errors);
    sgd.zero_grad();
    loss.backward();
    if (epoch == 0 && !(graph_file.empty() && frames_directory.empty())) {
      try {
        const backflow::GraphView graph = backflow::make_graph_view(loss);
        const backflow::DotOptions options{.collapse_modules = collapse, .title = "XOR: the first epoch's four rows"};
        fmt::print("{}", backflow::to_string(backflow::graph_stats(graph), graph));
        if (!graph_file.empty()) backflow::render(graph, graph_file, options);
        const auto frames = frames_directory.empty()
                                ? std::vector<std::filesystem::path>{}
                                : backflow::write_backward_frames(graph, frames_directory, options);
        if (!graph_file.empty()) fmt::print("wrote {}\n", graph_file);
        if (!frames_directory.empty()) fmt::print("wrote {} frames into {}\n", frames.size(), frames_directory);
        fmt::print("\n");
      } catch (const std::exception& e) {
        fmt::print(stderr, "{}\n", e.what());
        return 2;
      }
    }
    sgd.step();
    if (epoch % print_every == 0) fmt::print("epoch {:>5}  loss {:.6f}\n", epoch, loss.data());
    if (loss.data() < 0.05 && all_right()) {
      solved = true;
      break;
    }
  }
  if (solved) {
    fmt::print("\nsolved after {} epochs\n", epochs_run);
  } else {
    fmt::print("\nNOT solved after {} epochs (solved: loss below 0.05 with all four rows right)\n", epochs_run);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    fmt::print("  {} xor {} -> {:.4f}  (target {})\n", table.inputs[i][0], table.inputs[i][1], predict(i).data(),
               table.targets[i]);
  }
  return solved ? 0 : 1;
}
