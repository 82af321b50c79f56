// backflow/graph.hpp: a Boost.Graph view of any autodiff graph, and statistics about it.
//
// The view is a plain copy: one vertex per node (value), one edge per (input -> consumer)
// use, each with bundled properties that say nothing about which engine made them. The DOT
// writer, the step-by-step frames and the statistics work from this view only, so the
// scalar engine and a tensor engine share them: each engine just builds a GraphView.
#pragma once

#include <backflow/tensor.hpp>
#include <backflow/value.hpp>

#include <boost/graph/adjacency_list.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace backflow {

/// What a node is to the computation, which decides its colour in pictures.
enum class NodeRole : std::uint8_t {
  input,         ///< a leaf that is neither a parameter nor a constant (data fed in)
  parameter,     ///< a trainable leaf (weights, biases)
  constant,      ///< a leaf made from a plain number inside an expression
  intermediate,  ///< computed from other nodes
  output,        ///< the root the view was made from
};

/// "input", "parameter", "constant", "intermediate" or "output".
std::string_view role_name(NodeRole role);

/// What a vertex of the GraphView carries: one node of the autodiff graph.
struct GraphNode {
  std::string op;                          ///< op symbol: "+", "*", "tanh", ...; "leaf" for leaves
  std::string label;                       ///< the user's label, or ""
  double value = 0.0;                      ///< the number (a tensor engine puts a summary, e.g. the mean)
  std::string value_text;                  ///< the value as pictures show it: "0.7311", "[3, 4] mean 0.1"
  double grad = 0.0;                       ///< d(output)/d(node) as the last backward() left it
  std::string grad_text;                   ///< the gradient as pictures show it
  std::string scope;                       ///< the module that made it: "layer 1 / neuron 3", or ""
  NodeRole role = NodeRole::intermediate;  ///< input, parameter, constant, intermediate or output
  int backward_step = -1;  ///< position in the order backward() visits nodes (0 = output), -1 if not visited
  std::uintptr_t id = 0;   ///< the engine's identity of the node
};

/// What an edge (input -> consumer) of the GraphView carries.
struct GraphEdge {
  int input_slot = 0;     ///< which input of the consumer this is (0 = first)
  double grad = 0.0;      ///< gradient carried backward: local derivative times the consumer's grad
  std::string grad_text;  ///< that gradient as pictures show it
};

/// Properties of the whole view.
struct GraphInfo {
  std::size_t root = 0;        ///< the output vertex
  bool has_gradients = false;  ///< true once backward() has run from the root
  /// True when each edge carries its share of the input's gradient, so the shares add up to
  /// it (scalar views); false when an edge shows the input's whole gradient (tensor views
  /// give its norm, and norms do not add).
  bool edge_grads_add_up = true;
};

/// The Boost.Graph view: edges point from an input to the node computed from it (the way
/// data flows forward); gradients flow against them.
using GraphView =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, GraphNode, GraphEdge, GraphInfo>;
/// A node of a GraphView (an index: the view stores vertices in a vector).
using GraphVertex = boost::graph_traits<GraphView>::vertex_descriptor;
/// An edge of a GraphView, from an input to the node computed from it.
using GraphEdgeHandle = boost::graph_traits<GraphView>::edge_descriptor;

/// A copy of the scalar graph behind `root`, with gradients and backward's visiting order.
/// Iterative: graphs of any depth and size (the 65,800 nodes of a micrograd demo step take milliseconds).
GraphView make_graph_view(const Value& root);

/// A copy of the tensor graph behind `root`: each vertex shows a tensor's shape and mean,
/// its gradient's norm |g|, and each edge the norm of the gradient that reaches the input.
GraphView make_graph_view(const Tensor& root);

/// Numbers as pictures show them: 4 decimals for ordinary sizes, scientific otherwise,
/// "NaN" for any NaN.
std::string format_number(double x);

/// Facts about a graph, computed with Boost.Graph algorithms.
struct GraphStats {
  std::size_t nodes = 0;                             ///< vertices in the view
  std::size_t edges = 0;                             ///< input -> consumer edges
  std::vector<GraphVertex> topological_order;        ///< inputs before the nodes computed from them
  std::size_t depth = 0;                             ///< edges on the longest path into the output
  std::map<std::string, std::size_t> op_histogram;   ///< op symbol -> how many nodes
  std::vector<GraphVertex> leaves_without_gradient;  ///< leaves whose edges all carried 0
};

/// Counts, topological order (boost::topological_sort), depth (longest path over that
/// order), op histogram, and the leaves that received no gradient.
/// Throws boost::not_a_dag if the view has a cycle.
GraphStats graph_stats(const GraphView& graph);

/// A few readable lines about `stats`, naming up to 8 of the leaves without gradient.
std::string to_string(const GraphStats& stats, const GraphView& graph);

}  // namespace backflow
