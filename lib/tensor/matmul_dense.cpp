// matmul and the fused dense layer op activation(x W + b), forward and backward.
#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"
#include "tensor_node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <utility>
#include <vector>

namespace backflow {

using detail::TensorNode;

namespace detail {
namespace {

void check_matmul(std::string_view op, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2) shape_error(op, a, b, "both must be 2-D");
  if (a[1] != b[0]) shape_error(op, a, b, fmt::format("{} != {}", a[1], b[0]));
}

/// row = activation(row + b), in place.
void bias_activation_row(DenseActivation activation, float* row, const float* b, std::size_t n) {
  switch (activation) {
    case DenseActivation::linear:
      for (std::size_t c = 0; c < n; ++c) row[c] += b[c];
      break;
    case DenseActivation::relu:
      for (std::size_t c = 0; c < n; ++c) row[c] = std::max(row[c] + b[c], 0.0F);
      break;
    case DenseActivation::sigmoid:
      for (std::size_t c = 0; c < n; ++c) row[c] = 1.0F / (1.0F + std::exp(-(row[c] + b[c])));
      break;
    case DenseActivation::tanh:
      for (std::size_t c = 0; c < n; ++c) row[c] = std::tanh(row[c] + b[c]);
      break;
  }
}

/// dz = g * activation'(z), from y = activation(z).
void activation_derivative_row(DenseActivation activation, const float* g, const float* y, float* dz, std::size_t n) {
  switch (activation) {
    case DenseActivation::linear:
      for (std::size_t c = 0; c < n; ++c) dz[c] = g[c];
      break;
    case DenseActivation::relu:
      // Both operands read unconditionally: the compiler then vectorises with a blend
      // instead of a branch that mispredicts on half the elements.
      for (std::size_t c = 0; c < n; ++c) {
        const float g_c = g[c];
        dz[c] = y[c] > 0.0F ? g_c : 0.0F;
      }
      break;
    case DenseActivation::sigmoid:
      for (std::size_t c = 0; c < n; ++c) dz[c] = g[c] * y[c] * (1.0F - y[c]);
      break;
    case DenseActivation::tanh:
      for (std::size_t c = 0; c < n; ++c) dz[c] = g[c] * (1.0F - y[c] * y[c]);
      break;
  }
}

}  // namespace

/// d/dA = G B^T, d/dB = A^T G, for C = A B where G is C's gradient. Inputs that need no
/// gradient (the data batch) cost nothing.
void matmul_backward_into(TensorNode* a, TensorNode* b, const float* g, std::size_t m, std::size_t n, std::size_t k) {
  if (a->requires_grad()) {
    const GradSink sink = grad_sink(a);
    gemm(false, true, m, k, n, g, b->data.data(), sink.values, sink.accumulate);
  }
  if (b->requires_grad()) {
    const GradSink sink = grad_sink(b);
    gemm(true, false, k, n, m, a->data.data(), g, sink.values, sink.accumulate);
  }
}

void matmul_backward(TensorNode* out) {
  TensorNode* a = out->inputs[0];
  TensorNode* b = out->inputs[1];
  matmul_backward_into(a, b, grad_of(out), a->shape[0], b->shape[1], a->shape[1]);
}

namespace {

/// dz = dy * activation'(z) for every row, computed from y (the activation's output), and
/// the column sums of dz (the bias gradient) in the same pass; rows split over the threads.
std::vector<float> activation_gradient_and_column_sums(const TensorNode* out, const float* g, float* dz) {
  const std::size_t m = out->shape[0];
  const std::size_t n = out->shape[1];
  const float* y = out->data.data();
  // Each piece sums its own rows; the pieces' sums are then added in row order, not in the
  // order the threads finish, so that every run gives the same bits (float addition is not
  // associative).
  std::vector<std::pair<std::size_t, std::vector<float>>> piece_sums;  // (first row, sums)
  std::mutex piece_sums_mutex;
  parallel_for(m, rows_per_thread(n), [&](std::size_t begin, std::size_t end) {
    std::vector<float> partial(n, 0.0F);
    for (std::size_t r = begin; r < end; ++r) {
      activation_derivative_row(out->activation, g + r * n, y + r * n, dz + r * n, n);
      for (std::size_t c = 0; c < n; ++c) partial[c] += dz[r * n + c];
    }
    std::lock_guard lock(piece_sums_mutex);
    piece_sums.emplace_back(begin, std::move(partial));
  });
  std::ranges::sort(piece_sums, {}, &std::pair<std::size_t, std::vector<float>>::first);
  std::vector<float> column_sums(n, 0.0F);
  for (const auto& piece : piece_sums) {
    for (std::size_t c = 0; c < n; ++c) column_sums[c] += piece.second[c];
  }
  return column_sums;
}

}  // namespace

void dense_backward(TensorNode* out) {
  TensorNode* x = out->inputs[0];
  TensorNode* w = out->inputs[1];
  TensorNode* b = out->inputs[2];
  const std::size_t m = x->shape[0];
  const std::size_t k = x->shape[1];
  const std::size_t n = w->shape[1];
  thread_local std::vector<float> dz_buffer;
  dz_buffer.resize(m * n);
  float* dz = dz_buffer.data();  // a plain pointer: inside the workers, dz_buffer is theirs
  const std::vector<float> column_sums = activation_gradient_and_column_sums(out, grad_of(out), dz);
  if (b->requires_grad()) add_to_grad(b, [&](std::size_t c) { return column_sums[c]; });
  matmul_backward_into(x, w, dz, m, n, k);
}

}  // namespace detail

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::check_matmul("matmul", a.shape(), b.shape());
  const std::size_t m = a.shape()[0];
  const std::size_t k = a.shape()[1];
  const std::size_t n = b.shape()[1];
  Tensor result = Tensor::adopt(detail::make_tensor_node({m, n}, TensorOp::matmul, {a.node(), b.node()}));
  TensorNode* out = result.node();
  detail::gemm(false, false, m, n, k, a.node()->data.data(), b.node()->data.data(), out->data.data(), false);
  return result;
}

Tensor dense(const Tensor& x, const Tensor& weights, const Tensor& bias, DenseActivation activation) {
  detail::check_matmul("dense", x.shape(), weights.shape());
  const std::size_t m = x.shape()[0];
  const std::size_t k = x.shape()[1];
  const std::size_t n = weights.shape()[1];
  if (bias.size() != n)
    detail::shape_error("dense (bias)", weights.shape(), bias.shape(), "the bias needs one value per output column");
  Tensor result =
      Tensor::adopt(detail::make_tensor_node({m, n}, TensorOp::dense, {x.node(), weights.node(), bias.node()}));
  TensorNode* out = result.node();
  out->activation = activation;
  float* z = out->data.data();
  detail::gemm(false, false, m, n, k, x.node()->data.data(), weights.node()->data.data(), z, false);
  // Bias and activation in the same pass over the output; rows split over the threads.
  const float* b = bias.node()->data.data();
  detail::parallel_for(m, detail::rows_per_thread(n), [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) detail::bias_activation_row(activation, z + r * n, b, n);
  });
  return result;
}

}  // namespace backflow
