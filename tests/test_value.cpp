// Value handles: data, grad, labels, rebinding, accumulation and what backward() twice does.
#include <backflow/value.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

using backflow::Op;
using backflow::Value;

namespace {

// Made before any node exists, so destroyed after everything the node pool sets up on
// first use: dropping these Values at exit must still find their nodes (the sanitizer run
// reports any use of freed memory; without it this crashed).
std::vector<Value> values_alive_until_exit;

}  // namespace

TEST_CASE("Values in a static container may outlive every test, to the end of the program") {
  Value labelled(3.0, "kept");  // a label lives in a side table that must outlive it too
  values_alive_until_exit.push_back(labelled * 2.0);
  values_alive_until_exit.push_back(labelled);
  CHECK(values_alive_until_exit.front().data() == 6.0);
}

TEST_CASE("a Value is a leaf holding its number") {
  Value x = -4.0;
  CHECK(x.data() == -4.0);
  CHECK(x.grad() == 0.0);
  CHECK(x.op() == Op::leaf);
  CHECK(x.inputs().empty());
  CHECK(x.label().empty());
  x.set_label("x");
  CHECK(x.label() == "x");
}

TEST_CASE("copies share the node") {
  Value a = 2.0;
  Value b = a;
  b.set_data(5.0);
  CHECK(a.data() == 5.0);
  CHECK(a.id() == b.id());
}

TEST_CASE("nodes record their op and inputs") {
  Value a(2.0, "a");
  Value b(3.0, "b");
  Value c = a * b;
  CHECK(c.op() == Op::mul);
  REQUIRE(c.inputs().size() == 2);
  CHECK(c.inputs()[0].label() == "a");
  CHECK(c.inputs()[1].label() == "b");
  CHECK(backflow::op_name(c.op()) == "*");
}

TEST_CASE("a plain double in an expression becomes a constant leaf") {
  Value x = 3.0;
  Value y = x * 2.0;
  REQUIRE(y.inputs().size() == 2);
  CHECK(y.inputs()[1].is_constant());
  CHECK(y.inputs()[1].data() == 2.0);
  CHECK_FALSE(x.is_constant());
}

TEST_CASE("gradients add up where paths meet: a + a") {
  Value a = 1.0;
  Value b = a + a;
  Value c = b + b;
  c.backward();
  CHECK(a.grad() == 4.0);
  CHECK(b.grad() == 2.0);
}

TEST_CASE("compound assignment rebinds the handle; c += c + 1 is well defined") {
  Value a(3.0, "a");
  Value c = a;
  c += c + 1.0;  // c = a + (a + 1)
  CHECK(c.data() == 7.0);
  CHECK(a.data() == 3.0);  // the old node is untouched
  CHECK(c.op() == Op::add);
  c.backward();
  CHECK(a.grad() == 2.0);

  Value x = 2.0;
  Value y = x;
  y *= 5.0;
  y -= x;
  y /= 4.0;
  CHECK(y.data() == doctest::Approx(2.0));
  y.backward();
  CHECK(x.grad() == doctest::Approx(1.0));  // d/dx (5x - x) / 4
}

TEST_CASE("backward twice: leaves accumulate, interior nodes hold the latest pass") {
  Value x = 3.0;
  Value h = x * x;  // interior
  Value y = h * 2.0;
  y.backward();
  CHECK(x.grad() == 12.0);
  CHECK(h.grad() == 2.0);
  y.backward();
  CHECK(x.grad() == 24.0);  // accumulated
  CHECK(h.grad() == 2.0);   // recomputed, not doubled
  backflow::zero_grad(y);
  CHECK(x.grad() == 0.0);
  CHECK(h.grad() == 0.0);
  y.backward();
  CHECK(x.grad() == 12.0);
}

TEST_CASE("topological order puts inputs first and the root last") {
  Value a(1.0, "a");
  Value b(2.0, "b");
  Value c = a * b;
  Value d = c + a;
  const auto order = backflow::topological_order(d);
  REQUIRE(order.size() == 4);
  CHECK(order.back().id() == d.id());
  auto position = [&](const Value& v) {
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (order[i].id() == v.id()) return i;
    }
    return order.size();
  };
  CHECK(position(a) < position(c));
  CHECK(position(b) < position(c));
  CHECK(position(c) < position(d));
}

TEST_CASE("shared subexpressions are visited once, so deep diamonds stay linear") {
  Value x = 1.0;
  Value y = x;
  for (int i = 0; i < 200; ++i) y = y + y;  // 2^200 paths, 201 nodes
  CHECK(backflow::topological_order(y).size() == 201);
  y.backward();
  CHECK(x.grad() == doctest::Approx(std::ldexp(1.0, 200)));
}

TEST_CASE("the first NaN is found and named") {
  Value p(-1.0, "p");
  Value q = p.log();  // NaN: log of a negative number
  Value r = q * 2.0 + 1.0;
  CHECK(std::isnan(r.data()));
  auto report = backflow::find_first_nonfinite(r);
  REQUIRE(report.has_value());
  CHECK(report->node.id() == q.id());
  CHECK(report->message.find("log") != std::string::npos);
  CHECK(report->message.find("-1") != std::string::npos);

  Value zero = 0.0;
  Value inf = (zero.log() * 3.0).exp();
  auto inf_report = backflow::find_first_nonfinite(inf);
  REQUIRE(inf_report.has_value());
  CHECK(inf_report->message.find("-inf") != std::string::npos);

  Value fine = Value(2.0) * 3.0;
  CHECK_FALSE(backflow::find_first_nonfinite(fine).has_value());
}

TEST_CASE("non-finite results follow IEEE") {
  Value zero = 0.0;
  CHECK(std::isinf((1.0 / zero).data()));
  CHECK(std::isnan((zero / zero).data()));
  CHECK(std::isinf(Value(1000.0).exp().data()));
}
