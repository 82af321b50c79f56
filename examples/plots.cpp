// Draws the tutorial's charts with backflow: the activation functions, their derivatives
// (computed by backward(), not by formula), and XOR loss curves for several learning rates
// and hidden sizes.
#include "cli_checks.hpp"

#include <backflow/files.hpp>
#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/plot.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

using namespace backflow;

namespace {

// Each activation and its derivative at x, the derivative from autodiff.
void activation_charts(const std::filesystem::path& directory) {
  std::vector<Series> values;
  std::vector<Series> slopes;
  for (auto activation : {nn::Activation::sigmoid, nn::Activation::tanh, nn::Activation::relu}) {
    Series value{std::string(nn::activation_name(activation)), {}, {}};
    Series slope{std::string(nn::activation_name(activation)) + "'", {}, {}};
    for (int i = -100; i <= 100; ++i) {
      const Value x = i / 20.0;
      const Value y = nn::activate(activation, x);
      y.backward();
      value.x.push_back(x.data());
      value.y.push_back(y.data());
      slope.x.push_back(x.data());
      slope.y.push_back(x.grad());
    }
    values.push_back(value);
    slopes.push_back(slope);
  }
  write_svg_line_plot(directory / "activations.svg", values,
                      {.title = "Activation functions", .x_label = "x", .y_label = "f(x)"});
  write_svg_line_plot(directory / "derivatives.svg", slopes,
                      {.title = "Their derivatives, from backward()", .x_label = "x", .y_label = "f'(x)"});
}

// Loss per epoch of a 2-h-1 sigmoid network on XOR, full-batch gradient descent.
Series xor_curve(std::size_t hidden, double learning_rate, int epochs, const std::string& name) {
  const auto table = xor_table();
  nn::MLP model(2, {hidden, 1}, nn::Activation::sigmoid, nn::Activation::sigmoid, 3);
  SGD sgd(model.parameters(), learning_rate);
  Series curve{name, {}, {}};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    std::vector<Value> errors;
    for (std::size_t i = 0; i < 4; ++i) {
      errors.push_back(squared_error(model({table.inputs[i][0], table.inputs[i][1]})[0], table.targets[i]));
    }
    const Value loss = sum(errors);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    curve.x.push_back(epoch);
    curve.y.push_back(loss.data());
  }
  fmt::print("  {:<22} loss after {} epochs: {:.4f}\n", name, epochs, curve.y.back());
  return curve;
}

int run(int argc, char** argv) {
  CLI::App app{"Draw the tutorial's charts (SVG) with backflow"};
  app.footer("Exit status: 0 on success, 1 on an error (a bad flag, a chart that cannot be written).");
  std::string output = "docs/tutorial/img";
  int epochs = 2000;
  app.add_option("--output", output, "directory for the SVG files")
      ->capture_default_str()
      ->check(examples::non_empty_path);
  app.add_option("--epochs", epochs, "XOR epochs per curve")
      ->capture_default_str()
      ->check(examples::decimal_digits)
      ->check(CLI::Range(10, 100000));
  if (const auto status = examples::parse_command_line(app, argc, argv, 1)) return *status;
  try {
    backflow::create_output_directory(output);
    activation_charts(output);
    fmt::print("XOR, 2-4-1 sigmoid network, squared error, by learning rate:\n");
    std::vector<Series> by_rate;
    for (double lr : {0.1, 0.5, 2.0, 8.0}) by_rate.push_back(xor_curve(4, lr, epochs, fmt::format("lr {}", lr)));
    write_svg_line_plot(std::filesystem::path(output) / "xor_learning_rates.svg", by_rate,
                        {.title = "XOR: loss by learning rate (4 hidden units)",
                         .x_label = "epoch",
                         .y_label = "summed squared error",
                         .log_y = true});
    fmt::print("XOR by hidden units, learning rate 2:\n");
    std::vector<Series> by_size;
    for (std::size_t hidden : {2, 4, 8})
      by_size.push_back(xor_curve(hidden, 2.0, epochs, fmt::format("{} hidden", hidden)));
    write_svg_line_plot(std::filesystem::path(output) / "xor_hidden_units.svg", by_size,
                        {.title = "XOR: loss by hidden units (learning rate 2)",
                         .x_label = "epoch",
                         .y_label = "summed squared error",
                         .log_y = true});
    fmt::print("wrote activations.svg, derivatives.svg, xor_learning_rates.svg, xor_hidden_units.svg to {}\n", output);
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 1); }
