// The update rules, written once for any floating-point type so that scalar (double) and
// tensor (float) parameters share them.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>

namespace backflow::detail {

/// velocity = momentum * velocity + grad; data -= learning_rate * velocity.
template <class T>
void sgd_update(std::span<T> data, std::span<const T> grad, std::span<T> velocity, double learning_rate,
                double momentum) {
  const T lr = static_cast<T>(learning_rate);
  const T mu = static_cast<T>(momentum);
  for (std::size_t i = 0; i < data.size(); ++i) {
    velocity[i] = mu * velocity[i] + grad[i];
    data[i] -= lr * velocity[i];
  }
}

/// One Adam step (Kingma & Ba, Algorithm 1, with Keras' placement of epsilon).
/// `step` counts from 1.
template <class T>
void adam_update(std::span<T> data, std::span<const T> grad, std::span<T> mean, std::span<T> square_mean,
                 std::size_t step, double learning_rate, double beta1, double beta2, double epsilon) {
  const auto t = static_cast<double>(step);
  // Fold both bias corrections into the step size: lr * sqrt(1 - b2^t) / (1 - b1^t).
  const T step_size = static_cast<T>(learning_rate * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t)));
  const T b1 = static_cast<T>(beta1);
  const T b2 = static_cast<T>(beta2);
  const T eps = static_cast<T>(epsilon);
  for (std::size_t i = 0; i < data.size(); ++i) {
    mean[i] = b1 * mean[i] + (1 - b1) * grad[i];
    square_mean[i] = b2 * square_mean[i] + (1 - b2) * grad[i] * grad[i];
    data[i] -= step_size * mean[i] / (std::sqrt(square_mean[i]) + eps);
  }
}

}  // namespace backflow::detail
