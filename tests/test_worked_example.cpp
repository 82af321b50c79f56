// The introduction's worked example, and its delta rule against autodiff.
#include <backflow/losses.hpp>
#include <backflow/toy_data.hpp>

#include <doctest/doctest.h>

#include <cmath>

using backflow::Value;

namespace {
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
}  // namespace

TEST_CASE("the worked example: hidden sums are 1, 1.3 and 0.8") {
  const backflow::IntroductionExample example;
  const auto net = example.network();
  const std::vector<Value> inputs{example.inputs[0], example.inputs[1]};
  const auto& hidden = net.layers()[0];
  const auto hidden_out = hidden(inputs);
  REQUIRE(hidden_out.size() == 3);
  // Each hidden output is sigmoid(sum): its input node is the weighted sum.
  CHECK(hidden_out[0].inputs()[0].data() == doctest::Approx(1.0));
  CHECK(hidden_out[1].inputs()[0].data() == doctest::Approx(1.3));
  CHECK(hidden_out[2].inputs()[0].data() == doctest::Approx(0.8));
  CHECK(hidden_out[0].data() == doctest::Approx(0.731).epsilon(1e-3));
  CHECK(hidden_out[1].data() == doctest::Approx(0.785).epsilon(1e-3));
  CHECK(hidden_out[2].data() == doctest::Approx(0.689).epsilon(1e-3));
  const Value output = net(inputs)[0];
  // The text rounds the sigmoids to two places first (0.3*0.73 + 0.5*0.79 + 0.9*0.69 = 1.235);
  // unrounded, the sum is 1.2332.
  CHECK(output.inputs()[0].data() == doctest::Approx(1.2332).epsilon(1e-4));
}

TEST_CASE("the delta rule equals autodiff on the worked example (sign and factor 2)") {
  const backflow::IntroductionExample example;
  const auto net = example.network();
  const std::vector<Value> inputs{example.inputs[0], example.inputs[1]};
  const Value y = net(inputs)[0];
  backflow::squared_error(y, example.target).backward();

  // The text's delta rule, by hand.
  std::vector<double> h;
  for (const auto& w : example.hidden_weights) h.push_back(sigmoid(w[0] + w[1]));
  const double out =
      sigmoid(example.output_weights[0] * h[0] + example.output_weights[1] * h[1] + example.output_weights[2] * h[2]);
  CHECK(y.data() == doctest::Approx(out));
  const double delta_out = out * (1 - out) * (example.target - out);
  for (std::size_t i = 0; i < 3; ++i) {
    const Value& w = net.layers()[1].neurons()[0].weights()[i];
    // dE/dw = -2 * delta * y_i for E = (t - y)^2.
    CHECK(w.grad() == doctest::Approx(-2.0 * delta_out * h[i]).epsilon(1e-10));  // both sides in double
    const double delta_hidden = h[i] * (1 - h[i]) * example.output_weights[i] * delta_out;
    for (std::size_t k = 0; k < 2; ++k) {
      const Value& v = net.layers()[0].neurons()[i].weights()[k];
      CHECK(v.grad() == doctest::Approx(-2.0 * delta_hidden * example.inputs[k]).epsilon(1e-10));
    }
  }
}
