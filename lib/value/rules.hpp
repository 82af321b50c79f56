// The scalar engine's one page of calculus: how each op computes its value, and how much
// its output changes per unit change of each input.
#pragma once

#include <backflow/value.hpp>

#include <array>

namespace backflow::detail {

/// out = op(a, b). `exponent` is used by pow_const only; unary ops ignore b.
double forward(Op op, double a, double b, double exponent);

/// d(out)/d(a) and d(out)/d(b), given the inputs and the output already computed.
/// backward() applies them as input.grad += local * out.grad (the chain rule).
std::array<double, 2> local_derivatives(Op op, double a, double b, double out, double exponent);

}  // namespace backflow::detail
