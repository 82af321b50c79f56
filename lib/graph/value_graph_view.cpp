// The scalar engine's GraphView: a copy of a Value graph with the gradient on every edge.
#include "../value/rules.hpp"
#include "graph_view_builder.hpp"

#include <backflow/graph.hpp>

#include <fmt/format.h>

namespace backflow {
namespace {

NodeRole role_of(const Value& node, bool is_root) {
  if (is_root) return NodeRole::output;
  if (node.op() != Op::leaf) return NodeRole::intermediate;
  if (node.is_parameter()) return NodeRole::parameter;
  if (node.is_constant()) return NodeRole::constant;
  return NodeRole::input;
}

GraphNode describe(const Value& node, bool is_root, int backward_step) {
  GraphNode vertex;
  vertex.op = std::string(op_name(node.op()));
  if (node.op() == Op::pow_const) vertex.op = fmt::format("pow {:g}", node.exponent());
  vertex.label = std::string(node.label());
  vertex.value = node.data();
  vertex.value_text = format_number(node.data());
  vertex.grad = node.grad();
  vertex.grad_text = format_number(node.grad());
  vertex.scope = std::string(node.scope());
  vertex.role = role_of(node, is_root);
  vertex.backward_step = backward_step;
  vertex.id = node.id();
  return vertex;
}

}  // namespace

GraphView make_graph_view(const Value& root) {
  GraphView graph = detail::build_graph_view(
      topological_order(root), describe, [](const Value& node, const std::vector<Value>& inputs, std::size_t slot) {
        const double a = inputs[0].data();
        const double b = inputs.size() > 1 ? inputs[1].data() : 0.0;
        // The same table backward() uses: the chain rule's local factor per input.
        const auto local = detail::local_derivatives(node.op(), a, b, node.data(), node.exponent());
        GraphEdge edge;
        edge.input_slot = static_cast<int>(slot);
        edge.grad = local[slot] * node.grad();
        edge.grad_text = format_number(edge.grad);
        return edge;
      });
  graph[boost::graph_bundle].has_gradients = root.grad() != 0.0;
  return graph;
}

}  // namespace backflow
