// The Boost.Graph view of scalar graphs and the statistics computed from it.
#include "worked_example.hpp"

#include <backflow/graph.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using backflow::GraphVertex;
using backflow::GraphView;
using backflow::NodeRole;
using backflow::Value;

namespace {

GraphVertex vertex_labelled(const GraphView& graph, const std::string& label) {
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    if (graph[*vertex].label == label) return *vertex;
  }
  FAIL("no vertex labelled " << label);
  return 0;
}

}  // namespace

TEST_CASE("the worked example's view: 32 nodes, 35 edges, roles, scopes and backward order") {
  WorkedExample worked;
  worked.error.backward();
  const GraphView graph = backflow::make_graph_view(worked.error);
  CHECK(boost::num_vertices(graph) == WorkedExample::nodes);
  CHECK(boost::num_edges(graph) == WorkedExample::edges);

  const GraphVertex root = graph[boost::graph_bundle].root;
  CHECK(graph[root].label == "E");
  CHECK(graph[root].role == NodeRole::output);
  CHECK(graph[root].backward_step == 0);  // backward() starts at the output
  CHECK(graph[root].grad == 1.0);
  CHECK(graph[boost::graph_bundle].has_gradients);
  CHECK(graph[vertex_labelled(graph, "x1")].role == NodeRole::input);

  std::size_t parameters = 0;
  std::size_t inputs = 0;
  std::vector<int> steps;
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    parameters += graph[*vertex].role == NodeRole::parameter;
    inputs += graph[*vertex].role == NodeRole::input;
    steps.push_back(graph[*vertex].backward_step);
    if (graph[*vertex].role == NodeRole::parameter) CHECK(graph[*vertex].scope.starts_with("layer "));
  }
  CHECK(parameters == 9);
  CHECK(inputs == 3);  // x1, x2 and the target t = 0
  std::sort(steps.begin(), steps.end());
  for (int i = 0; i < static_cast<int>(steps.size()); ++i) CHECK(steps[static_cast<std::size_t>(i)] == i);

  // Every node is numbered after all of its consumers: the order backward() needs.
  for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
    CHECK(graph[boost::source(*edge, graph)].backward_step > graph[boost::target(*edge, graph)].backward_step);
  }
}

TEST_CASE("each edge carries local derivative times the consumer's grad, and they add up") {
  WorkedExample worked;
  worked.error.backward();
  const GraphView graph = backflow::make_graph_view(worked.error);
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    if (*vertex == graph[boost::graph_bundle].root) continue;
    double arrived = 0.0;
    for (auto [edge, edges_end] = boost::out_edges(*vertex, graph); edge != edges_end; ++edge)
      arrived += graph[*edge].grad;
    CHECK(arrived == doctest::Approx(graph[*vertex].grad));  // a node's grad is what its edges carry
  }
  // E = (t - y)^2 with t = 0: the edge out of y carries d(t - y)/dy * dE/d(t - y) = -1 * -2y = 2y.
  const double y = worked.net(worked.inputs)[0].data();
  const GraphVertex root = graph[boost::graph_bundle].root;
  const GraphVertex difference = boost::source(*boost::in_edges(root, graph).first, graph);
  int edges_from_y = 0;
  for (auto [edge, end] = boost::in_edges(difference, graph); edge != end; ++edge) {
    if (graph[*edge].input_slot == 1) {
      ++edges_from_y;
      CHECK(graph[*edge].grad == doctest::Approx(2 * y));
      CHECK(graph[*edge].grad_text == backflow::format_number(2 * y));
    }
  }
  CHECK(edges_from_y == 1);
}

TEST_CASE("a node used twice gives two parallel edges") {
  Value a(1.0, "a");
  Value b = a + a;
  b.backward();
  const GraphView graph = backflow::make_graph_view(b);
  CHECK(boost::num_vertices(graph) == 2);
  CHECK(boost::num_edges(graph) == 2);
  for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) CHECK(graph[*edge].grad == 1.0);
  CHECK(graph[0].grad == 2.0);
}

