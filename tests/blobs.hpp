// A small labelled dataset for training tests: one Gaussian blob per class in 4-D, one-hot
// over 3 classes. Row r belongs to class r % 3, whose feature r % 3 is centred on `centre`
// (the others on 0), each with standard deviation `spread`.
#pragma once

#include <backflow/random.hpp>
#include <backflow/train.hpp>

#include <cstdint>
#include <vector>

namespace fixtures {

inline backflow::LabeledData blobs(std::size_t rows, std::uint64_t seed, double centre, double spread) {
  backflow::Random random(seed);
  std::vector<float> x(rows * 4);
  std::vector<float> y(rows * 3, 0.0F);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t c = r % 3;
    for (std::size_t f = 0; f < 4; ++f) x[r * 4 + f] = static_cast<float>(random.normal(f == c ? centre : 0.0, spread));
    y[r * 3 + c] = 1.0F;
  }
  return {backflow::Tensor({rows, 4}, x), backflow::Tensor({rows, 3}, y)};
}

}  // namespace fixtures
