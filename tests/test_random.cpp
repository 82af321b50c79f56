// Random: the sequence that random.hpp promises is the same everywhere, pinned; below() and
// shuffle() keep their contracts.
#include <backflow/random.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

using backflow::Random;

TEST_CASE("Random(42) gives the same numbers as ever") {
  // The top 53 bits of std::mt19937_64(42)'s first outputs (13930160852258120406,
  // 11788048577503494824, ...) times 2^-53: exact, so compared with ==.
  Random uniform(42);
  CHECK(uniform.uniform(0.0, 1.0) == 0.75515553295453897);
  CHECK(uniform.uniform(0.0, 1.0) == 0.63903139385469743);
  CHECK(uniform.uniform(-1.0, 1.0) == -1.0 + 2.0 * 0.7521452007480266);

  // The same draws modulo 10 (none is rejected).
  Random below(42);
  std::vector<std::size_t> digits;
  for (int i = 0; i < 5; ++i) digits.push_back(below.below(10));
  CHECK(digits == std::vector<std::size_t>{6, 4, 0, 2, 1});

  // Box-Muller goes through log and cos, which may differ in the last bit between libraries.
  Random normal(42);
  CHECK(normal.normal(0.0, 1.0) == doctest::Approx(-1.0771745442782885).epsilon(1e-14));
  CHECK(normal.normal(3.0, 2.0) == doctest::Approx(3.0 + 2.0 * 1.0945198485006107).epsilon(1e-14));

  Random shuffler(42);
  std::vector<std::size_t> items{0, 1, 2, 3, 4, 5};
  shuffler.shuffle(items);
  CHECK(items == std::vector<std::size_t>{3, 1, 5, 2, 4, 0});
}

TEST_CASE("below(n) stays in [0, n), and below(0) throws") {
  Random random(7);
  for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{1000}}) {
    std::vector<bool> seen(n, false);
    std::size_t out_of_range = 0;
    for (int i = 0; i < 300; ++i) {
      const std::size_t k = random.below(n);
      out_of_range += k >= n ? 1 : 0;
      if (k < n) seen[k] = true;
    }
    CAPTURE(n);
    CHECK(out_of_range == 0);
    if (n <= 3) CHECK(std::count(seen.begin(), seen.end(), true) == static_cast<std::ptrdiff_t>(n));
  }
  CHECK_THROWS_WITH_AS(random.below(0), "backflow: Random::below(0): the range [0, 0) holds no number",
                       std::invalid_argument);
}

TEST_CASE("shuffle gives a permutation, the same one for the same seed") {
  std::vector<std::size_t> identity(1000);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  std::vector<std::size_t> first = identity;
  std::vector<std::size_t> second = identity;
  Random a(3);
  Random b(3);
  a.shuffle(first);
  b.shuffle(second);
  CHECK(first == second);
  CHECK(first != identity);
  std::vector<std::size_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == identity);  // every item once: nothing lost, nothing doubled

  std::vector<std::size_t> empty;
  a.shuffle(empty);  // nothing to do, and no draw from below(0)
  CHECK(empty.empty());
}

TEST_CASE("Random(seed, stream) repeats itself and replays neither Random(seed) nor another stream") {
  auto first_draws = [](Random random) {
    std::vector<std::size_t> draws;
    for (int i = 0; i < 8; ++i) draws.push_back(random.below(1000000));
    return draws;
  };
  const auto stream1 = first_draws(Random(42, 1));
  CHECK(stream1 == first_draws(Random(42, 1)));
  CHECK(stream1 != first_draws(Random(42)));
  CHECK(stream1 != first_draws(Random(42, 0)));
  CHECK(stream1 != first_draws(Random(42, 2)));
  CHECK(stream1 != first_draws(Random(43, 1)));
  // The high half of a word counts too: seeds that differ only there give other streams.
  CHECK(first_draws(Random(1, 1)) != first_draws(Random(1 + (std::uint64_t{1} << 32U), 1)));
  CHECK(first_draws(Random(1, 1)) != first_draws(Random(1, 1 + (std::uint64_t{1} << 32U))));
}
