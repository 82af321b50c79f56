// The scalar engine's GraphView: a copy of a Value graph with the gradient on every edge.
#include "../value/rules.hpp"

#include <backflow/graph.hpp>

#include <fmt/format.h>

#include <unordered_map>

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
  const std::vector<Value> order = topological_order(root);  // inputs first, root last
  const auto count = static_cast<int>(order.size());
  GraphView graph(order.size());
  std::unordered_map<std::uintptr_t, GraphVertex> vertex_of;
  vertex_of.reserve(order.size());
  for (int i = 0; i < count; ++i) {
    const auto vertex = static_cast<GraphVertex>(i);
    // backward() visits the nodes in exactly the reverse of topological_order().
    graph[vertex] = describe(order[vertex], i == count - 1, count - 1 - i);
    vertex_of.emplace(order[vertex].id(), vertex);
  }
  for (int i = 0; i < count; ++i) {
    const Value& node = order[static_cast<std::size_t>(i)];
    const std::vector<Value> inputs = node.inputs();
    if (inputs.empty()) continue;
    const double a = inputs[0].data();
    const double b = inputs.size() > 1 ? inputs[1].data() : 0.0;
    // The same table backward() uses: the chain rule's local factor per input.
    const auto local = detail::local_derivatives(node.op(), a, b, node.data(), node.exponent());
    for (std::size_t slot = 0; slot < inputs.size(); ++slot) {
      GraphEdge edge;
      edge.input_slot = static_cast<int>(slot);
      edge.grad = local[slot] * node.grad();
      edge.grad_text = format_number(edge.grad);
      boost::add_edge(vertex_of.at(inputs[slot].id()), static_cast<GraphVertex>(i), edge, graph);
    }
  }
  graph[boost::graph_bundle].root = order.size() - 1;
  graph[boost::graph_bundle].has_gradients = root.grad() != 0.0;
  return graph;
}

}  // namespace backflow
