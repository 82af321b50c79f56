// Reverse-mode autodiff over scalar graphs: order the nodes, then sweep them backward.
#include "../engine/topological_order.hpp"
#include "node.hpp"
#include "rules.hpp"

#include <fmt/format.h>

#include <cmath>

namespace backflow {

using detail::Node;

namespace {

std::vector<Value> as_values(const std::vector<Node*>& nodes) {
  std::vector<Value> values;
  values.reserve(nodes.size());
  for (Node* node : nodes) {
    detail::retain(node);
    values.push_back(Value::adopt(node));
  }
  return values;
}

double input_data(const Node* node, int slot) { return node->inputs[slot] != nullptr ? node->inputs[slot]->data : 0.0; }

}  // namespace

void Value::backward() const {
  detail::for_each_in_backward_order(
      node_,
      [](Node* node) {
        // Interior nodes hold this call's gradient: clear what an earlier call left there.
        // Leaves keep theirs and accumulate.
        if (node->op != Op::leaf) node->grad = 0.0;
      },
      [root = node_](Node* node) {
        // Every consumer of `node` has already added its share to node->grad.
        // Seed d(root)/d(root) = 1; a leaf root accumulates like any leaf.
        if (node == root) node->grad = node->op == Op::leaf ? node->grad + 1.0 : 1.0;
        if (node->op == Op::leaf) return;
        const double a = input_data(node, 0);
        const double b = input_data(node, 1);
        const auto local = detail::local_derivatives(node->op, a, b, node->data, detail::exponent_of(node));
        for (int slot = 0; slot < 2; ++slot) {
          if (node->inputs[slot] != nullptr) node->inputs[slot]->grad += local[slot] * node->grad;
        }
      },
      detail::kept_traversal_stack());
}

std::vector<Value> topological_order(const Value& root) { return as_values(detail::topological_order(root.node())); }

void zero_grad(const Value& root) {
  for (Node* node : detail::topological_order(root.node())) node->grad = 0.0;
}

std::optional<NonFiniteReport> find_first_nonfinite(const Value& root) {
  for (Node* node : detail::topological_order(root.node())) {
    if (std::isfinite(node->data)) continue;
    Value culprit = as_values({node}).front();
    std::string where = culprit.label().empty() ? std::string() : fmt::format(" (label '{}')", culprit.label());
    if (node->op == Op::leaf) {
      return NonFiniteReport{culprit, fmt::format("a leaf holds {}{}", node->data, where)};
    }
    std::string inputs;
    for (int slot = 0; slot < node->input_count(); ++slot) {
      inputs += fmt::format("{}{}", slot == 0 ? "" : ", ", node->inputs[slot]->data);
    }
    return NonFiniteReport{
        culprit, fmt::format("{} produced {} from input(s) {}{}", op_name(node->op), node->data, inputs, where)};
  }
  return std::nullopt;
}

}  // namespace backflow
