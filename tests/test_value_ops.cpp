// Each op: its value and gradient by hand, then against central differences.
#include <backflow/gradcheck.hpp>
#include <backflow/value.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

using backflow::Value;

namespace {

// d f / d x at x, from backward().
double derivative(const std::function<Value(const Value&)>& f, double x) {
  Value in = x;
  f(in).backward();
  return in.grad();
}

}  // namespace

TEST_CASE("binary ops: values and both partial derivatives") {
  Value a = 3.0;
  Value b = -2.0;
  SUBCASE("add") {
    Value c = a + b;
    c.backward();
    CHECK(c.data() == 1.0);
    CHECK(a.grad() == 1.0);
    CHECK(b.grad() == 1.0);
  }
  SUBCASE("sub") {
    Value c = a - b;
    c.backward();
    CHECK(c.data() == 5.0);
    CHECK(a.grad() == 1.0);
    CHECK(b.grad() == -1.0);
  }
  SUBCASE("mul") {
    Value c = a * b;
    c.backward();
    CHECK(c.data() == -6.0);
    CHECK(a.grad() == -2.0);
    CHECK(b.grad() == 3.0);
  }
  SUBCASE("div") {
    Value c = a / b;
    c.backward();
    CHECK(c.data() == -1.5);
    CHECK(a.grad() == doctest::Approx(-0.5));        // 1 / b
    CHECK(b.grad() == doctest::Approx(-3.0 / 4.0));  // -a / b^2
  }
  SUBCASE("pow(Value, Value)") {
    Value base = 2.0;
    Value exponent = 3.0;
    Value c = pow(base, exponent);
    c.backward();
    CHECK(c.data() == 8.0);
    CHECK(base.grad() == doctest::Approx(12.0));                   // b a^(b-1)
    CHECK(exponent.grad() == doctest::Approx(8.0 * std::log(2)));  // a^b ln a
  }
}

TEST_CASE("unary ops: values and derivatives by hand") {
  CHECK((-Value(2.0)).data() == -2.0);
  CHECK(derivative([](const Value& x) { return -x; }, 2.0) == -1.0);
  CHECK(Value(3.0).pow(2.0).data() == 9.0);
  CHECK(derivative([](const Value& x) { return x.pow(3.0); }, 2.0) == doctest::Approx(12.0));
  CHECK(derivative([](const Value& x) { return x.pow(-1.0); }, 2.0) == doctest::Approx(-0.25));
  CHECK(Value(1.0).exp().data() == doctest::Approx(std::exp(1.0)));
  CHECK(derivative([](const Value& x) { return x.exp(); }, 1.0) == doctest::Approx(std::exp(1.0)));
  CHECK(derivative([](const Value& x) { return x.log(); }, 4.0) == doctest::Approx(0.25));
  const double t = std::tanh(0.5);
  CHECK(Value(0.5).tanh().data() == doctest::Approx(t));
  CHECK(derivative([](const Value& x) { return x.tanh(); }, 0.5) == doctest::Approx(1 - t * t));
  const double s = 1 / (1 + std::exp(-0.5));
  CHECK(Value(0.5).sigmoid().data() == doctest::Approx(s));
  CHECK(derivative([](const Value& x) { return x.sigmoid(); }, 0.5) == doctest::Approx(s * (1 - s)));
  CHECK(Value(-2.0).relu().data() == 0.0);
  CHECK(Value(2.0).relu().data() == 2.0);
  CHECK(derivative([](const Value& x) { return x.relu(); }, 2.0) == 1.0);
  CHECK(derivative([](const Value& x) { return x.relu(); }, -2.0) == 0.0);
}

TEST_CASE("edge cases: NaN through relu, x ** 0 at 0, quotients of tiny and huge numbers") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(Value(nan).relu().data()));  // a diverged value must not turn into a perfect 0
  CHECK(derivative([](const Value& x) { return x.pow(0.0); }, 0.0) == 0.0);  // x^0 = 1: constant
  CHECK(derivative([](const Value& x) { return x.pow(Value(0.0)); }, 0.0) == 0.0);
  Value base = 0.0;
  Value exponent = 0.0;
  base.pow(exponent).backward();
  CHECK(exponent.grad() == 0.0);  // PyTorch's convention at a base of 0
  // d(a/b)/db = -a/b^2: b * b underflows (1e-400) or overflows (1e400); the result does not.
  for (double magnitude : {1e-200, 1e200}) {
    CAPTURE(magnitude);
    Value a = magnitude;
    Value b = magnitude;
    (a / b).backward();
    // Scaled to 1 before comparing: Approx's absolute floor would accept anything tiny for
    // -1/1e200, including the -0.0 that the naive -a / (b * b) gives once b * b overflows.
    CHECK(b.grad() * magnitude == doctest::Approx(-1.0));
    CHECK(std::isfinite(b.grad()));
  }
}

