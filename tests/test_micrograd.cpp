// micrograd's own published checks (values from PyTorch in float64).
#include <backflow/value.hpp>

#include <doctest/doctest.h>

using backflow::Value;

TEST_CASE("micrograd test_sanity_check") {
  Value x = -4.0;
  Value z = 2 * x + 2 + x;
  Value q = z.relu() + z * x;
  Value h = (z * z).relu();
  Value y = h + q + q * x;
  y.backward();
  CHECK(y.data() == doctest::Approx(-20.0).epsilon(1e-12));
  CHECK(x.grad() == doctest::Approx(46.0).epsilon(1e-12));
}

TEST_CASE("micrograd test_more_ops") {
  Value a = -4.0;
  Value b = 2.0;
  Value c = a + b;
  Value d = a * b + b.pow(3);
  c += c + 1;
  c += 1 + c + (-a);
  d += d * 2 + (b + a).relu();
  d += 3 * d + (b - a).relu();
  Value e = c - d;
  Value f = e.pow(2);
  Value g = f / 2.0;
  g += 10.0 / f;
  g.backward();
  CHECK(g.data() == doctest::Approx(24.70408163265306).epsilon(1e-12));
  CHECK(a.grad() == doctest::Approx(138.83381924198252).epsilon(1e-12));
  CHECK(b.grad() == doctest::Approx(645.5772594752186).epsilon(1e-12));
}
