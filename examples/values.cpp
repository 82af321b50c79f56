// Chapter 1 of the tutorial: a few Values, the graph they build, and backward().
// micrograd's own example: x = -4; z = 2x + 2 + x; q = relu(z) + z x; h = relu(z z);
// y = h + q + q x. Then y = -20 and dy/dx = 46.
#include "cli_checks.hpp"

#include <backflow/dot.hpp>
#include <backflow/graph.hpp>
#include <backflow/value.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

using backflow::Value;

namespace {

int run(int argc, char** argv) {
  CLI::App app{"Build micrograd's example expression, run backward() and draw the graph"};
  app.footer("Exit status: 0 on success, 1 on an error (a bad flag, a picture that cannot be written).");
  std::string before_file;
  std::string after_file;
  app.add_option("--forward-graph", before_file, "draw the graph before backward() to FILE (.dot, .svg, .png, .pdf)")
      ->check(examples::non_empty_path);
  app.add_option("--graph", after_file, "draw the graph after backward() to FILE")->check(examples::non_empty_path);
  if (const auto status = examples::parse_command_line(app, argc, argv, 1)) return *status;
  try {
    examples::check_outputs({{"--forward-graph", before_file}, {"--graph", after_file}});
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 1;
  }

  Value x(-4.0, "x");
  Value z = 2 * x + 2 + x;
  z.set_label("z");
  Value q = z.relu() + z * x;
  q.set_label("q");
  Value h = (z * z).relu();
  h.set_label("h");
  Value y = h + q + q * x;
  y.set_label("y");

  fmt::print("forward:  x = {}, z = {}, q = {}, h = {}, y = {}\n", x.data(), z.data(), q.data(), h.data(), y.data());
  const backflow::GraphView graph = backflow::make_graph_view(y);
  fmt::print("{}", backflow::to_string(backflow::graph_stats(graph), graph));
  try {
    if (!before_file.empty()) {
      backflow::render(y, before_file);
      fmt::print("wrote {}\n", before_file);
    }
    y.backward();
    fmt::print("backward: dy/dx = {}, dy/dz = {}, dy/dq = {}, dy/dh = {}\n", x.grad(), z.grad(), q.grad(), h.grad());
    if (!after_file.empty()) {
      backflow::render(y, after_file);
      fmt::print("wrote {}\n", after_file);
    }
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 1); }
