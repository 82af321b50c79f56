#include "backward_progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace backflow::detail {

BackwardProgress::BackwardProgress(const GraphView& graph, int step)
    : step_(step),
      known_(boost::num_vertices(graph), 0.0),
      arrived_(boost::num_vertices(graph), 0),
      expected_(boost::num_vertices(graph), 0) {
  if (!graph[boost::graph_bundle].has_gradients) {
    throw std::invalid_argument(
        fmt::format("backflow: DotOptions::step {}: the graph has no gradients; call backward() first", step));
  }
  bool found = false;
  int last_step = -1;
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    if (graph[*vertex].backward_step == step) {
      current_ = *vertex;
      found = true;
    }
    last_step = std::max(last_step, graph[*vertex].backward_step);
    expected_[*vertex] = boost::out_degree(*vertex, graph);
  }
  if (!found) {
    throw std::invalid_argument(
        last_step < 0 ? fmt::format("backflow: DotOptions::step {}: backward() numbered no node of this graph", step)
                      : fmt::format("backflow: DotOptions::step {}: no node has that backward step (the last is "
                                    "{}; backward_steps() lists the steps that compute something)",
                                    step, last_step));
  }
  const GraphVertex root = graph[boost::graph_bundle].root;
  if (root >= boost::num_vertices(graph)) {  // a view built by hand, not by make_graph_view
    throw std::invalid_argument(fmt::format("backflow: GraphView: the root, vertex {}, is not one of its {} vertices",
                                            root, boost::num_vertices(graph)));
  }
  known_[root] = graph[root].grad;  // backward() seeds the output with d(out)/d(out) = 1
  expected_[root] = arrived_[root] = 1;
  for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
    if (state(graph, *edge) == EdgeState::pending) continue;
    const GraphVertex input = boost::source(*edge, graph);
    known_[input] += graph[*edge].grad;
    ++arrived_[input];
  }
}

EdgeState BackwardProgress::state(const GraphView& graph, GraphEdgeHandle edge) const {
  const int consumer_step = graph[boost::target(edge, graph)].backward_step;
  if (consumer_step < 0 || consumer_step > step_) return EdgeState::pending;
  return consumer_step == step_ ? EdgeState::sending : EdgeState::sent;
}

}  // namespace backflow::detail
