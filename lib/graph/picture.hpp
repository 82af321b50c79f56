// What a picture draws, decided before any DOT is written: which vertices become one box
// each, which are merged (a collapsed module, a summary of similar nodes), and the arrows
// between boxes. Keeping this apart lets the DOT writer stay about drawing only.
#pragma once

#include <backflow/graph.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace backflow::detail {

enum class BoxKind {
  node,    ///< one vertex: a value record, plus an op circle when it has inputs
  module,  ///< every vertex a module made
  group,   ///< similar vertices (same module, role and op) merged to keep the picture small
  part,    ///< connected vertices outside every module (a loss, a penalty) merged
};

struct Box {
  BoxKind kind = BoxKind::node;
  std::vector<GraphVertex> members;  ///< in vertex order
  std::string cluster;               ///< scope of the cluster it sits in; "" = none
  std::string title;                 ///< module name or "relu ×100"; empty for node boxes
};

struct Arrow {
  std::size_t from = 0;                 ///< box of the input
  std::size_t to = 0;                   ///< box of the consumer
  std::size_t count = 0;                ///< how many edges of the graph it stands for
  double grad = 0.0;                    ///< sum of the gradients those edges carry
  std::optional<GraphEdgeHandle> edge;  ///< the edge, when it stands for exactly one between node boxes
  std::vector<GraphEdgeHandle> edges;   ///< the edges a summary arrow (no `edge`) stands for
};

struct Picture {
  std::vector<Box> boxes;
  std::vector<Arrow> arrows;
  std::vector<std::size_t> box_of;  ///< vertex -> box
  std::size_t graphviz_nodes = 0;   ///< boxes plus op circles
  bool summarised = false;          ///< true when max_nodes forced merging
};

/// Whether a node drawn on its own gets an op circle beside its box: computed nodes do, and
/// so does a result made without a graph (NoGradGuard), which keeps its op but no inputs.
inline bool has_op_circle(const GraphView& graph, GraphVertex vertex) {
  return boost::in_degree(vertex, graph) > 0 || graph[vertex].op != "leaf";
}

/// The picture of `graph` with the fewest merges that keeps it within max_nodes
/// Graphviz nodes. Throws std::invalid_argument if even the coarsest summary is too big.
Picture make_picture(const GraphView& graph, bool collapse_modules, bool clusters, std::size_t max_nodes);

/// The scopes that enclose `scope`, outermost first: "a / b" -> {"a", "a / b"}.
std::vector<std::string> enclosing_scopes(const std::string& scope);

}  // namespace backflow::detail
