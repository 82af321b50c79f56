// Tensor autodiff semantics: the same as Value's (accumulation, backward twice, no graph in
// evaluation mode, no recursion over depth, a clean state after an exception), both matmul
// kernels against a plain triple loop, and parallel_for.
#include "../lib/engine/topological_order.hpp"
#include "../lib/tensor/kernels/gemm.hpp"
#include "../lib/tensor/kernels/parallel.hpp"
#include "../lib/tensor/kernels/zero_skipping_gemm.hpp"
#include "../lib/tensor/tensor_node.hpp"

#include <backflow/random.hpp>
#include <backflow/tensor.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using backflow::Tensor;

namespace {

// Made before any tensor exists, so destroyed at exit after everything the engine sets up on
// first use (this thread's scratch space, the buffer recycler): dropping these then must not
// touch either (the sanitizer run reports any use of freed memory).
std::vector<Tensor> tensors_alive_until_exit;

// Runs a backward pass from a static destructor, after this thread's kept traversal stack
// is gone (thread_locals die before statics): it must use a fresh one.
struct BackwardAtExit {
  BackwardAtExit() = default;
  BackwardAtExit(const BackwardAtExit&) = delete;
  BackwardAtExit& operator=(const BackwardAtExit&) = delete;
  ~BackwardAtExit() {
    const Tensor x = Tensor::full({2}, 3.0F, true);
    backflow::sum(x * x).backward();
    if (x.grad()[0] != 6.0F) std::abort();  // doctest has finished: fail the run directly
  }
} backward_at_exit;

}  // namespace

TEST_CASE("Tensors in a static container may outlive every test, to the end of the program") {
  const Tensor x = Tensor::full({128, 128}, 1.0F, true);  // 16,384 floats: big enough to be recycled
  backflow::sum(x * x).backward();                        // sets up the scratch space and recycles a buffer when freed
  tensors_alive_until_exit.push_back(x * x);              // a graph: freeing it walks a work list
  tensors_alive_until_exit.push_back(x);
  CHECK(tensors_alive_until_exit.front().data()[0] == 1.0F);
}

TEST_CASE("gradients add up where a tensor is used twice, and leaves accumulate") {
  Tensor x({2}, {1, 2}, true);
  Tensor y = backflow::sum(x * x + x);  // dy/dx = 2x + 1
  y.backward();
  CHECK(x.grad()[0] == 3.0F);
  CHECK(x.grad()[1] == 5.0F);
  y.backward();
  CHECK(x.grad()[1] == 10.0F);
  x.zero_grad();
  CHECK(x.grad()[1] == 0.0F);
}

TEST_CASE("inputs without requires_grad get no gradient work") {
  Tensor data({2, 2}, {1, 2, 3, 4});
  Tensor w({2, 1}, {1, 1}, true);
  Tensor loss = backflow::sum(backflow::matmul(data, w));
  CHECK(loss.requires_grad());
  loss.backward();
  CHECK(w.grad()[0] == 4.0F);
  CHECK(w.grad()[1] == 6.0F);
  CHECK(data.node()->grad.empty());  // no gradient buffer was ever allocated for the data
}

TEST_CASE("NoGradGuard builds no graph") {
  Tensor w({1}, {3}, true);
  backflow::NoGradGuard no_graph;
  Tensor y = w * w;
  CHECK(y.data()[0] == 9.0F);
  CHECK_FALSE(y.requires_grad());
  CHECK(y.inputs().empty());
  CHECK_THROWS_AS(y.backward(), std::invalid_argument);
}

