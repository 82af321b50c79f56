// The traversal that both engines (scalar Value, Tensor) share. No recursion: graphs of any
// depth are walked with explicit stacks.
#pragma once

#include <algorithm>
#include <vector>

namespace backflow::detail {

struct DoNothing {
  template <class T>
  void operator()(T* /*node*/) const {}
};

/// Calls visit(node) once for every node reachable from `root`, each node only after every
/// node that consumes it: reverse topological order, the order backward() needs.
///
/// Kahn's algorithm, as PyTorch's engine does it: pass 1 counts, for each node, its
/// consumers inside this graph (and calls on_first_visit when it first meets a node);
/// pass 2 starts from the root and releases a node when its last consumer is done.
///
/// NodeT needs `inputs` (a range of NodeT*, nullptr slots skipped), a counter
/// `pending_consumers` that is 0 outside a traversal, and `visited()` / `set_visited(bool)`.
template <class NodeT, class OnFirstVisit, class Visit>
void for_each_in_backward_order(NodeT* root, OnFirstVisit on_first_visit, Visit visit) {
  thread_local std::vector<NodeT*> stack;  // reused: training loops walk similar graphs
  stack.clear();
  stack.push_back(root);
  root->set_visited(true);
  on_first_visit(root);
  while (!stack.empty()) {
    NodeT* node = stack.back();
    stack.pop_back();
    for (NodeT* input : node->inputs) {
      if (input == nullptr) continue;
      ++input->pending_consumers;
      if (!input->visited()) {
        input->set_visited(true);
        on_first_visit(input);
        stack.push_back(input);
      }
    }
  }
  stack.push_back(root);
  while (!stack.empty()) {
    NodeT* node = stack.back();
    stack.pop_back();
    node->set_visited(false);
    visit(node);
    for (NodeT* input : node->inputs) {
      if (input != nullptr && --input->pending_consumers == 0) stack.push_back(input);
    }
  }
}

/// Every node reachable from `root`, inputs before their consumers, root last: exactly the
/// reverse of the order in which backward() processes them.
template <class NodeT>
std::vector<NodeT*> topological_order(NodeT* root) {
  std::vector<NodeT*> order;
  for_each_in_backward_order(root, DoNothing{}, [&](NodeT* node) { order.push_back(node); });
  std::reverse(order.begin(), order.end());
  return order;
}

}  // namespace backflow::detail
