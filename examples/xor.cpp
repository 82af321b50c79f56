// XOR, the introduction's first learning problem: a 2-h-1 network trained with squared error.
#include "cli_checks.hpp"

#include <backflow/dot.hpp>
#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <vector>

using backflow::Value;

namespace {

int run(int argc, char** argv) {
  CLI::App app{"Train a 2-h-1 network on XOR with squared error and plain gradient descent"};
  app.footer("Exit status: 0 when XOR is solved, 1 when it is not (or the loss stops being a number), 2 on an error.");
  std::size_t hidden = 4;
  std::string activation = "sigmoid";
  double learning_rate = 2.0;
  int epochs = 5000;
  std::uint64_t seed = 3;
  int print_every = 500;
  app.add_option("--hidden", hidden, "hidden units")
      ->capture_default_str()
      ->check(examples::decimal_digits)
      ->check(CLI::Range(1, 1000));
  app.add_option("--activation", activation,
                 "hidden activation. relu with the default seed and settings gets stuck: every hidden unit ends "
                 "up outputting 0 for all four rows (dead units), and XOR stays unsolved")
      ->capture_default_str()
      ->check(CLI::IsMember({"sigmoid", "relu", "tanh", "linear"}));
  app.add_option("--lr", learning_rate, "learning rate")->capture_default_str()->check(examples::positive_finite);
  app.add_option("--epochs", epochs, "maximum full passes over the four rows")
      ->capture_default_str()
      ->check(examples::positive_count)
      ->check(CLI::Range(1, 10000000));
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
                 "draw the first epoch's graph after backward() to FILE (.dot, .svg, .png, .pdf)")
      ->check(examples::non_empty_path);
  app.add_option("--frames", frames_directory, "write one picture per backward step of the first epoch into DIR")
      ->check(examples::non_empty_path);
  app.add_flag("--collapse", collapse, "draw each neuron as one box");
  if (const auto status = examples::parse_command_line(app, argc, argv, 2)) return *status;

  try {
    // Before training, and before any picture is written: a bad one must not follow a good one.
    examples::check_outputs({{"--graph", graph_file}, {"--frames", frames_directory, true}});
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 2;
  }
  const backflow::nn::Activation hidden_activation = backflow::nn::parse_activation(activation);
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
  // Epochs count from 1, in the log as in the verdict: "epoch 173" is the 173rd.
  for (int done = 0; done < epochs; ++done) {
    const int epoch = done + 1;
    epochs_run = epoch;
    std::vector<Value> errors;
    for (std::size_t i = 0; i < 4; ++i) errors.push_back(backflow::squared_error(predict(i), table.targets[i]));
    const Value loss = backflow::sum(errors);
    if (!std::isfinite(loss.data())) {
      // Too large a step sent the weights to infinity; every later epoch would print nan.
      examples::print_error(fmt::format("backflow: the loss became {} at epoch {}; try a smaller --lr",
                                        std::isnan(loss.data()) ? "NaN" : "infinite", epoch)
                                .c_str());
      return 1;
    }
    sgd.zero_grad();
    loss.backward();
    if (epoch == 1 && !(graph_file.empty() && frames_directory.empty())) {
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
        examples::print_error(e.what());
        return 2;
      }
    }
    sgd.step();
    solved = loss.data() < 0.05 && all_right();
    // The last epoch is always shown: the log ends where the verdict starts.
    if (epoch == 1 || epoch % print_every == 0 || solved || epoch == epochs) {
      fmt::print("epoch {:>5}  loss {:.6f}\n", epoch, loss.data());
    }
    if (solved) break;
  }
  const std::string after = examples::counted(static_cast<std::size_t>(epochs_run), "epoch");
  if (solved) {
    fmt::print("\nsolved after {}\n", after);
  } else {
    fmt::print("\nNOT solved after {} (solved: loss below 0.05 with all four rows right)\n", after);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    fmt::print("  {} xor {} -> {:.4f}  (target {})\n", table.inputs[i][0], table.inputs[i][1], predict(i).data(),
               table.targets[i]);
  }
  return solved ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 2); }
