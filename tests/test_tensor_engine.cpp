// Tensor autodiff semantics: the same as Value's (accumulation, backward twice, no graph in
// evaluation mode, no recursion over depth), the portable matmul kernel against BLAS, and parallel_for.
#include "../lib/tensor/kernels/gemm.hpp"
#include "../lib/tensor/kernels/parallel.hpp"

#include <backflow/random.hpp>
#include <backflow/tensor.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

using backflow::Tensor;

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
  CHECK_FALSE(data.requires_grad());
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
    y.backward();
    CHECK(x.grad()[0] == 1.0F);
  }
  CHECK(x.inputs().empty());
}

TEST_CASE("backward needs a one-element root") {
  Tensor x({2}, {1, 2}, true);
  CHECK_THROWS_AS((x * x).backward(), std::invalid_argument);
}

TEST_CASE("the portable matmul kernel agrees with the configured one, all transposes") {
  backflow::Random random(5);
  backflow::set_num_threads(2);
  // small (one call), tall and wide (split into blocks of rows or of columns over threads)
  const std::size_t shapes[3][3] = {{37, 29, 53}, {300, 130, 150}, {97, 310, 140}};
  for (const auto& shape : shapes) {
    const std::size_t m = shape[0], n = shape[1], k = shape[2];
    CAPTURE(m);
    std::vector<float> a(m * k), b(k * n), c1(m * n, 1.0F), c2(m * n, 1.0F);
    for (float& v : a) v = static_cast<float>(random.uniform(-1, 1));
    for (float& v : b) v = static_cast<float>(random.uniform(-1, 1));
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        for (bool accumulate : {false, true}) {
          backflow::detail::gemm(ta, tb, m, n, k, a.data(), b.data(), c1.data(), accumulate);
          backflow::detail::gemm_portable(ta, tb, m, n, k, a.data(), b.data(), c2.data(), accumulate);
          for (std::size_t i = 0; i < m * n; ++i) REQUIRE(c1[i] == doctest::Approx(c2[i]).epsilon(1e-4));
        }
      }
    }
  }
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
  return pieces_in_range && std::all_of(visits.begin(), visits.end(), [](const std::atomic<int>& v) { return v.load() == 1; });
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
  CHECK_FALSE(backflow::matmul_backend().empty());
}
