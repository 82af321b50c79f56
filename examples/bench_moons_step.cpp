// Benchmark: one step of micrograd's demo (forward over 100 points, loss, backward, SGD update).
// Prints milliseconds per step and nanoseconds per node; micrograd itself takes ~1,000 ms here.
#include "cli_checks.hpp"

#include <backflow/losses.hpp>
#include <backflow/optim.hpp>
#include <backflow/toy_data.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

using backflow::Value;

namespace {

int run(int argc, char** argv) {
  CLI::App app{"Time one micrograd demo step (MLP 2-16-16-1, 100 points)"};
  app.footer("Exit status: 0 after the timing (whether or not it meets the target), 1 on an error.");
  int repeats = 200;
  app.add_option("--repeats", repeats, "timed steps")
      ->capture_default_str()
      ->check(examples::positive_count)
      ->check(CLI::Range(1, 1000000));
  if (const auto status = examples::parse_command_line(app, argc, argv, 1)) return *status;

  const auto data = backflow::make_moons(100, 0.1, 1);
  backflow::nn::MLP model(2, {16, 16, 1});
  backflow::SGD sgd(model.parameters(), 0.05);
  std::size_t nodes = 0;
  auto step = [&] {
    std::vector<Value> scores;
    scores.reserve(data.points.size());
    for (const auto& p : data.points) scores.push_back(model({p[0], p[1]})[0]);
    const Value loss = backflow::hinge_loss(scores, data.labels) + backflow::l2_penalty(model.parameters(), 1e-4);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    return loss;
  };
  nodes = backflow::topological_order(step()).size();
  for (int i = 0; i < 20; ++i) step();  // warm up the node pool and caches

  std::vector<double> millis;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    step();  // the graph is freed at the end of this statement, inside the timing
    millis.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(millis.begin(), millis.end());
  const double median = millis[millis.size() / 2];
  fmt::print("moons step: {} nodes, median {:.3f} ms/step (best {:.3f}), {:.1f} ns/node over {}\n", nodes, median,
             millis.front(), median * 1e6 / static_cast<double>(nodes),
             examples::counted(static_cast<std::size_t>(repeats), "step"));
  fmt::print("target: <= 1 ms/step; micrograd (Python) ~1000 ms/step on the same machine\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 1); }
