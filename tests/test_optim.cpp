// SGD and Adam: steps by hand, the float tensor kernels against the same rules in double, and
// convergence on a bowl.
#include <backflow/optim.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

using backflow::Tensor;
using backflow::Value;

namespace {

// More elements than one thread's share of a tensor update (64 Ki), and a handful.
constexpr std::size_t large_count = 3 * 65536 + 7;
constexpr std::size_t small_count = 5;

// The gradient of element i at a step: magnitudes from 1 down to 1e-8, changing from step to
// step but never in sign, so every weight moves away from 0 one way (and a relative
// comparison stays meaningful).
float gradient_at(std::size_t i, int step) {
  const double magnitude = std::pow(10.0, -static_cast<double>(i % 9)) * (1.0 + 0.5 * step);
  return static_cast<float>(std::sin(static_cast<double>(i) + 0.5) * magnitude);
}

// Steps `optimizer` over `weights` with gradient_at() as the gradient.
void train_tensor(backflow::Optimizer& optimizer, const backflow::Tensor& weights, int steps) {
  for (int step = 0; step < steps; ++step) {
    std::vector<float> slope(weights.size());
    for (std::size_t i = 0; i < slope.size(); ++i) slope[i] = gradient_at(i, step);
    optimizer.zero_grad();
    backflow::sum(weights * backflow::Tensor(weights.shape(), slope)).backward();  // d/dw = slope
    optimizer.step();
  }
}

// The same for scalar parameters.
void train_values(backflow::Optimizer& optimizer, const std::vector<Value>& weights, int steps) {
  for (int step = 0; step < steps; ++step) {
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i].set_grad(gradient_at(i, step));
    optimizer.step();
  }
}

// SGD from weights of 0, by hand in double.
std::vector<double> sgd_reference(std::size_t count, double learning_rate, double momentum, int steps) {
  std::vector<double> weights(count, 0.0);
  std::vector<double> velocity(count, 0.0);
  for (int step = 0; step < steps; ++step) {
    for (std::size_t i = 0; i < count; ++i) {
      velocity[i] = momentum * velocity[i] + gradient_at(i, step);
      weights[i] -= learning_rate * velocity[i];
    }
  }
  return weights;
}

// Adam from weights of 0, by hand in double, epsilon placed as Keras does.
std::vector<double> adam_reference(std::size_t count, const backflow::AdamOptions& options, int steps) {
  std::vector<double> weights(count, 0.0);
  std::vector<double> mean(count, 0.0);
  std::vector<double> square_mean(count, 0.0);
  for (int t = 1; t <= steps; ++t) {
    const double step_size =
        options.learning_rate * std::sqrt(1 - std::pow(options.beta2, t)) / (1 - std::pow(options.beta1, t));
    for (std::size_t i = 0; i < count; ++i) {
      const double g = gradient_at(i, t - 1);
      mean[i] = options.beta1 * mean[i] + (1 - options.beta1) * g;
      square_mean[i] = options.beta2 * square_mean[i] + (1 - options.beta2) * g * g;
      weights[i] -= step_size * mean[i] / (std::sqrt(square_mean[i]) + options.epsilon);
    }
  }
  return weights;
}

// How many of `got` are further than `tolerance` (relative) from `expected`.
template <class T>
std::size_t mismatches(std::span<const T> got, const std::vector<double>& expected, double tolerance) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::abs(static_cast<double>(got[i]) - expected[i]) > tolerance * std::abs(expected[i])) ++count;
  }
  return count;
}

std::vector<double> data_of(const std::vector<Value>& values) {
  std::vector<double> data;
  for (const Value& v : values) data.push_back(v.data());
  return data;
}

}  // namespace

