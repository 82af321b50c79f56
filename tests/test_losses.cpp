// Losses: values by hand and gradients against central differences.
#include <backflow/gradcheck.hpp>
#include <backflow/losses.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using backflow::Value;

TEST_CASE("squared error and its derivative -2 (t - y)") {
  Value y = 0.75;
  Value loss = backflow::squared_error(y, 1.0);
  loss.backward();
  CHECK(loss.data() == doctest::Approx(0.0625));
  CHECK(y.grad() == doctest::Approx(-0.5));
}

TEST_CASE("mean squared error") {
  const std::vector<Value> predictions{1.0, 2.0, 4.0};
  const std::vector<Value> targets{1.0, 0.0, 1.0};
  CHECK(backflow::mean_squared_error(predictions, targets).data() == doctest::Approx(13.0 / 3.0));
  CHECK_THROWS_AS(backflow::mean_squared_error(predictions, {1.0}), std::invalid_argument);

  // Predictions and targets both get gradients: +-2 (prediction - target) / n.
  const auto check = backflow::check_gradients(
      [](const std::vector<Value>& v) {
        return backflow::mean_squared_error({v[0], v[1], v[2]}, {v[3], v[4], v[5]});
      },
      {1.0, 2.0, 4.0, 1.5, 0.0, 1.0});
  CHECK(check.passed(1e-6));
  CHECK(check.analytic[1] == doctest::Approx(4.0 / 3.0));
  CHECK(check.analytic[4] == doctest::Approx(-4.0 / 3.0));
}

TEST_CASE("hinge loss is mean relu(1 - y * score), with labels +1 and -1") {
  // margins 1 - y * score: -1, 1.5, -0.5, 1.3; only the positive ones count. Ignoring the
  // labels (all +1) would give (0 + 0.5 + 2.5 + 1.3) / 4 instead.
  const std::vector<Value> scores{2.0, 0.5, -1.5, -0.3};
  const std::vector<double> labels{1.0, -1.0, -1.0, 1.0};
  CHECK(backflow::hinge_loss(scores, labels).data() == doctest::Approx((0.0 + 1.5 + 0.0 + 1.3) / 4.0));

  // d/d score_i = -y_i / n where the margin is positive, else 0 (no point sits on a kink).
  const auto check = backflow::check_gradients(
      [&labels](const std::vector<Value>& v) { return backflow::hinge_loss(v, labels); }, {2.0, 0.5, -1.5, -0.3});
  CHECK(check.passed(1e-6));
  CHECK(check.analytic == std::vector<double>{0.0, 0.25, 0.0, -0.25});
}

TEST_CASE("softmax cross-entropy matches -log softmax and is stable for large logits") {
  const std::vector<Value> logits{1.0, 2.0, 3.0};
  const double expected = -std::log(std::exp(2.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  CHECK(backflow::softmax_cross_entropy(logits, 1).data() == doctest::Approx(expected));
  const std::vector<Value> huge{1000.0, 1001.0, 1002.0};
  CHECK(backflow::softmax_cross_entropy(huge, 1).data() == doctest::Approx(expected));
  CHECK_THROWS_AS(backflow::softmax_cross_entropy(logits, 3), std::invalid_argument);

  const auto check = backflow::check_gradients(
      [](const std::vector<Value>& v) { return backflow::softmax_cross_entropy(v, 2); }, {0.3, -1.2, 0.8});
  CHECK(check.passed(1e-6));
  // d/dz_i = softmax_i - [i == target]: the gradients sum to zero.
  CHECK(check.analytic[0] + check.analytic[1] + check.analytic[2] == doctest::Approx(0.0));
}

TEST_CASE("l2 penalty") {
  const std::vector<Value> params{1.0, -2.0};
  CHECK(backflow::l2_penalty(params, 0.5).data() == doctest::Approx(2.5));
  // d/dp alpha p^2 = 2 alpha p
  const auto check = backflow::check_gradients(
      [](const std::vector<Value>& v) { return backflow::l2_penalty(v, 0.25); }, {1.0, -2.0, 0.5});
  CHECK(check.passed(1e-6));
  CHECK(check.analytic[1] == doctest::Approx(-1.0));
  CHECK(backflow::sum(std::vector<Value>{}).data() == 0.0);
  CHECK_THROWS_AS(backflow::mean(std::vector<Value>{}), std::invalid_argument);
}

TEST_CASE("a NaN gradient fails the check, whatever the tolerance") {
  // sqrt(x * x) = |x|: at 0 the numeric slope is 0, but backward multiplies the infinite
  // slope of sqrt at 0 by the zero slope of x * x, which is NaN.
  const auto check =
      backflow::check_gradients([](const std::vector<Value>& v) { return (v[0] * v[0]).pow(0.5); }, {0.0});
  REQUIRE(check.analytic.size() == 1);
  CHECK(std::isnan(check.analytic[0]));
  CHECK(check.numeric[0] == 0.0);
  CHECK(check.max_abs_error == INFINITY);
  CHECK_FALSE(check.passed(1e300));
}