TEST_CASE("a chain of 200,000 tensor ops backpropagates and frees without recursion") {
  Tensor x({1}, {1.0F}, true);
  {
    Tensor y = x;
    for (int i = 0; i < 200'000; ++i) y = y * Tensor(1.0F);
    CHECK(x.node()->references == 2);  // x, and the first product that uses it
    y.backward();
    CHECK(x.grad()[0] == 1.0F);
  }
  CHECK(x.node()->references == 1);  // the whole chain is gone: only x's own handle is left
}

namespace {

// A minimal node for the shared traversal: inputs and the consumer count it needs.
struct PlainNode {
  std::array<PlainNode*, 2> inputs{};
  std::uint32_t pending_consumers = 0;
};

}  // namespace

TEST_CASE("an exception during a backward traversal leaves every count at zero") {
  // A diamond under a root: root -> {left, right} -> bottom -> leaf.
  PlainNode leaf, bottom, left, right, root;
  bottom.inputs = {&leaf, nullptr};
  left.inputs = {&bottom, nullptr};
  right.inputs = {&bottom, nullptr};
  root.inputs = {&left, &right};
  for (int throw_at = 0; throw_at < 5; ++throw_at) {
    CAPTURE(throw_at);
    int visited = 0;
    CHECK_THROWS_AS(backflow::detail::for_each_in_backward_order(&root, backflow::detail::DoNothing{},
                                                                 [&](PlainNode*) {
                                                                   if (visited++ == throw_at)
                                                                     throw std::runtime_error("x");
                                                                 }),
                    std::runtime_error);
    for (const PlainNode* node : {&leaf, &bottom, &left, &right, &root}) CHECK(node->pending_consumers == 0);
    // And the next traversal still reaches all five nodes, each once.
    const auto order = backflow::detail::topological_order(&root);
    CHECK(order.size() == 5);
    CHECK(order.front() == &leaf);
    CHECK(order.back() == &root);
  }
}

TEST_CASE("backward needs a one-element root") {
  Tensor x({2}, {1, 2}, true);
  CHECK_THROWS_AS((x * x).backward(), std::invalid_argument);
}

TEST_CASE("both matmul kernels (configured and portable) agree with a triple loop, all transposes") {
  backflow::Random random(5);
  backflow::set_num_threads(2);
  // small (one call), tall and wide (split into blocks of rows or of columns over threads)
  const std::size_t shapes[3][3] = {{37, 29, 53}, {300, 130, 150}, {97, 310, 140}};
  for (const auto& shape : shapes) {
    const std::size_t m = shape[0], n = shape[1], k = shape[2];
    CAPTURE(m);
    std::vector<float> a(m * k), b(k * n);
    for (float& v : a) v = static_cast<float>(random.uniform(-1, 1));
    for (float& v : b) v = static_cast<float>(random.uniform(-1, 1));
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        // op(A) is m x k: stored k x m when transposed. op(B) is k x n: stored n x k.
        auto a_at = [&](std::size_t i, std::size_t p) { return ta ? a[p * m + i] : a[i * k + p]; };
        auto b_at = [&](std::size_t p, std::size_t j) { return tb ? b[j * k + p] : b[p * n + j]; };
        for (bool accumulate : {false, true}) {
          CAPTURE(ta);
          CAPTURE(tb);
          CAPTURE(accumulate);
          std::vector<float> configured(m * n, 1.0F), portable(m * n, 1.0F);
          backflow::detail::gemm(ta, tb, m, n, k, a.data(), b.data(), configured.data(), accumulate);
          backflow::detail::gemm_portable(ta, tb, m, n, k, a.data(), b.data(), portable.data(), accumulate);
          for (std::size_t i = 0; i < m; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
              double expected = accumulate ? 1.0 : 0.0;
              for (std::size_t p = 0; p < k; ++p) expected += static_cast<double>(a_at(i, p)) * b_at(p, j);
              REQUIRE(configured[i * n + j] == doctest::Approx(expected).epsilon(1e-4));
              REQUIRE(portable[i * n + j] == doctest::Approx(expected).epsilon(1e-4));
            }
          }
        }
      }
    }
  }
}

