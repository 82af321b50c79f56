// backflow/gradcheck.hpp: compare autodiff's gradients with central differences.
#pragma once

#include <backflow/tensor.hpp>
#include <backflow/value.hpp>

#include <functional>
#include <vector>

namespace backflow {

/// What check_gradients() found for each input.
struct GradientCheck {
  std::vector<double> analytic;  ///< from backward()
  std::vector<double> numeric;   ///< (f(x + h) - f(x - h)) / 2h
  double max_abs_error = 0.0;    ///< largest |analytic - numeric|
  /// largest |analytic - numeric| / max(1, |analytic|, |numeric|); infinite whenever either
  /// side is NaN or infinite
  double max_rel_error = 0.0;

  /// True when every input agrees within `tolerance` (relative, absolute near 0).
  bool passed(double tolerance = 1e-6) const { return max_rel_error <= tolerance; }
};

/// Evaluates f at `point` with autodiff and with central differences of step `step`, input
/// by input. f must build a fresh graph from the leaves it is given each time it is called.
GradientCheck check_gradients(const std::function<Value(const std::vector<Value>&)>& f,
                              const std::vector<double>& point, double step = 1e-6);

/// The same for tensors: f maps `inputs` to a one-element tensor; every element of every
/// input that requires a gradient is perturbed in turn (in float32, so use a larger step
/// and a looser tolerance, e.g. 1e-2 and 1e-3). Results are listed input by input.
GradientCheck check_tensor_gradients(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     const std::vector<Tensor>& inputs, double step = 1e-2);

}  // namespace backflow
