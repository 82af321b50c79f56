// No recursion over graph depth: sorting, backward and freeing a 2,000,000-node chain.
#include "../lib/value/node.hpp"

#include <backflow/value.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using backflow::Value;

TEST_CASE("a chain of 2,000,000 nodes backpropagates and is freed without recursion") {
  constexpr int length = 2'000'000;
  Value x = 1.0;
  {
    Value y = x;
    for (int i = 0; i < length; ++i) y = y * 1.0000001 + 0.0;  // 3 new nodes per link
    y.backward();
    CHECK(y.data() == doctest::Approx(std::pow(1.0000001, length)));
    CHECK(x.grad() == doctest::Approx(std::pow(1.0000001, length)));
    CHECK(x.node()->references == 2);  // x's handle and the first product
  }                                    // the whole chain is freed here, iteratively
  CHECK(x.node()->references == 1);    // only x's own handle is left
}

TEST_CASE("a deep chain of unary ops matches the same recurrence in plain doubles") {
  constexpr int length = 2'000'000;
  Value x = 0.5;
  Value y = x;
  for (int i = 0; i < length; ++i) y = y.tanh();
  y.backward();

  // y_{k+1} = tanh(y_k); dy/dx is the product of the local slopes 1 - y_{k+1}^2, taken from
  // the root down as backward() does.
  std::vector<double> outputs(length);
  double value = 0.5;
  for (double& out : outputs) out = value = std::tanh(value);
  double slope = 1.0;
  for (auto out = outputs.rbegin(); out != outputs.rend(); ++out) slope *= 1.0 - *out * *out;
  // Both are small (about 9e-4 and 5e-9): scale(0) makes the tolerance relative.
  CHECK(y.data() == doctest::Approx(value).epsilon(1e-12).scale(0));
  CHECK(x.grad() == doctest::Approx(slope).epsilon(1e-12).scale(0));
}
