// SGD and Adam over scalar parameters: one step by hand, and convergence on a bowl.
#include <backflow/optim.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

using backflow::Value;

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
    CHECK(w.data() == doctest::Approx(expected).epsilon(1e-9));
  }
  // After the first step alone, the numbers from the comment above.
  Value first = 0.0;
  backflow::Adam one({first}, {.learning_rate = lr});
  first.set_grad(g);
  one.step();
  CHECK(-first.data() == doctest::Approx(3.152e-5).epsilon(1e-3));
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
