// Statistics of a graph view, with Boost.Graph's algorithms doing the walking.
#include <backflow/graph.hpp>

#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace backflow {
namespace {

// The longest path into each vertex, over a topological order: one pass, no recursion.
std::size_t longest_path(const GraphView& graph, const std::vector<GraphVertex>& order) {
  std::vector<std::size_t> depth(boost::num_vertices(graph), 0);
  std::size_t deepest = 0;
  for (GraphVertex vertex : order) {
    for (auto [edge, end] = boost::out_edges(vertex, graph); edge != end; ++edge) {
      const GraphVertex consumer = boost::target(*edge, graph);
      depth[consumer] = std::max(depth[consumer], depth[vertex] + 1);
      deepest = std::max(deepest, depth[consumer]);
    }
  }
  return deepest;
}

bool received_no_gradient(const GraphView& graph, GraphVertex leaf) {
  for (auto [edge, end] = boost::out_edges(leaf, graph); edge != end; ++edge) {
    if (graph[*edge].grad != 0.0) return false;
  }
  return boost::out_degree(leaf, graph) > 0;  // a lone root is not a starved leaf
}

}  // namespace

GraphStats graph_stats(const GraphView& graph) {
  GraphStats stats;
  stats.nodes = boost::num_vertices(graph);
  stats.edges = boost::num_edges(graph);
  // topological_sort emits vertices finished last first: reverse topological order.
  boost::topological_sort(graph, std::back_inserter(stats.topological_order));
  std::reverse(stats.topological_order.begin(), stats.topological_order.end());
  stats.depth = longest_path(graph, stats.topological_order);
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    ++stats.op_histogram[graph[*vertex].op];
    if (boost::in_degree(*vertex, graph) == 0 && received_no_gradient(graph, *vertex)) {
      stats.leaves_without_gradient.push_back(*vertex);
    }
  }
  return stats;
}

std::string to_string(const GraphStats& stats, const GraphView& graph) {
  std::string text = fmt::format("graph: {} nodes, {} edges, depth {}\nops:", stats.nodes, stats.edges, stats.depth);
  for (const auto& [op, count] : stats.op_histogram) text += fmt::format(" {} {},", op, count);
  text.back() = '\n';
  const std::size_t starved = stats.leaves_without_gradient.size();
  if (!graph[boost::graph_bundle].has_gradients) {
    text += "no gradients yet (backward() has not run)\n";
  } else if (starved == 0) {
    text += "every leaf received gradient\n";
  } else {
    text += fmt::format("{} {} no gradient:", starved, starved == 1 ? "leaf received" : "leaves received");
    for (std::size_t i = 0; i < std::min<std::size_t>(starved, 8); ++i) {
      const GraphNode& leaf = graph[stats.leaves_without_gradient[i]];
      const std::string name = leaf.label.empty()
                                   ? fmt::format("{} #{}", role_name(leaf.role), stats.leaves_without_gradient[i])
                                   : leaf.label;
      text += fmt::format(" {}{}", leaf.scope.empty() ? "" : leaf.scope + ": ", name);
      text += i + 1 < std::min<std::size_t>(starved, 8) ? "," : "";
    }
    text += starved > 8 ? ", ...\n" : "\n";
  }
  return text;
}

}  // namespace backflow
