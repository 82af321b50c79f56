// softmax, log_softmax, the fused softmax cross-entropy, and mean squared error.
#include "tensor_node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace backflow {

using detail::TensorNode;

namespace detail {
namespace {

/// Throws unless `logits` is a matrix with at least one class per row (a softmax over no
/// classes has no value, and the max of an empty row does not exist).
void require_classes(std::string_view op, const Tensor& logits) {
  require_matrix(op, logits, "[rows, classes]");
  if (logits.shape()[1] == 0) {
    throw std::invalid_argument(fmt::format("backflow: {}: shape {} has no classes", op, to_string(logits.shape())));
  }
}

/// log_softmax of each row of z into out: z - max - log(sum(exp(z - max))).
void log_softmax_rows(const float* z, float* out, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* in = z + r * cols;
    float* o = out + r * cols;
    const float largest = *std::max_element(in, in + cols);
    float total = 0.0F;
    for (std::size_t c = 0; c < cols; ++c) total += std::exp(in[c] - largest);
    // Subtract the two parts separately: folding them into one shift (largest + log total)
    // rounds the small log away when the logits are large (1e4 and up), and every
    // probability comes out wrong by that rounding.
    const float log_total = std::log(total);
    for (std::size_t c = 0; c < cols; ++c) o[c] = (in[c] - largest) - log_total;
  }
}

}  // namespace

void softmax_losses_backward(TensorNode* out) {
  TensorNode* x = out->inputs[0];
  const float* g = grad_of(out);
  const float* y = out->data.data();
  switch (out->op) {
    case TensorOp::softmax: {
      if (!x->requires_grad()) return;
      // dx_j = y_j (g_j - sum_k g_k y_k), row by row.
      const std::size_t cols = x->shape[1];
      std::vector<float> dots(x->shape[0], 0.0F);
      for (std::size_t i = 0; i < x->size(); ++i) dots[i / cols] += g[i] * y[i];
      add_to_grad(x, [&](std::size_t i) { return y[i] * (g[i] - dots[i / cols]); });
      break;
    }
    case TensorOp::log_softmax: {
      if (!x->requires_grad()) return;
      // dx_j = g_j - softmax_j sum_k g_k.
      const std::size_t cols = x->shape[1];
      std::vector<float> sums(x->shape[0], 0.0F);
      for (std::size_t i = 0; i < x->size(); ++i) sums[i / cols] += g[i];
      add_to_grad(x, [&](std::size_t i) { return g[i] - std::exp(y[i]) * sums[i / cols]; });
      break;
    }
    case TensorOp::softmax_cross_entropy: {
      // d/dz = (softmax(z) * sum(t) - t) / rows. Each row's targets sum to 1 when they are
      // one-hot or a distribution, which leaves the famous "probabilities minus targets";
      // the general form keeps the gradient true for rows that do not.
      TensorNode* t = out->inputs[1];
      const float* log_p = out->saved.data();
      const float* targets = t->data.data();
      const std::size_t rows = x->shape[0];
      const std::size_t cols = x->shape[1];
      const float scale = g[0] / static_cast<float>(rows);
      if (x->requires_grad()) {
        std::vector<float> target_sums(rows, 0.0F);
        for (std::size_t i = 0; i < x->size(); ++i) target_sums[i / cols] += targets[i];
        add_to_grad(x,
                    [&](std::size_t i) { return (std::exp(log_p[i]) * target_sums[i / cols] - targets[i]) * scale; });
      }
      if (t->requires_grad()) {
        // d/dt = -log softmax(z) / rows; from the saved logarithms, exact even where the
        // probability itself underflows to 0.
        add_to_grad(t, [&](std::size_t i) { return -log_p[i] * scale; });
      }
      break;
    }
    case TensorOp::mse: {
      TensorNode* target = out->inputs[1];
      const float scale = 2.0F * g[0] / static_cast<float>(x->size());
      const float* a = x->data.data();
      const float* b = target->data.data();
      if (x->requires_grad()) add_to_grad(x, [&](std::size_t i) { return (a[i] - b[i]) * scale; });
      if (target->requires_grad()) add_to_grad(target, [&](std::size_t i) { return (b[i] - a[i]) * scale; });
      break;
    }
    default: break;
  }
}

}  // namespace detail

Tensor softmax(const Tensor& logits) {
  detail::require_classes("softmax", logits);
  Tensor result = Tensor::adopt(detail::make_tensor_node(logits.shape(), TensorOp::softmax, {logits.node()}));
  TensorNode* out = result.node();
  // exp(log softmax): the stable row pass (max subtracted, log-sum-exp) serves both ops.
  detail::log_softmax_rows(logits.node()->data.data(), out->data.data(), logits.shape()[0], logits.shape()[1]);
  for (float& v : out->data.span()) v = std::exp(v);
  return result;
}

Tensor log_softmax(const Tensor& logits) {
  detail::require_classes("log_softmax", logits);
  Tensor result = Tensor::adopt(detail::make_tensor_node(logits.shape(), TensorOp::log_softmax, {logits.node()}));
  TensorNode* out = result.node();
  detail::log_softmax_rows(logits.node()->data.data(), out->data.data(), logits.shape()[0], logits.shape()[1]);
  return result;
}

Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& targets) {
  detail::require_classes("softmax_cross_entropy", logits);
  if (targets.shape() != logits.shape()) {
    detail::shape_error("softmax_cross_entropy", logits.shape(), targets.shape(),
                        "targets need one row of class probabilities (one-hot) per row of logits");
  }
  if (logits.shape()[0] == 0) {
    throw std::invalid_argument("backflow: softmax_cross_entropy: no rows to average the loss over");
  }
  const std::size_t rows = logits.shape()[0];
  const std::size_t cols = logits.shape()[1];
  Tensor result =
      Tensor::adopt(detail::make_tensor_node({1}, TensorOp::softmax_cross_entropy, {logits.node(), targets.node()}));
  TensorNode* out = result.node();
  detail::Buffer log_probabilities(logits.size());
  detail::log_softmax_rows(logits.node()->data.data(), log_probabilities.data(), rows, cols);
  const float* t = targets.node()->data.data();
  double total = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i) total -= static_cast<double>(t[i]) * log_probabilities.data()[i];
  out->data.data()[0] = static_cast<float>(total / static_cast<double>(rows));
  if (out->requires_grad()) out->saved = std::move(log_probabilities);  // backward reads them
  return result;
}

Tensor mse(const Tensor& prediction, const Tensor& target) {
  if (prediction.shape() != target.shape()) {
    detail::shape_error("mse", prediction.shape(), target.shape(), "prediction and target need the same shape");
  }
  if (prediction.size() == 0) {
    throw std::invalid_argument(
        fmt::format("backflow: mse: the mean of no elements (shape {})", to_string(prediction.shape())));
  }
  Tensor result = Tensor::adopt(detail::make_tensor_node({1}, TensorOp::mse, {prediction.node(), target.node()}));
  TensorNode* out = result.node();
  const float* a = prediction.node()->data.data();
  const float* b = target.node()->data.data();
  double total = 0.0;
  for (std::size_t i = 0; i < prediction.size(); ++i) total += static_cast<double>(a[i] - b[i]) * (a[i] - b[i]);
  out->data.data()[0] = static_cast<float>(total / static_cast<double>(prediction.size()));
  return result;
}

}  // namespace backflow