TEST_CASE("before backward(): no gradients, every leaf still waiting") {
  WorkedExample worked;
  const GraphView graph = backflow::make_graph_view(worked.error);
  CHECK_FALSE(graph[boost::graph_bundle].has_gradients);
  const backflow::GraphStats stats = backflow::graph_stats(graph);
  CHECK(stats.leaves_without_gradient.size() == 12);
  CHECK(backflow::to_string(stats, graph).find("backward() has not run") != std::string::npos);
}

TEST_CASE("statistics of the worked example, computed with Boost.Graph") {
  WorkedExample worked;
  worked.error.backward();
  const GraphView graph = backflow::make_graph_view(worked.error);
  const backflow::GraphStats stats = backflow::graph_stats(graph);
  CHECK(stats.nodes == 32);
  CHECK(stats.edges == 35);
  // x -> * -> + -> sigmoid -> * -> + -> + -> sigmoid -> - -> pow: 9 edges on the longest path.
  CHECK(stats.depth == 9);
  CHECK(stats.op_histogram.at("leaf") == 12);
  CHECK(stats.op_histogram.at("*") == 9);
  CHECK(stats.op_histogram.at("+") == 5);
  CHECK(stats.op_histogram.at("sigmoid") == 4);
  CHECK(stats.op_histogram.at("pow 2") == 1);
  CHECK(stats.leaves_without_gradient.empty());
  REQUIRE(stats.topological_order.size() == 32);
  CHECK(stats.topological_order.back() == graph[boost::graph_bundle].root);
  std::vector<std::size_t> position(32);
  for (std::size_t i = 0; i < 32; ++i) position[stats.topological_order[i]] = i;
  for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
    CHECK(position[boost::source(*edge, graph)] < position[boost::target(*edge, graph)]);
  }
  CHECK(backflow::to_string(stats, graph).starts_with("graph: 32 nodes, 35 edges, depth 9\n"));
}

TEST_CASE("leaves that received no gradient: a dead relu's weight") {
  Value w(2.0, "w");
  w.mark_parameter();
  Value x(-1.0, "x");
  Value out = (w * x).relu() + Value(3.0, "c");
  out.backward();
  const GraphView graph = backflow::make_graph_view(out);
  const backflow::GraphStats stats = backflow::graph_stats(graph);
  REQUIRE(stats.leaves_without_gradient.size() == 2);  // w and x sit behind relu(-2)
  const std::string text = backflow::to_string(stats, graph);
  CHECK(text.find("2 leaves received no gradient: w, x") != std::string::npos);
  Value lone(-1.0, "lone");
  Value alone = lone.relu() + Value(3.0, "c");
  alone.backward();
  const GraphView one = backflow::make_graph_view(alone);
  CHECK(backflow::to_string(backflow::graph_stats(one), one).find("1 leaf received no gradient: lone") !=
        std::string::npos);
}

TEST_CASE("a chain of 200,000 nodes: the view and the statistics do not recurse") {
  Value x(0.5, "x");
  Value y = x;
  for (int i = 0; i < 200000; ++i) y = y * 1.0;
  y.backward();
  const GraphView graph = backflow::make_graph_view(y);
  const backflow::GraphStats stats = backflow::graph_stats(graph);
  CHECK(stats.nodes == 400001);
  CHECK(stats.depth == 200000);
}

TEST_CASE("numbers as pictures show them") {
  CHECK(backflow::format_number(0.0) == "0.0000");
  CHECK(backflow::format_number(-0.0) == "0.0000");  // a zero gradient is not negative
  CHECK(backflow::format_number(0.73105857) == "0.7311");
  CHECK(backflow::format_number(-1.5) == "-1.5000");
  CHECK(backflow::format_number(1e-4) == "1.000e-04");
  CHECK(backflow::format_number(123456.0) == "1.235e+05");
}
