// The traversal that both engines (scalar Value, Tensor) share. No recursion: graphs of any
// depth are walked with explicit stacks.
#pragma once

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace backflow::detail {

struct DoNothing {
  template <class T>
  void operator()(T* /*node*/) const {}
};

/// Sets pending_consumers back to 0 on every node reachable from `root`, after an exception
/// stopped a traversal half-way. (The counts cannot guide this walk, they are what is
/// broken, so a set of visited nodes does; this runs only on that rare path.)
template <class NodeT>
void reset_pending_consumers(NodeT* root) {
  std::unordered_set<NodeT*> seen{root};
  std::vector<NodeT*> stack{root};
  while (!stack.empty()) {
    NodeT* node = stack.back();
    stack.pop_back();
    node->pending_consumers = 0;
    for (NodeT* input : node->inputs) {
      if (input != nullptr && seen.insert(input).second) stack.push_back(input);
    }
  }
}

/// The two passes of for_each_in_backward_order (below), on a cleared stack.
template <class NodeT, class OnFirstVisit, class Visit>
void count_consumers_then_visit(NodeT* root, std::vector<NodeT*>& stack, OnFirstVisit& on_first_visit, Visit& visit) {
  stack.push_back(root);
  on_first_visit(root);
  while (!stack.empty()) {
    NodeT* node = stack.back();
    stack.pop_back();
    for (NodeT* input : node->inputs) {
      if (input != nullptr && input->pending_consumers++ == 0) {
        on_first_visit(input);
        stack.push_back(input);
      }
    }
  }
  stack.push_back(root);  // the root has no consumers in its own graph: it goes first
  while (!stack.empty()) {
    NodeT* node = stack.back();
    stack.pop_back();
    visit(node);
    for (NodeT* input : node->inputs) {
      if (input != nullptr && --input->pending_consumers == 0) stack.push_back(input);
    }
  }
}

/// Calls visit(node) once for every node reachable from `root`, each node only after every
/// node that consumes it: reverse topological order, the order backward() needs.
///
/// Kahn's algorithm, as PyTorch's engine does it: pass 1 counts, for each node, its
/// consumers inside this graph (a count going from 0 to 1 means the node is met for the
/// first time: on_first_visit runs and its inputs are explored); pass 2 starts from the root
/// and visits a node once its last consumer is done (the node is then "ready"), which brings
/// every count back to 0.
///
/// NodeT needs `inputs` (a range of NodeT*, nullptr slots skipped) and a counter
/// `pending_consumers` that is 0 outside a traversal. If visit (or an allocation) throws,
/// the counts are reset before the exception leaves, so the next traversal of any graph
/// sharing these nodes (the parameters of the next training step) starts clean.
///
/// `kept`, when given, lends the stack's memory and gets it back: backward() passes one kept
/// per thread, because training loops walk graphs of the same size every step.
template <class NodeT, class OnFirstVisit, class Visit>
void for_each_in_backward_order(NodeT* root, OnFirstVisit on_first_visit, Visit visit,
                                std::vector<NodeT*>* kept = nullptr) {
  // A local vector, not *kept itself: the compiler can keep its pointers in registers.
  std::vector<NodeT*> stack;
  if (kept != nullptr) stack = std::move(*kept);
  stack.clear();
  try {
    count_consumers_then_visit(root, stack, on_first_visit, visit);
  } catch (...) {
    reset_pending_consumers(root);
    throw;
  }
  if (kept != nullptr) *kept = std::move(stack);
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
