// Thread-wide modes and the graph's order: NoGradGuard and ScopeGuard nest and restore what
// was there before; topological_order lists a tensor graph inputs first, each node once.
#include <backflow/scope.hpp>
#include <backflow/tensor.hpp>
#include <backflow/value.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

using backflow::Tensor;
using backflow::TensorOp;
using backflow::Value;

namespace {

// Whether an op on a tensor that requires a gradient records a node right now.
bool recording() {
  const Tensor w({1}, {2.0F}, true);
  return !(w * w).inputs().empty();
}

}  // namespace

TEST_CASE("NoGradGuard: results keep their op but have no inputs and no gradient") {
  const Tensor w({2, 2}, {-1.0F, 3.0F, 0.5F, -2.0F}, true);
  const backflow::NoGradGuard no_graph;
  const Tensor activated = backflow::relu(w);
  const Tensor product = backflow::matmul(w, w);
  const Tensor total = backflow::sum(product);
  CHECK(activated.op() == TensorOp::relu);
  CHECK(product.op() == TensorOp::matmul);
  CHECK(total.op() == TensorOp::sum);
  for (const Tensor& result : {activated, product, total}) {
    CAPTURE(backflow::op_name(result.op()));
    CHECK(result.inputs().empty());
    CHECK_FALSE(result.requires_grad());
  }
  // The values are computed all the same.
  CHECK(activated.data()[0] == 0.0F);
  CHECK(activated.data()[1] == 3.0F);
  CHECK(product.at({0, 0}) == 2.5F);  // -1 * -1 + 3 * 0.5
  CHECK(total.item() == 2.5F - 9.0F - 1.5F + 5.5F);
}

TEST_CASE("NoGradGuards nest, and recording returns when the outermost one ends") {
  CHECK(recording());
  {
    const backflow::NoGradGuard outer;
    CHECK_FALSE(recording());
    {
      const backflow::NoGradGuard inner;
      CHECK_FALSE(recording());
    }
    CHECK_FALSE(recording());  // the inner guard restores "off", not "on"
  }
  CHECK(recording());

  // And gradients flow again afterwards.
  const Tensor w({2}, {-1.0F, 3.0F}, true);
  backflow::sum(backflow::relu(w)).backward();
  CHECK(w.grad()[0] == 0.0F);
  CHECK(w.grad()[1] == 1.0F);
}

TEST_CASE("ScopeGuards nest: the innermost names new nodes, and each restores the one before") {
  const std::uint32_t outer_id = backflow::scope_id("scope test");
  const std::uint32_t inner_id = backflow::scope_id("scope test / inner");
  CHECK(backflow::scope_id("scope test") == outer_id);  // the same name, the same id
  CHECK(outer_id != inner_id);
  CHECK(outer_id != 0);
  CHECK(backflow::scope_name(inner_id) == "scope test / inner");
  CHECK(backflow::scope_id("") == 0);
  CHECK(backflow::scope_name(0).empty());

  const Value x = 1.0;
  const Tensor t({1}, {1.0F}, true);
  CHECK((x * 2.0).scope().empty());
  {
    const backflow::ScopeGuard outer(outer_id);
    CHECK((x * 2.0).scope() == "scope test");
    {
      const backflow::ScopeGuard inner(inner_id);
      CHECK((x + 1.0).scope() == "scope test / inner");
      CHECK((t * t).scope() == "scope test / inner");  // tensors too
    }
    CHECK((x * 2.0).scope() == "scope test");
    CHECK((t * t).scope() == "scope test");
  }
  CHECK((x * 2.0).scope().empty());
  CHECK((t * t).scope().empty());
  // An id scope_id() never gave is refused at once, not when a picture asks for its name.
  CHECK_THROWS_WITH_AS(backflow::ScopeGuard(4242424242U), doctest::Contains("unknown scope id 4242424242"),
                       std::out_of_range);
  CHECK((x * 2.0).scope().empty());  // and the current scope is unchanged
}

TEST_CASE("topological_order of a tensor graph: inputs before the nodes made from them, root last, each once") {
  // x reaches the root along three paths: through exp, through tanh, and directly.
  const Tensor x({2}, {0.5F, -1.0F}, true);
  const Tensor left = backflow::exp(x);
  const Tensor right = backflow::tanh(x);
  const Tensor joined = left * right + x;
  const Tensor root = backflow::sum(joined);
  const std::vector<Tensor> order = backflow::topological_order(root);

  std::map<std::uintptr_t, std::size_t> position;
  for (std::size_t i = 0; i < order.size(); ++i) position.emplace(order[i].id(), i);
  CHECK(order.size() == 6);                // x, exp, tanh, *, +, sum
  CHECK(position.size() == order.size());  // no node twice
  for (const Tensor& node : {x, left, right, joined, root}) CHECK(position.count(node.id()) == 1);
  CHECK(order.front().id() == x.id());  // the only leaf
  CHECK(order.back().id() == root.id());
  for (const Tensor& node : order) {
    for (const Tensor& input : node.inputs()) {
      CAPTURE(backflow::op_name(node.op()));
      CHECK(position.at(input.id()) < position.at(node.id()));
    }
  }

  const std::vector<Tensor> leaf_only = backflow::topological_order(x);
  REQUIRE(leaf_only.size() == 1);
  CHECK(leaf_only[0].id() == x.id());
}
