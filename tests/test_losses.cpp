// Losses: values by hand and gradients against central differences.
#include <backflow/gradcheck.hpp>
#include <backflow/losses.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

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
}

TEST_CASE("hinge loss is mean relu(1 - y * score)") {
  const std::vector<Value> scores{2.0, 0.5, -1.0};
  const std::vector<double> labels{1.0, 1.0, 1.0};
  CHECK(backflow::hinge_loss(scores, labels).data() == doctest::Approx((0.0 + 0.5 + 2.0) / 3.0));
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
  CHECK(backflow::sum(std::vector<Value>{}).data() == 0.0);
  CHECK_THROWS_AS(backflow::mean(std::vector<Value>{}), std::invalid_argument);
}