TEST_CASE("every zero-skipping kernel this CPU runs agrees with a triple loop") {
  backflow::Random random(11);
  backflow::set_num_threads(3);
  // Rows not a multiple of the 4-row tile; widths below one vector, between vectors, past
  // several column blocks and with 1 to 5 whole vectors left after the last block (179 =
  // 96 + 5 x 16 + 3 for AVX-512); an empty inner dimension; products large enough to be
  // split over the 3 threads, with a partial tile at the end.
  const std::size_t shapes[][3] = {{1, 1, 1},   {7, 5, 9},     {37, 17, 53},   {130, 100, 150},
                                   {9, 130, 0}, {10, 179, 40}, {64, 200, 300}, {150, 120, 100}};
  for (const std::string& instruction_set : backflow::detail::zero_skipping_instruction_sets()) {
    CAPTURE(instruction_set);
    for (const auto& shape : shapes) {
      const std::size_t m = shape[0], n = shape[1], k = shape[2];
      CAPTURE(m);
      CAPTURE(n);
      for (double density : {0.0, 0.2, 1.0}) {
        std::vector<float> a(m * k), b(k * n);
        for (float& v : a) v = random.uniform(0, 1) < density ? static_cast<float>(random.uniform(-1, 1)) : 0.0F;
        for (float& v : b) v = static_cast<float>(random.uniform(-1, 1));
        for (bool ta : {false, true}) {
          auto a_at = [&](std::size_t i, std::size_t p) { return ta ? a[p * m + i] : a[i * k + p]; };
          for (bool accumulate : {false, true}) {
            CAPTURE(density);
            CAPTURE(ta);
            CAPTURE(accumulate);
            std::vector<float> c(m * n, 1.0F);
            backflow::detail::gemm_skipping_zeros_with(instruction_set, ta, m, n, k, a.data(), b.data(), c.data(),
                                                       accumulate);
            for (std::size_t i = 0; i < m; ++i) {
              for (std::size_t j = 0; j < n; ++j) {
                double expected = accumulate ? 1.0 : 0.0;
                for (std::size_t p = 0; p < k; ++p) expected += static_cast<double>(a_at(i, p)) * b[p * n + j];
                REQUIRE(c[i * n + j] == doctest::Approx(expected).epsilon(1e-4));
              }
            }
          }
        }
      }
    }
  }
}

TEST_CASE("gemm skips zeros exactly when it should") {
  // The baseline kernel is never chosen beside OpenBLAS (a quarter of sgemm's speed); without
  // OpenBLAS it is, and this test runs.
  if (backflow::detail::zero_skipping_instruction_set() == "baseline" &&
      backflow::matmul_backend().starts_with("OpenBLAS")) {
    MESSAGE("skipped: the baseline zero-skipping kernel is never chosen beside OpenBLAS");
    return;
  }
  backflow::set_num_threads(2);
  backflow::Random random(7);
  const std::size_t m = 256, k = 784, n = 300;
  std::vector<float> sparse(m * k), dense(m * k), b(k * n), c(m * n);
  for (float& v : sparse) v = random.uniform(0, 1) < 0.19 ? static_cast<float>(random.uniform(0, 1)) : 0.0F;
  for (float& v : dense) v = static_cast<float>(random.uniform(0.1, 1));
  for (float& v : b) v = static_cast<float>(random.uniform(-0.1, 0.1));
  using backflow::detail::gemm_skipping_zeros;
  // The first layer forward (batch x weights) and backward (transposed batch x gradient).
  CHECK(gemm_skipping_zeros(false, m, n, k, sparse.data(), b.data(), c.data(), false));
  std::vector<float> c_transposed(k * n);  // op(A) = A^T is [k, m]: C is [k, n], B's first m rows are used
  CHECK(gemm_skipping_zeros(true, k, n, m, sparse.data(), b.data(), c_transposed.data(), false));
  CHECK_FALSE(gemm_skipping_zeros(false, m, n, k, dense.data(), b.data(), c.data(), false));
  CHECK_FALSE(gemm_skipping_zeros(false, 8, n, k, sparse.data(), b.data(), c.data(), false));  // too small to pay
  backflow::set_zero_skipping(false);
  CHECK_FALSE(gemm_skipping_zeros(false, m, n, k, sparse.data(), b.data(), c.data(), false));
  backflow::set_zero_skipping(true);
  // An infinity in B goes to the dense kernel, where 0 x infinity is NaN as usual.
  b[5 * n + 7] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(gemm_skipping_zeros(false, m, n, k, sparse.data(), b.data(), c.data(), false));
  std::vector<float> x_values(m * k, 0.0F);
  x_values[0] = 1.0F;  // row 0 meets the infinity through a 0 only; the rest of A is 0 as well
  for (std::size_t i = 1; i < m; ++i) x_values[i * k + 100 + i % 50] = 0.5F;
  const Tensor product = matmul(Tensor({m, k}, x_values), Tensor({k, n}, b));
  CHECK(std::isnan(product.data()[0 * n + 7]));
  CHECK(std::isnan(product.data()[3 * n + 7]));
  CHECK(std::isfinite(product.data()[3 * n + 8]));
}

