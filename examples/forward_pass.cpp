// The introduction's worked example, computed by backflow and checked by hand.
//
// A 2-3-1 network of sigmoid neurons without biases, inputs (1, 1), XOR target 0. The text
// stops after the forward pass; we go on: the output, the squared error, backward(), and
// every weight's gradient next to the text's delta rule.
#include "cli_checks.hpp"

#include <backflow/dot.hpp>
#include <backflow/losses.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>

using backflow::Value;

namespace {

// The text shows three decimals by cutting off the rest (0.7858 is shown as 0.785).
double as_the_text_shows(double x, int places) {
  const double scale = std::pow(10.0, places);
  return std::floor(x * scale) / scale;
}

double round_to(double x, int places) {
  const double scale = std::pow(10.0, places);
  return std::round(x * scale) / scale;
}

int run(int argc, char** argv) {
  CLI::App app{"The introduction's worked example: forward pass, squared error, backward and the delta rule"};
  app.footer("Exit status: 0 when backward() agrees with the delta rule, 1 when it does not, 2 on an error.");
  double learning_rate = 1.0;
  app.add_option("--lr", learning_rate, "learning rate eta for the weight changes (at most 1000)")
      ->capture_default_str()
      ->check(examples::positive_finite)
      ->check(examples::at_most(1000.0));  // the steps are printed with six decimals, not in 300 digits
  std::string graph_file;
  std::string forward_graph_file;
  std::string frames_directory;
  app.add_option("--graph", graph_file, "draw the graph after backward() to FILE (.dot, .svg, .png or .pdf)")
      ->check(examples::non_empty_path);
  app.add_option("--forward-graph", forward_graph_file, "draw the graph before backward() (values only) to FILE")
      ->check(examples::non_empty_path);
  app.add_option("--frames", frames_directory, "write one picture per backward step into DIR (frame_000.svg, ...)")
      ->check(examples::non_empty_path);
  if (const auto status = examples::parse_command_line(app, argc, argv, 2)) return *status;
  try {
    // Before drawing anything: a bad --graph must not come after --forward-graph is written.
    examples::check_outputs(
        {{"--forward-graph", forward_graph_file}, {"--graph", graph_file}, {"--frames", frames_directory, true}});
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 2;
  }

  const backflow::IntroductionExample example;
  const backflow::nn::MLP net = example.network();
  const std::vector<Value> inputs{Value(example.inputs[0], "x1"), Value(example.inputs[1], "x2")};

  fmt::print("The worked example: inputs ({}, {}), 3 hidden sigmoid nodes, 1 output, no biases\n\n", example.inputs[0],
             example.inputs[1]);
  fmt::print("Forward pass\n");
  const std::vector<Value> hidden = net.layers()[0](inputs);
  std::vector<double> rounded_hidden;
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    const auto& w = example.hidden_weights[i];
    const double sum = hidden[i].inputs()[0].data();
    fmt::print("  hidden {}: sum = 1*{} + 1*{} = {:g}   sigmoid({:g}) = {:.6f} (the text: {:.3f})\n", i + 1, w[0], w[1],
               sum, sum, hidden[i].data(), as_the_text_shows(hidden[i].data(), 3));
    rounded_hidden.push_back(round_to(hidden[i].data(), 2));
  }
  const Value y = net.layers()[1](hidden)[0];
  const double output_sum = y.inputs()[0].data();
  const auto& v = example.output_weights;
  const double text_sum = v[0] * rounded_hidden[0] + v[1] * rounded_hidden[1] + v[2] * rounded_hidden[2];
  fmt::print("  output sum = {}*{:.4f} + {}*{:.4f} + {}*{:.4f} = {:.4f}\n", v[0], hidden[0].data(), v[1],
             hidden[1].data(), v[2], hidden[2].data(), output_sum);
  fmt::print("    (the text rounds the sigmoids to {:.2f}, {:.2f}, {:.2f} first: {:.3f})\n", rounded_hidden[0],
             rounded_hidden[1], rounded_hidden[2], text_sum);
  fmt::print("  output y = sigmoid({:.4f}) = {:.6f}\n\n", output_sum, y.data());

