#include <backflow/gradcheck.hpp>

#include <algorithm>
#include <cmath>

namespace backflow {
namespace {

std::vector<Value> leaves_at(const std::vector<double>& point) {
  return {point.begin(), point.end()};
}

}  // namespace

GradientCheck check_gradients(const std::function<Value(const std::vector<Value>&)>& f,
                              const std::vector<double>& point, double step) {
  GradientCheck check;
  const std::vector<Value> inputs = leaves_at(point);
  f(inputs).backward();
  for (const Value& input : inputs) check.analytic.push_back(input.grad());

  for (std::size_t i = 0; i < point.size(); ++i) {
    std::vector<double> shifted = point;
    shifted[i] = point[i] + step;
    const double above = f(leaves_at(shifted)).data();
    shifted[i] = point[i] - step;
    const double below = f(leaves_at(shifted)).data();
    const double numeric = (above - below) / (2.0 * step);
    check.numeric.push_back(numeric);

    // A NaN on either side must fail the check, so it counts as an infinite error.
    double error = std::abs(check.analytic[i] - numeric);
    if (std::isnan(error)) error = INFINITY;
    const double scale = std::max({1.0, std::abs(check.analytic[i]), std::abs(numeric)});
    check.max_abs_error = std::max(check.max_abs_error, error);
    check.max_rel_error = std::max(check.max_rel_error, error / scale);
  }
  return check;
}

}  // namespace backflow
