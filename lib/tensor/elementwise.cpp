// Elementwise ops, forward and backward side by side. Binary ops broadcast a row ([n] or
// [1, n] against [m, n]) or a single element on either side.
#include "tensor_node.hpp"

#include <cmath>

namespace backflow {

using detail::TensorNode;

namespace detail {
namespace {

/// How an operand's elements line up with the output's: one each, one per column, or one.
enum class Broadcast { none, row, scalar };

Broadcast broadcast_of(const TensorNode* operand, const TensorNode* output) {
  if (operand->shape == output->shape) return Broadcast::none;
  return operand->size() == 1 ? Broadcast::scalar : Broadcast::row;
}

std::size_t columns(const Shape& shape) { return shape.empty() ? 1 : shape.back(); }

// A row never has more dimensions than the shape it is copied across: numpy would give the
// result the row's extra leading 1s, and dropping them silently would hide a mistake.
bool is_row_of(const Shape& row, const Shape& full) {
  if (full.size() < 2 || row.empty() || row.size() > full.size() || row.back() != full.back()) return false;
  std::size_t leading = 1;
  for (std::size_t i = 0; i + 1 < row.size(); ++i) leading *= row[i];
  return leading == 1;
}

/// The output shape of a binary elementwise op, or a shape error naming both shapes.
Shape broadcast_shape(std::string_view op, const Shape& a, const Shape& b) {
  std::size_t a_size = 1;
  std::size_t b_size = 1;
  for (std::size_t d : a) a_size *= d;
  for (std::size_t d : b) b_size *= d;
  if (a == b || (b_size == 1 && b.size() <= a.size()) || is_row_of(b, a)) return a;
  if ((a_size == 1 && a.size() <= b.size()) || is_row_of(a, b)) return b;
  shape_error(op, a, b,
              "elementwise ops need equal shapes, a row [n] against [m, n], or one element, "
              "with no more dimensions than the other operand");
}

/// out[i] = f(a[ia], b[ib]) with the broadcast index mapping.
template <class F>
void binary_forward(TensorNode* out, const TensorNode* a, const TensorNode* b, F f) {
  const float* x = a->data.data();
  const float* y = b->data.data();
  float* z = out->data.data();
  const std::size_t n = out->size();
  const std::size_t cols = columns(out->shape);
  const Broadcast ba = broadcast_of(a, out);
  const Broadcast bb = broadcast_of(b, out);
  if (ba == Broadcast::none && bb == Broadcast::none) {
    for (std::size_t i = 0; i < n; ++i) z[i] = f(x[i], y[i]);
    return;
  }
  for (std::size_t start = 0; start < n; start += cols) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = start + c;
      const float xa = ba == Broadcast::none ? x[i] : ba == Broadcast::row ? x[c] : x[0];
      const float yb = bb == Broadcast::none ? y[i] : bb == Broadcast::row ? y[c] : y[0];
      z[i] = f(xa, yb);
    }
  }
}

/// Adds d(out)/d(operand) * out.grad into operand's gradient, summing over broadcast
/// copies. local(i) is the local derivative at output element i. Unary ops use it too:
/// an operand with out's shape is the case without broadcasting.
template <class Local>
void send_gradient_to(TensorNode* out, TensorNode* operand, Local local) {
  if (operand == nullptr || !operand->requires_grad()) return;
  const float* g = grad_of(out);
  const Broadcast kind = broadcast_of(operand, out);
  if (kind == Broadcast::none) {
    add_to_grad(operand, [&](std::size_t i) { return local(i) * g[i]; });
    return;
  }
  // Several output elements came from each operand element: their gradients add up.
  std::vector<float> total(operand->size(), 0.0F);
  const std::size_t cols = columns(out->shape);
  for (std::size_t i = 0; i < out->size(); ++i) {
    total[kind == Broadcast::row ? i % cols : 0] += local(i) * g[i];
  }
  add_to_grad(operand, [&](std::size_t i) { return total[i]; });
}

Tensor binary(TensorOp op, std::string_view name, const Tensor& a, const Tensor& b) {
  Tensor result =
      Tensor::adopt(make_tensor_node(broadcast_shape(name, a.shape(), b.shape()), op, {a.node(), b.node()}));
  TensorNode* out = result.node();
  const TensorNode* x = a.node();
  const TensorNode* y = b.node();
  switch (op) {
    case TensorOp::add: binary_forward(out, x, y, [](float p, float q) { return p + q; }); break;
    case TensorOp::sub: binary_forward(out, x, y, [](float p, float q) { return p - q; }); break;
    case TensorOp::mul: binary_forward(out, x, y, [](float p, float q) { return p * q; }); break;
    case TensorOp::div: binary_forward(out, x, y, [](float p, float q) { return p / q; }); break;
    default: break;
  }
  return result;
}

template <class F>
Tensor unary(TensorOp op, const Tensor& x, F f) {
  Tensor result = Tensor::adopt(make_tensor_node(x.shape(), op, {x.node()}));
  TensorNode* out = result.node();
  const float* in = x.node()->data.data();
  float* z = out->data.data();
  for (std::size_t i = 0; i < out->size(); ++i) z[i] = f(in[i]);
  return result;
}

}  // namespace

