#include <backflow/random.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <utility>

namespace backflow {

Random::Random(std::uint64_t seed, std::uint64_t stream) {
  // std::seed_seq mixes every word of (seed, stream) into the whole engine state; its
  // algorithm is fixed by the C++ standard, so the sequence is the same everywhere.
  auto low = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  auto high = [](std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32U); };
  std::seed_seq words{low(seed), high(seed), low(stream), high(stream)};
  engine_.seed(words);
}

double Random::normal(double mean, double stddev) {
  const double u1 = 1.0 - uniform(0.0, 1.0);  // in (0, 1]: log(u1) is finite
  const double u2 = uniform(0.0, 1.0);
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::size_t Random::below(std::size_t n) {
  if (n == 0) throw std::invalid_argument("backflow: Random::below(0): the range [0, 0) holds no number");
  // Rejection sampling: drop the top partial block of 2^64 so every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
  std::uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return static_cast<std::size_t>(draw % n);
}

void Random::shuffle(std::span<std::size_t> items) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
}

}  // namespace backflow