TEST_CASE("zero skipping: a NaN in A still reaches C; a large mostly-zero matmul matches the dense one") {
  // NaN != 0, so the packing keeps it: skipping zeros must not hide a diverged input.
  for (const std::string& instruction_set : backflow::detail::zero_skipping_instruction_sets()) {
    CAPTURE(instruction_set);
    std::vector<float> a(5 * 3, 0.0F), b(3 * 20, 1.0F), c(5 * 20, 0.0F);
    a[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
    backflow::detail::gemm_skipping_zeros_with(instruction_set, false, 5, 20, 3, a.data(), b.data(), c.data(), false);
    for (std::size_t j = 0; j < 20; ++j) {
      CHECK(std::isnan(c[2 * 20 + j]));
      CHECK(c[1 * 20 + j] == 0.0F);
    }
  }
  // The MNIST shape, where gemm() itself chooses the kernel: the same products with the
  // zero-skipping setting on and off.
  backflow::Random random(3);
  const std::size_t m = 256, k = 784, n = 300;
  std::vector<float> a(m * k), b(k * n);
  for (float& v : a) v = random.uniform(0, 1) < 0.19 ? static_cast<float>(random.uniform(0, 1)) : 0.0F;
  for (float& v : b) v = static_cast<float>(random.uniform(-0.1, 0.1));
  const Tensor x({m, k}, a), w({k, n}, b);
  REQUIRE(backflow::zero_skipping());
  const Tensor skipping = matmul(x, w);
  backflow::set_zero_skipping(false);
  CHECK(backflow::matmul_backend().find("turned off") != std::string::npos);
  const Tensor dense = matmul(x, w);
  backflow::set_zero_skipping(true);
  CHECK(backflow::matmul_backend().find("turned off") == std::string::npos);
  for (std::size_t i = 0; i < m * n; ++i) REQUIRE(skipping.data()[i] == doctest::Approx(dense.data()[i]).epsilon(1e-4));
}

namespace {

// Runs parallel_for over [0, n) and checks that the pieces are non-empty, inside [0, n),
// and visit every index exactly once.
bool covers_each_index_once(std::size_t n, std::size_t min_piece) {
  std::vector<std::atomic<int>> visits(n);
  std::atomic<bool> pieces_in_range{true};
  backflow::detail::parallel_for(n, min_piece, [&](std::size_t begin, std::size_t end) {
    if (!(begin < end && end <= n) && n != 0) pieces_in_range = false;
    for (std::size_t i = begin; i < end; ++i) visits[i].fetch_add(1);
  });
  return pieces_in_range &&
         std::all_of(visits.begin(), visits.end(), [](const std::atomic<int>& v) { return v.load() == 1; });
}

}  // namespace

TEST_CASE("parallel_for hands out every index once: parked workers, nested and concurrent calls") {
  for (int threads : {1, 2, 3, 5}) {
    backflow::set_num_threads(threads);
    CAPTURE(threads);
    for (std::size_t n : {0, 1, 2, 7, 1000, 100'003}) {
      CAPTURE(n);
      CHECK(covers_each_index_once(n, 1));
      CHECK(covers_each_index_once(n, 400));
    }
  }
  // Many threads, pieces that do not divide evenly: with pieces of ceil(n / threads) rows the
  // last ones would start past the end (8193 rows, 128 threads, 64-row pieces).
  backflow::set_num_threads(128);
  CHECK(covers_each_index_once(8193, 64));
  backflow::set_num_threads(3);
  // A call from inside a piece finds the workers busy and starts threads of its own.
  std::atomic<bool> nested_ok{true};
  backflow::detail::parallel_for(3, 1, [&](std::size_t, std::size_t) {
    if (!covers_each_index_once(5000, 1)) nested_ok = false;
  });
  CHECK(nested_ok);
  // Two threads calling at once: one gets the workers, the other its own threads.
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> callers;
    for (int t = 0; t < 2; ++t) {
      callers.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          if (!covers_each_index_once(4096, 64)) ++failures;
        }
      });
    }
  }
  CHECK(failures == 0);
  // An exception in any piece comes out of parallel_for, on the workers or on threads of its
  // own (nested call); the workers stay usable.
  for (std::size_t throwing_piece : {0, 1, 2}) {
    CAPTURE(throwing_piece);
    auto body = [throwing_piece](std::size_t begin, std::size_t) {
      if (begin == throwing_piece * 100) throw std::runtime_error("a piece failed");
    };
    CHECK_THROWS_AS(backflow::detail::parallel_for(300, 1, body), std::runtime_error);
    bool nested_threw = false;
    backflow::detail::parallel_for(3, 1, [&](std::size_t begin, std::size_t) {
      if (begin != 0) return;
      try {
        backflow::detail::parallel_for(300, 1, body);
      } catch (const std::runtime_error&) {
        nested_threw = true;
      }
    });
    CHECK(nested_threw);
  }
  CHECK(covers_each_index_once(100'000, 1));
  backflow::set_num_threads(2);
}

TEST_CASE("the thread count setting is kept") {
  backflow::set_num_threads(1);
  CHECK(backflow::num_threads() == 1);
  backflow::set_num_threads(2);
  CHECK(backflow::num_threads() == 2);
  CHECK_THROWS_AS(backflow::set_num_threads(0), std::invalid_argument);
  CHECK_THROWS_AS(backflow::set_num_threads(1025), std::invalid_argument);
  CHECK(backflow::num_threads() == 2);
  CHECK_FALSE(backflow::matmul_backend().empty());
}

TEST_CASE("the dense layer's gradients have the same bits in every run, whatever thread finishes first") {
  backflow::set_num_threads(4);
  backflow::Random random(11);
  auto filled = [&](backflow::Shape shape, bool requires_grad) {
    std::size_t size = shape[0] * (shape.size() > 1 ? shape[1] : 1);
    std::vector<float> values(size);
    for (float& v : values) v = static_cast<float>(random.uniform(-1, 1));
    return Tensor(std::move(shape), std::move(values), requires_grad);
  };
  // 16,384 rows of 16 columns: four pieces of 4,096 rows, one per thread.
  const Tensor x = filled({16'384, 8}, false);
  const Tensor w = filled({8, 16}, true);
  const Tensor b = filled({16}, true);
  std::vector<float> first;
  for (int run = 0; run < 20; ++run) {
    b.zero_grad();
    backflow::sum(backflow::dense(x, w, b, backflow::DenseActivation::tanh)).backward();
    const std::vector<float> bias_grad(b.grad().begin(), b.grad().end());
    if (run == 0) first = bias_grad;
    REQUIRE(bias_grad == first);
  }
  backflow::set_num_threads(2);
}
