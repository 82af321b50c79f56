// No recursion over graph depth: sorting, backward and freeing a 2,000,000-node chain.
#include "../lib/value/node.hpp"

#include <backflow/value.hpp>

#include <doctest/doctest.h>

#include <cmath>

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

TEST_CASE("a deep chain of unary ops") {
  Value x = 0.5;
  Value y = x;
  for (int i = 0; i < 2'000'000; ++i) y = y.tanh();
  y.backward();
  CHECK(y.data() > 0.0);
  CHECK(x.grad() > 0.0);
}
