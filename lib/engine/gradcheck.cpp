#include <backflow/gradcheck.hpp>

#include <algorithm>
#include <cmath>

namespace backflow {
namespace {

std::vector<Value> leaves_at(const std::vector<double>& point) { return {point.begin(), point.end()}; }

void record(GradientCheck& check, double analytic, double numeric) {
  // A NaN on either side must fail the check, so it counts as an infinite error.
  double error = std::abs(analytic - numeric);
  if (std::isnan(error)) error = INFINITY;
  const double scale = std::max({1.0, std::abs(analytic), std::abs(numeric)});
  check.analytic.push_back(analytic);
  check.numeric.push_back(numeric);
  check.max_abs_error = std::max(check.max_abs_error, error);
  // inf / inf would be NaN, which std::max drops: an infinite error is infinitely relative too.
  const double relative = std::isinf(error) ? INFINITY : error / scale;
  check.max_rel_error = std::max(check.max_rel_error, relative);
}

}  // namespace

GradientCheck check_gradients(const std::function<Value(const std::vector<Value>&)>& f,
                              const std::vector<double>& point, double step) {
  GradientCheck check;
  const std::vector<Value> inputs = leaves_at(point);
  f(inputs).backward();
  for (std::size_t i = 0; i < point.size(); ++i) {
    // Divide by the distance between the points actually evaluated: point +- step rounds,
    // and at 1e5 that rounding alone is a relative error of 1e-5.
    std::vector<double> shifted = point;
    const double high = point[i] + step;
    const double low = point[i] - step;
    shifted[i] = high;
    const double above = f(leaves_at(shifted)).data();
    shifted[i] = low;
    const double below = f(leaves_at(shifted)).data();
    record(check, inputs[i].grad(), (above - below) / (high - low));
  }
  return check;
}

GradientCheck check_tensor_gradients(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     const std::vector<Tensor>& inputs, double step) {
  GradientCheck check;
  for (const Tensor& input : inputs) input.zero_grad();
  f(inputs).backward();
  for (const Tensor& input : inputs) {
    if (!input.requires_grad()) continue;
    const std::vector<float> analytic(input.grad().begin(), input.grad().end());
    for (std::size_t i = 0; i < input.size(); ++i) {
      const float original = input.data()[i];
      const auto high = static_cast<float>(original + step);  // float rounding moves these
      const auto low = static_cast<float>(original - step);   // much more: divide by what they are
      input.data()[i] = high;
      const double above = f(inputs).item();
      input.data()[i] = low;
      const double below = f(inputs).item();
      input.data()[i] = original;
      record(check, analytic[i], (above - below) / (static_cast<double>(high) - static_cast<double>(low)));
    }
  }
  return check;
}

}  // namespace backflow
