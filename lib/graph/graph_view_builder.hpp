// The part of building a GraphView that both engines share: vertices in topological order
// (numbered in backward's order) and one edge per input use.
#pragma once

#include <backflow/graph.hpp>

#include <unordered_map>
#include <vector>

namespace backflow::detail {

/// `order` lists the nodes inputs first, root last (topological_order()); backward() visits
/// them in exactly the reverse order, so node i is backward step count - 1 - i.
/// describe(node, is_root, backward_step) gives a vertex's properties;
/// make_edge(consumer, inputs, slot) the properties of the edge from inputs[slot].
template <class Handle, class Describe, class MakeEdge>
GraphView build_graph_view(const std::vector<Handle>& order, Describe describe, MakeEdge make_edge) {
  const auto count = static_cast<int>(order.size());
  GraphView graph(order.size());
  std::unordered_map<std::uintptr_t, GraphVertex> vertex_of;
  vertex_of.reserve(order.size());
  for (int i = 0; i < count; ++i) {
    const auto vertex = static_cast<GraphVertex>(i);
    graph[vertex] = describe(order[vertex], i == count - 1, count - 1 - i);
    vertex_of.emplace(order[vertex].id(), vertex);
  }
  for (int i = 0; i < count; ++i) {
    const Handle& node = order[static_cast<std::size_t>(i)];
    const std::vector<Handle> inputs = node.inputs();
    for (std::size_t slot = 0; slot < inputs.size(); ++slot) {
      boost::add_edge(vertex_of.at(inputs[slot].id()), static_cast<GraphVertex>(i), make_edge(node, inputs, slot),
                      graph);
    }
  }
  graph[boost::graph_bundle].root = order.size() - 1;
  return graph;
}

}  // namespace backflow::detail
