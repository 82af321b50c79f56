// Reductions (sum, mean; all or along an axis) and shape ops (reshape, transpose),
// forward and backward side by side.
#include "tensor_node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace backflow {

using detail::TensorNode;

namespace detail {

void reduce_reshape_backward(TensorNode* out) {
  TensorNode* x = out->inputs[0];
  if (!x->requires_grad()) return;
  const float* g = grad_of(out);
  switch (out->op) {
    case TensorOp::sum: add_to_grad(x, [&](std::size_t) { return g[0]; }); break;
    case TensorOp::mean: {
      const float scale = 1.0F / static_cast<float>(x->size());
      add_to_grad(x, [&](std::size_t) { return g[0] * scale; });
      break;
    }
    case TensorOp::sum_axis:
    case TensorOp::mean_axis: {
      const std::size_t cols = x->shape[1];
      const float scale = out->op == TensorOp::mean_axis ? 1.0F / static_cast<float>(x->shape[out->axis]) : 1.0F;
      // Element (r, c) of x fed output c (axis 0) or r (axis 1).
      if (out->axis == 0) {
        add_to_grad(x, [&](std::size_t i) { return g[i % cols] * scale; });
      } else {
        add_to_grad(x, [&](std::size_t i) { return g[i / cols] * scale; });
      }
      break;
    }
    case TensorOp::reshape: add_to_grad(x, [&](std::size_t i) { return g[i]; }); break;
    case TensorOp::transpose: {
      const std::size_t rows = x->shape[0];
      const std::size_t cols = x->shape[1];
      // x(r, c) became out(c, r).
      add_to_grad(x, [&](std::size_t i) { return g[(i % cols) * rows + i / cols]; });
      break;
    }
    default: break;
  }
}

}  // namespace detail

Tensor sum(const Tensor& x) {
  Tensor result = Tensor::adopt(detail::make_tensor_node({1}, TensorOp::sum, {x.node()}));
  TensorNode* out = result.node();
  double total = 0.0;  // double: a float running sum loses digits over millions of terms
  for (float v : x.data()) total += v;
  out->data.data()[0] = static_cast<float>(total);
  return result;
}

Tensor mean(const Tensor& x) {
  if (x.size() == 0) {
    throw std::invalid_argument(
        fmt::format("backflow: mean: the mean of no elements (shape {})", to_string(x.shape())));
  }
  Tensor result = Tensor::adopt(detail::make_tensor_node({1}, TensorOp::mean, {x.node()}));
  TensorNode* out = result.node();
  double total = 0.0;
  for (float v : x.data()) total += v;
  out->data.data()[0] = static_cast<float>(total / static_cast<double>(x.size()));
  return result;
}

namespace {

Tensor reduce_axis(const Tensor& x, std::size_t axis, TensorOp op) {
  const char* name = op == TensorOp::sum_axis ? "sum(axis)" : "mean(axis)";
  detail::require_matrix(name, x);
  if (axis > 1) throw std::invalid_argument(fmt::format("backflow: {}: axis {} of a 2-D tensor", name, axis));
  const std::size_t rows = x.shape()[0];
  const std::size_t cols = x.shape()[1];
  if (op == TensorOp::mean_axis && x.shape()[axis] == 0) {
    throw std::invalid_argument(
        fmt::format("backflow: {}: axis {} of shape {} has no elements to average", name, axis, to_string(x.shape())));
  }
  Tensor result = Tensor::adopt(detail::make_tensor_node({axis == 0 ? cols : rows}, op, {x.node()}));
  TensorNode* out = result.node();
  out->axis = axis;
  float* z = out->data.data();
  std::fill_n(z, out->size(), 0.0F);
  const float* v = x.node()->data.data();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) z[axis == 0 ? c : r] += v[r * cols + c];
  }
  if (op == TensorOp::mean_axis) {
    const float scale = 1.0F / static_cast<float>(axis == 0 ? rows : cols);
    for (std::size_t i = 0; i < out->size(); ++i) z[i] *= scale;
  }
  return result;
}

}  // namespace

Tensor sum(const Tensor& x, std::size_t axis) { return reduce_axis(x, axis, TensorOp::sum_axis); }
Tensor mean(const Tensor& x, std::size_t axis) { return reduce_axis(x, axis, TensorOp::mean_axis); }

Tensor reshape(const Tensor& x, Shape shape) {
  if (detail::element_count(shape) != x.size())
    detail::shape_error("reshape", x.shape(), shape, "the element counts differ");
  Tensor result = Tensor::adopt(detail::make_tensor_node(std::move(shape), TensorOp::reshape, {x.node()}));
  TensorNode* out = result.node();
  std::copy_n(x.node()->data.data(), x.size(), out->data.data());
  return result;
}

Tensor transpose(const Tensor& x) {
  detail::require_matrix("transpose", x);
  const std::size_t rows = x.shape()[0];
  const std::size_t cols = x.shape()[1];
  Tensor result = Tensor::adopt(detail::make_tensor_node({cols, rows}, TensorOp::transpose, {x.node()}));
  TensorNode* out = result.node();
  const float* v = x.node()->data.data();
  float* z = out->data.data();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) z[c * rows + r] = v[r * cols + c];
  }
  return result;
}

}  // namespace backflow
