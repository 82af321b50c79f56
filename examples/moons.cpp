// micrograd's demo: an MLP(2, [16, 16, 1]) separates two interleaving moons.
#include "cli_checks.hpp"

#include <backflow/dot.hpp>
#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>

using backflow::Value;

namespace {

int run(int argc, char** argv) {
  CLI::App app{"micrograd's demo: MLP 2-16-16-1 on 100 moons points, max-margin loss, SGD"};
  app.footer("Exit status: 0 when every point ends up classified right, 1 otherwise, 2 on an error.");
  int steps = 100;
  std::uint64_t seed = 1337;
  std::uint64_t data_seed = 1;
  app.add_option("--steps", steps, "full-batch SGD steps")
      ->capture_default_str()
      ->check(examples::positive_count)
      ->check(CLI::Range(1, 1000000));
  app.add_option("--seed", seed, "seed for the initial weights")
      ->capture_default_str()
      ->check(examples::decimal_digits);
  app.add_option("--data-seed", data_seed, "seed for the moons")
      ->capture_default_str()
      ->check(examples::decimal_digits);
  std::string graph_file;
  bool expand = false;
  app.add_option("--graph", graph_file, "draw the first step's graph after backward() to FILE (.dot, .svg, .png, .pdf)")
      ->check(examples::non_empty_path);
  app.add_flag("--expand", expand, "draw the nodes inside each neuron (merged by op) instead of one box per neuron");
  std::string frames_directory;
  app.add_option("--frames", frames_directory,
                 "write one picture per backward step for the first point's own loss into DIR (one box per neuron)")
      ->check(examples::non_empty_path);
  if (const auto status = examples::parse_command_line(app, argc, argv, 2)) return *status;
  if (expand && graph_file.empty() && frames_directory.empty()) {
    examples::print_error("--expand changes the pictures of --graph and --frames: give one of them too");
    return 2;
  }
  try {
    // Before training: the frames alone take tens of seconds.
    examples::check_outputs({{"--graph", graph_file}, {"--frames", frames_directory, true}});
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 2;
  }

  const auto data = backflow::make_moons(100, 0.1, data_seed);
  backflow::nn::MLP model(2, {16, 16, 1}, backflow::nn::Activation::relu, backflow::nn::Activation::linear, seed);
  backflow::SGD sgd(model.parameters(), 1.0);
  fmt::print("{}\n\n", backflow::nn::to_string(model));

  if (!frames_directory.empty()) {
    // A whole step has about 65,800 nodes: page through backward for one point instead
    // (643 computed nodes, one frame each, beside the 337 parameters), each neuron one box.
    const auto& p = data.points[0];
    const Value score = model({p[0], p[1]})[0];
    Value point_loss = (1.0 - data.labels[0] * score).relu();
    point_loss.set_label("loss of point 1");
    point_loss.backward();
    try {
      const backflow::GraphView graph = backflow::make_graph_view(point_loss);
      // Said first, and flushed: the frames take a while, and a silent program looks stuck.
      fmt::print("writing {} into {} (one per backward step; this takes a while)\n",
                 examples::counted(backflow::backward_steps(graph).size(), "frame"), frames_directory);
      std::fflush(stdout);
      const auto frames = backflow::write_backward_frames(
          graph, frames_directory, {.collapse_modules = !expand, .title = "moons: backward for one point"});
      fmt::print("wrote {} frames into {}\n\n", frames.size(), frames_directory);
    } catch (const std::exception& e) {
      examples::print_error(e.what());
      return 2;
    }
    model.zero_grad();
  }

  for (int step = 0; step < steps; ++step) {
    std::vector<Value> scores;
    for (const auto& p : data.points) scores.push_back(model({p[0], p[1]})[0]);
    // max-margin loss plus a little L2 regularisation, exactly as in micrograd's demo
    Value data_loss = backflow::hinge_loss(scores, data.labels);
    Value penalty = backflow::l2_penalty(model.parameters(), 1e-4);
    Value loss = data_loss + penalty;
    data_loss.set_label("hinge loss");  // names in graph pictures
    penalty.set_label("L2 penalty");
    loss.set_label("loss");
    int correct = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) correct += (scores[i].data() > 0) == (data.labels[i] > 0);
    const double accuracy = correct / static_cast<double>(scores.size());

    sgd.zero_grad();
    loss.backward();
    if (step == 0 && !graph_file.empty()) {
      try {
        const auto start = std::chrono::steady_clock::now();
        const backflow::GraphView graph = backflow::make_graph_view(loss);
        const backflow::GraphStats stats = backflow::graph_stats(graph);
        backflow::render(graph, graph_file, {.collapse_modules = !expand, .title = "moons: one SGD step, 100 points"});
        const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
        fmt::print("{}wrote {} in {:.2f} s (view, statistics, layout and rendering)\n\n",
                   backflow::to_string(stats, graph), graph_file, seconds.count());
      } catch (const std::exception& e) {
        examples::print_error(e.what());
        return 2;
      }
    }
    sgd.set_learning_rate(1.0 - 0.9 * step / static_cast<double>(steps));
    sgd.step();
    fmt::print("step {:>3} loss {:.6f}, accuracy {:.0f}%\n", step, loss.data(), accuracy * 100);
  }
  // Each step prints what micrograd prints, measured before its update; the verdict is the trained model's.
  std::size_t correct = 0;
  for (std::size_t i = 0; i < data.points.size(); ++i) {
    const double score = model({data.points[i][0], data.points[i][1]})[0].data();
    correct += (score > 0) == (data.labels[i] > 0) ? 1 : 0;
  }
  fmt::print("after {}: {} of {} points classified right\n", examples::counted(static_cast<std::size_t>(steps), "step"),
             correct, data.points.size());
  return correct == data.points.size() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 2); }