TEST_CASE("relu'(0) is 0, as in PyTorch") {
  CHECK(derivative([](const Value& x) { return x.relu(); }, 0.0) == 0.0);
}

TEST_CASE("free functions match the members") {
  Value x = 0.7;
  CHECK(exp(x).data() == x.exp().data());
  CHECK(log(x).data() == x.log().data());
  CHECK(tanh(x).data() == x.tanh().data());
  CHECK(sigmoid(x).data() == x.sigmoid().data());
  CHECK(relu(x).data() == x.relu().data());
  CHECK(pow(x, 3.0).data() == x.pow(3.0).data());
}

TEST_CASE("reflected operators keep their sides: 2 - x and 2 / x") {
  Value x = 5.0;
  CHECK((2.0 - x).data() == -3.0);
  CHECK((x - 2.0).data() == 3.0);
  CHECK((2.0 / x).data() == doctest::Approx(0.4));
  CHECK((x / 2.0).data() == doctest::Approx(2.5));
  CHECK((2.0 + x).data() == 7.0);
  CHECK((2.0 * x).data() == 10.0);
  CHECK(derivative([](const Value& v) { return 2.0 - v; }, 5.0) == -1.0);
  CHECK(derivative([](const Value& v) { return 2.0 / v; }, 5.0) == doctest::Approx(-2.0 / 25.0));
  CHECK(derivative([](const Value& v) { return v / 2.0; }, 5.0) == doctest::Approx(0.5));
}

TEST_CASE("every op agrees with central differences") {
  using Fn = std::function<Value(const std::vector<Value>&)>;
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"add", [](const auto& v) { return v[0] + v[1]; }},
      {"sub", [](const auto& v) { return v[0] - v[1]; }},
      {"mul", [](const auto& v) { return v[0] * v[1]; }},
      {"div", [](const auto& v) { return v[0] / v[1]; }},
      {"neg", [](const auto& v) { return -v[0] * v[1]; }},
      {"pow_const", [](const auto& v) { return v[0].pow(3.5) * v[1]; }},
      {"pow", [](const auto& v) { return pow(v[0], v[1]); }},
      {"exp", [](const auto& v) { return (v[0] * v[1]).exp(); }},
      {"log", [](const auto& v) { return (v[0] * v[1]).log(); }},
      {"tanh", [](const auto& v) { return (v[0] - v[1]).tanh(); }},
      {"sigmoid", [](const auto& v) { return (v[0] - v[1]).sigmoid(); }},
      {"relu", [](const auto& v) { return (v[0] - v[1]).relu(); }},
      {"reflected", [](const auto& v) { return 2.0 / v[0] - 3.0 * v[1] + (1.0 - v[0]) * 4.0; }},
  };
  for (const auto& test_case : cases) {
    const std::string& name = test_case.first;  // a plain name: clang 14 cannot capture bindings
    CAPTURE(name);
    const auto check = backflow::check_gradients(test_case.second, {1.3, 0.6});
    CHECK(check.passed(1e-6));
  }
}

TEST_CASE("the gradient checker catches a wrong gradient") {
  // relu at exactly its kink: the one-sided rule (0) and the central difference (0.5) differ.
  const auto check = backflow::check_gradients([](const auto& v) { return v[0].relu(); }, {0.0});
  CHECK_FALSE(check.passed(1e-6));
  CHECK(check.numeric[0] == doctest::Approx(0.5));
}

TEST_CASE("the gradient checker fails an infinite gradient on either side") {
  // 1/x at 0: the rule says -inf, the central difference 1/(0+h) - 1/(0-h) over 2h is finite
  // (and huge). inf / inf used to make the relative error NaN, which max() dropped: a pass.
  const auto reciprocal = backflow::check_gradients([](const auto& v) { return 1.0 / v[0]; }, {0.0});
  CHECK(std::isinf(reciprocal.analytic[0]));
  CHECK(std::isinf(reciprocal.max_rel_error));
  CHECK_FALSE(reciprocal.passed(1e-3));
  // log at 0: an infinite rule against a NaN difference (log of a negative number).
  const auto log_at_zero = backflow::check_gradients([](const auto& v) { return v[0].log(); }, {0.0});
  CHECK_FALSE(log_at_zero.passed(1e-3));
}

TEST_CASE("the gradient checker passes a right gradient at large inputs") {
  // 1e5 + 1e-6 is not exactly representable: dividing by 2e-6 rather than by the distance
  // actually stepped made the identity's slope 0.9999931 at 1e5, failing at 1e-6.
  for (const double x : {1e5, 12345.678, 1e8}) {
    CAPTURE(x);
    const auto check = backflow::check_gradients([](const auto& v) { return v[0] * 1.0; }, {x});
    CHECK(check.passed(1e-12));
  }
}