/// Backward rules of the elementwise ops: d(out)/d(input) per element.
void elementwise_backward(TensorNode* out) {
  TensorNode* a = out->inputs[0];
  TensorNode* b = out->inputs[1];
  const std::size_t cols = columns(out->shape);
  // The value of an operand at output element i, following its broadcast.
  auto value = [&](const TensorNode* operand, std::size_t i) {
    const Broadcast kind = broadcast_of(operand, out);
    const float* v = operand->data.data();
    return kind == Broadcast::none ? v[i] : kind == Broadcast::row ? v[i % cols] : v[0];
  };
  const float* y = out->data.data();
  switch (out->op) {
    case TensorOp::add:
      send_gradient_to(out, a, [](std::size_t) { return 1.0F; });
      send_gradient_to(out, b, [](std::size_t) { return 1.0F; });
      break;
    case TensorOp::sub:
      send_gradient_to(out, a, [](std::size_t) { return 1.0F; });
      send_gradient_to(out, b, [](std::size_t) { return -1.0F; });
      break;
    case TensorOp::mul:
      send_gradient_to(out, a, [&](std::size_t i) { return value(b, i); });
      send_gradient_to(out, b, [&](std::size_t i) { return value(a, i); });
      break;
    case TensorOp::div:
      send_gradient_to(out, a, [&](std::size_t i) { return 1.0F / value(b, i); });
      send_gradient_to(out, b, [&](std::size_t i) { return -y[i] / value(b, i); });  // -a/b^2 = -out/b
      break;
    case TensorOp::neg: send_gradient_to(out, a, [](std::size_t) { return -1.0F; }); break;
    case TensorOp::exp: send_gradient_to(out, a, [&](std::size_t i) { return y[i]; }); break;
    case TensorOp::log: send_gradient_to(out, a, [&](std::size_t i) { return 1.0F / value(a, i); }); break;
    case TensorOp::relu: send_gradient_to(out, a, [&](std::size_t i) { return y[i] <= 0.0F ? 0.0F : 1.0F; }); break;
    case TensorOp::sigmoid: send_gradient_to(out, a, [&](std::size_t i) { return y[i] * (1.0F - y[i]); }); break;
    case TensorOp::tanh: send_gradient_to(out, a, [&](std::size_t i) { return 1.0F - y[i] * y[i]; }); break;
    default: break;
  }
}

}  // namespace detail

Tensor operator+(const Tensor& a, const Tensor& b) { return detail::binary(TensorOp::add, "+", a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return detail::binary(TensorOp::sub, "-", a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return detail::binary(TensorOp::mul, "*", a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return detail::binary(TensorOp::div, "/", a, b); }
Tensor operator-(const Tensor& a) {
  return detail::unary(TensorOp::neg, a, [](float x) { return -x; });
}

Tensor exp(const Tensor& x) {
  return detail::unary(TensorOp::exp, x, [](float v) { return std::exp(v); });
}
Tensor log(const Tensor& x) {
  return detail::unary(TensorOp::log, x, [](float v) { return std::log(v); });
}
// NaN stays NaN (v <= 0 is false for it), so a diverging run shows in the loss.
Tensor relu(const Tensor& x) {
  return detail::unary(TensorOp::relu, x, [](float v) { return v <= 0.0F ? 0.0F : v; });
}
Tensor sigmoid(const Tensor& x) {
  return detail::unary(TensorOp::sigmoid, x, [](float v) { return 1.0F / (1.0F + std::exp(-v)); });
}
Tensor tanh(const Tensor& x) {
  return detail::unary(TensorOp::tanh, x, [](float v) { return std::tanh(v); });
}

}  // namespace backflow
