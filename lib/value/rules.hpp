// The scalar engine's one page of calculus: how each op computes its value (forward), and
// how much its output changes per unit change of each input (local_derivatives).
// backward() applies the second as input.grad += local * out.grad: the chain rule.
// Inline, because they run once per node on the hot path. The tables keep one rule a line,
// in columns (clang-format off).
#pragma once

#include <backflow/value.hpp>

#include <array>
#include <cmath>

namespace backflow::detail {

// out = op(a, b). `exponent` is used by pow_const only; unary ops ignore b.
inline double forward(Op op, double a, double b, double exponent) {
  // clang-format off
  switch (op) {
    case Op::leaf:      return a;
    case Op::add:       return a + b;
    case Op::sub:       return a - b;
    case Op::mul:       return a * b;
    case Op::div:       return a / b;
    case Op::neg:       return -a;
    case Op::pow_const: return std::pow(a, exponent);
    case Op::pow:       return std::pow(a, b);
    case Op::exp:       return std::exp(a);
    case Op::log:       return std::log(a);
    case Op::tanh:      return std::tanh(a);
    case Op::sigmoid:   return 1.0 / (1.0 + std::exp(-a));
    case Op::relu:      return a <= 0.0 ? 0.0 : a;  // NaN stays NaN, as in micrograd and PyTorch
  }
  // clang-format on
  return 0.0;
}

// The derivatives of the two power ops, out of line: they are rare in a graph, and keeping
// their special cases out of the loop that visits every node keeps that loop's code tight.
[[gnu::noinline]] inline std::array<double, 2> power_derivatives(Op op, double a, double b, double out,
                                                                 double exponent) {
  if (op == Op::pow_const) {
    // The power rule p a^(p-1); for p = 0 the output is the constant 1, so 0 (not
    // 0 * 0^-1 = NaN at a = 0).
    return {exponent == 0.0 ? 0.0 : exponent * std::pow(a, exponent - 1.0), 0.0};
  }
  // d/da a^b = b a^(b-1), 0 for b = 0 as above. d/db a^b = a^b ln a. At a = 0 with b >= 0
  // it is taken as 0, as PyTorch does (the limit for b > 0; a convention at b = 0). For
  // a < 0 it is NaN: ln a is undefined.
  return {b == 0.0 ? 0.0 : b * std::pow(a, b - 1.0), (a == 0.0 && b >= 0.0) ? 0.0 : out * std::log(a)};
}

// d(out)/d(a) and d(out)/d(b), given the inputs and the output already computed.
inline std::array<double, 2> local_derivatives(Op op, double a, double b, double out, double exponent) {
  // clang-format off
  switch (op) {
    case Op::leaf:      return {0.0, 0.0};
    case Op::add:       return {1.0, 1.0};
    case Op::sub:       return {1.0, -1.0};
    case Op::mul:       return {b, a};
    // -a / b^2 written as -out / b: b * b would underflow to 0 (or overflow) long before
    // the quotient does.
    case Op::div:       return {1.0 / b, -out / b};
    case Op::neg:       return {-1.0, 0.0};
    case Op::pow_const:
    case Op::pow:       return power_derivatives(op, a, b, out, exponent);
    case Op::exp:       return {out, 0.0};
    case Op::log:       return {1.0 / a, 0.0};
    case Op::tanh:      return {1.0 - out * out, 0.0};
    case Op::sigmoid:   return {out * (1.0 - out), 0.0};
    case Op::relu:      return {a <= 0.0 ? 0.0 : 1.0, 0.0};  // relu'(0) = 0, as in PyTorch
  }
  // clang-format on
  return {0.0, 0.0};
}

}  // namespace backflow::detail
