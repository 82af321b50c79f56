// The tensor engine's GraphView: one vertex per tensor node, summarised as shape, mean and
// gradient norm, so the same DOT writer, frames and statistics draw tensor graphs.
#include "graph_view_builder.hpp"

#include <backflow/dot.hpp>
#include <backflow/graph.hpp>
#include <backflow/tensor.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace backflow {
namespace {

double mean_of(std::span<const float> values) {
  double total = 0.0;
  for (float v : values) total += v;
  return values.empty() ? 0.0 : total / static_cast<double>(values.size());
}

double norm_of(std::span<const float> values) {
  double total = 0.0;
  for (float v : values) total += static_cast<double>(v) * v;
  return std::sqrt(total);
}

NodeRole role_of(const Tensor& node, bool is_root) {
  if (is_root) return NodeRole::output;
  if (!node.inputs().empty()) return NodeRole::intermediate;
  if (node.is_parameter()) return NodeRole::parameter;
  if (node.size() == 1 && !node.requires_grad()) return NodeRole::constant;
  return NodeRole::input;
}

std::string op_text(const Tensor& node) {
  switch (node.op()) {
    case TensorOp::dense: {
      static constexpr const char* activations[] = {"", " relu", " sigmoid", " tanh"};
      return fmt::format("dense{}", activations[static_cast<int>(node.dense_activation())]);
    }
    case TensorOp::sum_axis: return fmt::format("sum(axis {})", node.axis());
    case TensorOp::mean_axis: return fmt::format("mean(axis {})", node.axis());
    default: return std::string(op_name(node.op()));
  }
}

// The gradient's norm, or 0 for a tensor that needs none (reading grad() would allocate).
double grad_norm(const Tensor& node) { return node.requires_grad() ? norm_of(node.grad()) : 0.0; }

GraphNode describe(const Tensor& node, bool is_root, int backward_step) {
  GraphNode vertex;
  // A result made under NoGradGuard has no inputs but still names its op.
  vertex.op = node.op() == TensorOp::leaf ? "leaf" : op_text(node);
  vertex.label = std::string(node.label());
  vertex.value = node.size() == 1 ? node.data()[0] : mean_of(node.data());
  vertex.value_text = node.size() == 1
                          ? format_number(vertex.value)
                          : fmt::format("{} mean {}", to_string(node.shape()), format_number(vertex.value));
  vertex.grad = node.size() == 1 && node.requires_grad() ? node.grad()[0] : grad_norm(node);
  if (!node.requires_grad()) {
    vertex.grad_text = "not needed";  // data fed in: backward computes nothing for it
  } else {
    vertex.grad_text =
        node.size() == 1 ? format_number(vertex.grad) : fmt::format("|g| {}", format_number(vertex.grad));
  }
  vertex.scope = std::string(node.scope());
  vertex.role = role_of(node, is_root);
  vertex.backward_step = backward_step;
  vertex.id = node.id();
  return vertex;
}

}  // namespace

GraphView make_graph_view(const Tensor& root) {
  const std::vector<Tensor> order = topological_order(root);
  std::unordered_map<std::uintptr_t, int> uses;
  for (const Tensor& node : order) {
    for (const Tensor& input : node.inputs()) ++uses[input.id()];
  }
  GraphView graph = detail::build_graph_view(
      order,
      [](const Tensor& node, bool is_root, int backward_step) {
        // backward() skips what needs no gradient: those nodes get no step number.
        return describe(node, is_root, node.requires_grad() ? backward_step : -1);
      },
      [&uses](const Tensor& /*consumer*/, const std::vector<Tensor>& inputs, std::size_t slot) {
        // An edge carries the input's whole gradient when it is the input's only use; with
        // several uses the gradient is their sum, and the edge says so.
        const Tensor& input = inputs[slot];
        GraphEdge edge;
        edge.input_slot = static_cast<int>(slot);
        edge.grad = grad_norm(input);
        if (input.requires_grad()) {
          edge.grad_text = fmt::format("{}|g| {}", uses[input.id()] > 1 ? "sum " : "", format_number(edge.grad));
        }
        return edge;
      });
  // Any element, not the first: an empty root has none, a vector root may have a 0 first.
  graph[boost::graph_bundle].has_gradients =
      root.requires_grad() && std::ranges::any_of(root.grad(), [](float g) { return g != 0.0F; });
  graph[boost::graph_bundle].edge_grads_add_up = false;
  return graph;
}

std::string to_dot(const Tensor& root, const DotOptions& options) { return to_dot(make_graph_view(root), options); }

void render(const Tensor& root, const std::filesystem::path& file, const DotOptions& options) {
  render(make_graph_view(root), file, options);
}

}  // namespace backflow
