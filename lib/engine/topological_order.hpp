// The traversal that both engines (scalar Value, Tensor) share: an iterative depth-first
// post-order walk, so a graph of any depth is sorted without recursion.
#pragma once

#include <utility>
#include <vector>

namespace backflow::detail {

/// Every node reachable from `root`, each once, inputs before their consumers, root last.
///
/// NodeT needs `inputs` (a range of NodeT*, nullptr slots skipped) and
/// `bool visited() const` / `void set_visited(bool)`. Marks are cleared before returning,
/// so the graph is left as it was found.
template <class NodeT>
std::vector<NodeT*> topological_order(NodeT* root) {
  std::vector<NodeT*> order;
  // Each entry: a node and how many of its inputs we have already descended into.
  std::vector<std::pair<NodeT*, std::size_t>> stack;
  stack.emplace_back(root, 0);
  root->set_visited(true);
  while (!stack.empty()) {
    auto& [node, next_input] = stack.back();
    const auto& inputs = node->inputs;
    if (next_input < std::size(inputs)) {
      NodeT* input = inputs[next_input++];
      if (input != nullptr && !input->visited()) {
        input->set_visited(true);
        stack.emplace_back(input, 0);  // may reallocate: `node` is not used after this
      }
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  for (NodeT* node : order) node->set_visited(false);
  return order;
}

}  // namespace backflow::detail
