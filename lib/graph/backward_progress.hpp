// What is known at one moment of backward(): for the step-by-step frames, which gradients
// have arrived at each node by the time the node with a given backward_step is processed.
#pragma once

#include <backflow/graph.hpp>

#include <vector>

namespace backflow::detail {

enum class EdgeState { sent, sending, pending };

class BackwardProgress {
 public:
  /// The moment the node numbered `step` sends gradients to its inputs.
  /// Throws std::invalid_argument for a graph without gradients, or when no node has that step.
  BackwardProgress(const GraphView& graph, int step);

  int step() const { return step_; }
  GraphVertex current() const { return current_; }
  /// Whether the edge's consumer has already sent its gradient down it.
  EdgeState state(const GraphView& graph, GraphEdgeHandle edge) const;
  /// Sum of the gradients that have arrived so far (the output starts with its own).
  double known_grad(GraphVertex vertex) const { return known_[vertex]; }
  /// True once something has arrived; complete() once everything has.
  bool has_any(GraphVertex vertex) const { return arrived_[vertex] > 0; }
  bool complete(GraphVertex vertex) const { return arrived_[vertex] == expected_[vertex]; }

 private:
  int step_;
  GraphVertex current_ = 0;
  std::vector<double> known_;
  std::vector<std::size_t> arrived_;
  std::vector<std::size_t> expected_;
};

}  // namespace backflow::detail
