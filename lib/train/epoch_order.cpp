// The order in which fit() visits the training rows.
#include <backflow/train.hpp>

#include <numeric>

namespace backflow {

// Stream 1 of the seed: Sequential drew the initial weights from Random(seed), and reusing
// those very numbers as the batch order would tie the two together. (Keras seeds its
// initialisers and its shuffling apart, too.)
EpochOrder::EpochOrder(std::size_t rows, std::uint64_t seed, bool shuffle)
    : order_(rows), random_(seed, 1), shuffle_(shuffle) {
  std::iota(order_.begin(), order_.end(), std::size_t{0});
}

// Each epoch shuffles the order the last one left: every order is equally likely either way.
std::span<const std::size_t> EpochOrder::next_epoch() {
  if (shuffle_) random_.shuffle(order_);
  return order_;
}

}  // namespace backflow