TEST_CASE("settings that would silently ruin the weights are refused where they are given") {
  Value w = 2.0;
  const Tensor t({2}, {1.0F, 2.0F}, true);
  auto adam_with = [&](backflow::AdamOptions options) { return backflow::Adam({w}, options); };
  // beta = 1 divides by 1 - beta^t = 0; epsilon = 0 divides 0 by 0 where a gradient stayed 0.
  CHECK_THROWS_WITH_AS(adam_with({.beta1 = 1.0}), doctest::Contains("Adam's beta1 must be in [0, 1), got 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(adam_with({.beta2 = -0.5}), doctest::Contains("Adam's beta2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(adam_with({.epsilon = 0.0}), doctest::Contains("Adam's epsilon"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(adam_with({.learning_rate = -0.1}), doctest::Contains("the learning rate must be"),
                       std::invalid_argument);
  CHECK_THROWS_AS(backflow::Adam(std::vector<Tensor>{t}, {.learning_rate = std::nan("")}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::SGD({w}, 0.1, -0.9), doctest::Contains("SGD's momentum"), std::invalid_argument);
  // A parameter listed twice would be moved twice each step.
  CHECK_THROWS_WITH_AS(backflow::SGD({w, w}, 0.1), doctest::Contains("the same parameter twice (at 0 and 1)"),
                       std::invalid_argument);
  CHECK_THROWS_AS(backflow::Adam(std::vector<Tensor>{t, t}), std::invalid_argument);
  // Every setting is checked before the parameter list, as PyTorch does.
  CHECK_THROWS_WITH_AS(backflow::SGD({w, w}, 0.1, -0.9), doctest::Contains("SGD's momentum"), std::invalid_argument);
  backflow::SGD sgd({w}, 0.1);
  CHECK_THROWS_AS(sgd.set_learning_rate(-1.0), std::invalid_argument);
  CHECK(sgd.learning_rate() == 0.1);          // unchanged
  CHECK_NOTHROW(sgd.set_learning_rate(0.0));  // allowed, as in PyTorch: the weights stand still
}

TEST_CASE("one SGD step moves against the gradient") {
  Value w = 2.0;
  backflow::SGD sgd({w}, 0.1);
  (w * w).backward();  // grad 4
  sgd.step();
  CHECK(w.data() == doctest::Approx(1.6));
  sgd.zero_grad();
  CHECK(w.grad() == 0.0);
}

TEST_CASE("SGD with momentum keeps a velocity") {
  Value w = 0.0;
  backflow::SGD sgd({w}, 1.0, 0.5);
  w.set_grad(1.0);
  sgd.step();  // v = 1, w = -1
  sgd.step();  // v = 1.5, w = -2.5
  CHECK(w.data() == doctest::Approx(-2.5));
}

TEST_CASE("Adam's first step is learning_rate * sign(grad)") {
  Value w = 1.0;
  backflow::Adam adam({w}, {.learning_rate = 0.01});
  w.set_grad(123.0);
  adam.step();
  CHECK(w.data() == doctest::Approx(0.99).epsilon(1e-6));
  CHECK(adam.steps() == 1);
}

TEST_CASE("Adam follows Keras: epsilon 1e-7 added to sqrt(v), the bias corrections folded into the step size") {
  // With a gradient of 1e-8, sqrt(v) is about 3e-10, far below epsilon, so where epsilon goes
  // decides the step. Over the first step (lr 0.01):
  //   Keras, epsilon 1e-7:   lr * sqrt(1 - b2) g / (sqrt(1 - b2) g + 1e-7) = 3.15e-5
  //   Keras, epsilon 1e-8:   3.07e-4
  //   PyTorch (eps added to sqrt(v_hat)), 1e-7: lr * g / (g + 1e-7) = 9.09e-4; 1e-8: 5e-3
  const double lr = 0.01;
  const double beta1 = 0.9;
  const double beta2 = 0.999;
  const double g = 1e-8;
  Value w = 0.0;
  backflow::Adam adam({w}, {.learning_rate = lr});
  double mean = 0.0;
  double square_mean = 0.0;
  double expected = 0.0;
  for (int t = 1; t <= 3; ++t) {
    w.set_grad(g);
    adam.step();
    mean = beta1 * mean + (1 - beta1) * g;
    square_mean = beta2 * square_mean + (1 - beta2) * g * g;
    const double step_size = lr * std::sqrt(1 - std::pow(beta2, t)) / (1 - std::pow(beta1, t));
    expected -= step_size * mean / (std::sqrt(square_mean) + 1e-7);
    CAPTURE(t);
    CHECK(w.data() == doctest::Approx(expected).epsilon(1e-9).scale(0));  // relative: the steps are ~1e-5
  }
  // After the first step alone, the numbers from the comment above.
  Value first = 0.0;
  backflow::Adam one({first}, {.learning_rate = lr});
  first.set_grad(g);
  one.step();
  // scale(0): Approx's default scale of 1 would make 1e-3 an absolute tolerance, which all
  // four placements above pass.
  CHECK(-first.data() == doctest::Approx(3.152e-5).epsilon(1e-3).scale(0));
}

TEST_CASE("Adam on float tensors (the vectorised, threaded kernel) matches Adam on double Values") {
  // More elements than one thread's share (64 Ki), so the tensor update is split in pieces;
  // gradients from 1 down to 1e-8, where epsilon matters.
  constexpr std::size_t count = 3 * 65536 + 5;
  std::vector<float> gradient(count);
  for (std::size_t i = 0; i < count; ++i) {
    gradient[i] = static_cast<float>(std::sin(static_cast<double>(i)) * std::pow(10.0, -static_cast<double>(i % 9)));
  }
  const backflow::Tensor weights = backflow::Tensor::zeros({count}, true);
  const backflow::Tensor slope({count}, gradient);
  std::vector<Value> values;  // one node each (copies of a Value share its node)
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) values.emplace_back(0.0);
  backflow::Adam tensor_adam(std::vector<backflow::Tensor>{weights}, {.learning_rate = 0.01});
  backflow::Adam value_adam(values, {.learning_rate = 0.01});
  for (int step = 0; step < 3; ++step) {
    tensor_adam.zero_grad();
    backflow::sum(weights * slope).backward();  // d/dw sum(w * slope) = slope
    tensor_adam.step();
    for (std::size_t i = 0; i < count; ++i) values[i].set_grad(static_cast<double>(gradient[i]));
    value_adam.step();
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double expected = values[i].data();
    const double got = weights.data()[i];
    if (std::abs(got - expected) > 1e-5 * std::abs(expected) + 1e-12) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(values[1].data() != 0.0);  // the updates did move the weights
}

TEST_CASE("SGD on float tensors (the vectorised kernel) and on Values matches SGD by hand, with and without momentum") {
  constexpr int steps = 4;
  constexpr double learning_rate = 0.01;
  for (const double momentum : {0.0, 0.9}) {
    for (const std::size_t count : {small_count, large_count}) {
      CAPTURE(momentum);
      CAPTURE(count);
      const std::vector<double> expected = sgd_reference(count, learning_rate, momentum, steps);
      const backflow::Tensor weights = backflow::Tensor::zeros({count}, true);
      backflow::SGD tensor_sgd(std::vector<backflow::Tensor>{weights}, learning_rate, momentum);
      train_tensor(tensor_sgd, weights, steps);
      // float32: a few roundings per step, each 6e-8 relative at most
      CHECK(mismatches<float>(weights.data(), expected, 1e-6) == 0);
      CHECK(weights.data()[1] != 0.0F);  // the updates did move the weights
    }
    std::vector<Value> values;  // one node each (copies of a Value share its node)
    for (std::size_t i = 0; i < small_count; ++i) values.emplace_back(0.0);
    backflow::SGD value_sgd(values, learning_rate, momentum);
    train_values(value_sgd, values, steps);
    CHECK(mismatches<double>(data_of(values), sgd_reference(small_count, learning_rate, momentum, steps), 1e-12) == 0);
  }
}

TEST_CASE("Adam's beta1, beta2 and epsilon reach both kernels (float tensors and double Values)") {
  // Far from the defaults, and an epsilon that outweighs most of these gradients, so a kernel
  // that used 0.9, 0.999 or 1e-7 in place of a setting would land elsewhere.
  const backflow::AdamOptions options{.learning_rate = 0.05, .beta1 = 0.5, .beta2 = 0.75, .epsilon = 1e-3};
  constexpr int steps = 4;
  for (const std::size_t count : {small_count, large_count}) {
    CAPTURE(count);
    const std::vector<double> expected = adam_reference(count, options, steps);
    const backflow::Tensor weights = backflow::Tensor::zeros({count}, true);
    backflow::Adam tensor_adam(std::vector<backflow::Tensor>{weights}, options);
    train_tensor(tensor_adam, weights, steps);
    CHECK(mismatches<float>(weights.data(), expected, 1e-5) == 0);
  }
  std::vector<Value> values;
  for (std::size_t i = 0; i < small_count; ++i) values.emplace_back(0.0);
  backflow::Adam value_adam(values, options);
  train_values(value_adam, values, steps);
  CHECK(mismatches<double>(data_of(values), adam_reference(small_count, options, steps), 1e-12) == 0);
}

TEST_CASE("both optimizers find the bottom of (x - 3)^2 + (y + 1)^2") {
  for (int which = 0; which < 2; ++which) {
    Value x = 0.0;
    Value y = 0.0;
    std::unique_ptr<backflow::Optimizer> opt;
    if (which == 0) {
      opt = std::make_unique<backflow::SGD>(std::vector<Value>{x, y}, 0.1, 0.5);
    } else {
      opt = std::make_unique<backflow::Adam>(std::vector<Value>{x, y}, backflow::AdamOptions{.learning_rate = 0.1});
    }
    for (int step = 0; step < 500; ++step) {
      opt->zero_grad();
      ((x - 3.0).pow(2) + (y + 1.0).pow(2)).backward();
      opt->step();
    }
    CAPTURE(which);
    CHECK(x.data() == doctest::Approx(3.0).epsilon(1e-3));
    CHECK(y.data() == doctest::Approx(-1.0).epsilon(1e-3));
  }
}