  Value error = backflow::squared_error(y, example.target);
  error.set_label("E");
  fmt::print("Squared error against the XOR target t = {}: E = (t - y)^2 = {:.6f}\n\n", example.target, error.data());
  try {
    if (!forward_graph_file.empty()) {
      backflow::render(error, forward_graph_file, {.title = "the worked example: forward pass"});
      fmt::print("wrote {}\n\n", forward_graph_file);
    }
    error.backward();
    if (!graph_file.empty()) {
      const backflow::GraphView graph = backflow::make_graph_view(error);
      fmt::print("{}", backflow::to_string(backflow::graph_stats(graph), graph));
      backflow::render(graph, graph_file, {.title = "the worked example: gradients flowing back"});
      fmt::print("wrote {}\n\n", graph_file);
    }
    if (!frames_directory.empty()) {
      const auto frames = backflow::write_backward_frames(error, frames_directory, {.title = "the worked example"});
      fmt::print("wrote {} frames into {}\n\n", frames.size(), frames_directory);
    }
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 2;
  }

  // The text's delta rule, by hand: a delta is -1/2 dE/d(weighted sum), how much a neuron's
  // weighted sum should *rise*.
  const double out = y.data();
  const double delta_out = out * (1 - out) * (example.target - out);
  fmt::print("Backward: autodiff's dE/dw next to the delta rule\n");
  fmt::print("  delta_output = y(1-y)(t-y) = {:.6f}\n", delta_out);
  fmt::print("  {:<24} {:>12} {:>14} {:>16} {:>8}\n", "weight", "dE/dw", "delta * y_i", "-dE/dw / 2", "agree");
  bool all_agree = true;
  auto row = [&](const std::string& name, const Value& w, double delta, double y_i) {
    const double by_hand = delta * y_i;
    const double from_autodiff = -w.grad() / 2.0;
    const bool agree = std::abs(by_hand - from_autodiff) <= 1e-12;
    all_agree = all_agree && agree;
    fmt::print("  {:<24} {:>12.6f} {:>14.6f} {:>16.6f} {:>8}\n", name, w.grad(), by_hand, from_autodiff,
               agree ? "yes" : "NO");
  };
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    row(fmt::format("hidden {} -> output", i + 1), net.layers()[1].neurons()[0].weights()[i], delta_out,
        hidden[i].data());
  }
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    const double h = hidden[i].data();
    const double delta_hidden = h * (1 - h) * v[i] * delta_out;  // sum over the one output node
    fmt::print("  delta_hidden{} = y(1-y) w delta_output = {:.6f}\n", i + 1, delta_hidden);
    for (std::size_t k = 0; k < 2; ++k) {
      row(fmt::format("input {} -> hidden {}", k + 1, i + 1), net.layers()[0].neurons()[i].weights()[k], delta_hidden,
          example.inputs[k]);
    }
  }
  fmt::print(
      "\nWhy -dE/dw / 2: E = (t - y)^2 gives dE/dy = -2 (t - y). The delta rule's (t - y) points\n"
      "the way to *reduce* the error (hence the minus) and leaves out the 2 from the square.\n"
      "So the weight change eta * delta_j * y_i equals -eta/2 * dE/dw: the same direction as gradient\n"
      "descent's step -eta * dE/dw, and half its size.\n");
  const Value& first_weight = net.layers()[1].neurons()[0].weights()[0];
  fmt::print("With eta = {}, the hidden 1 -> output weight: delta rule {:+.6f}, gradient descent {:+.6f}\n",
             learning_rate, learning_rate * delta_out * hidden[0].data(), -learning_rate * first_weight.grad());
  fmt::print("\ndelta rule and autodiff agree on all 9 weights: {}\n", all_agree ? "yes" : "NO");
  return all_agree ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 2); }
