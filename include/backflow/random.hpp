// backflow/random.hpp: seeded random numbers that give the same sequence on every
// compiler and standard library (std::uniform_real_distribution does not promise that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace backflow {

/// A seeded source of random numbers for initialisation, shuffling and toy data.
class Random {
 public:
  /// A generator whose sequence is fixed by `seed`.
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  /// Another sequence from the same `seed`, one per `stream` and none equal to Random(seed)'s:
  /// for two jobs that share a seed but must not replay each other's numbers (fit shuffles
  /// with stream 1, while Sequential draws the initial weights from Random(seed)).
  Random(std::uint64_t seed, std::uint64_t stream);

  /// Uniform in [low, high).
  double uniform(double low, double high) {
    const double unit = static_cast<double>(engine_() >> 11U) * 0x1.0p-53;  // 53 random bits
    return low + (high - low) * unit;
  }

  /// Normally distributed (Box-Muller).
  double normal(double mean, double stddev);

  /// Uniform integer in [0, n), without modulo bias; throws std::invalid_argument for n = 0.
  std::size_t below(std::size_t n);

  /// Puts `items` in a uniformly random order (Fisher-Yates).
  void shuffle(std::span<std::size_t> items);

 private:
  std::mt19937_64 engine_;  // its output sequence is fixed by the C++ standard
};

}  // namespace backflow
