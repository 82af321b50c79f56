// Copying the rows of a shuffled minibatch into one contiguous tensor.
#pragma once

#include "../tensor/kernels/parallel.hpp"
#include "../tensor/tensor_node.hpp"

#include <backflow/tensor.hpp>

#include <algorithm>
#include <span>

namespace backflow::detail {

/// Rows `indices` of the 2-D `source`, in that order, as a new leaf [indices.size(), columns].
inline Tensor gather_rows(const Tensor& source, std::span<const std::size_t> indices) {
  const std::size_t cols = source.shape()[1];
  Tensor batch = Tensor::adopt(make_tensor_node({indices.size(), cols}, TensorOp::leaf, {}));
  const float* from = source.data().data();
  float* to = batch.data().data();
  parallel_for(indices.size(), rows_per_thread(cols), [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) std::copy_n(from + indices[r] * cols, cols, to + r * cols);
  });
  return batch;
}

/// Rows [begin, end) of the 2-D `source` as a new leaf.
inline Tensor slice_rows(const Tensor& source, std::size_t begin, std::size_t end) {
  const std::size_t cols = source.shape()[1];
  Tensor batch = Tensor::adopt(make_tensor_node({end - begin, cols}, TensorOp::leaf, {}));
  std::copy_n(source.data().data() + begin * cols, (end - begin) * cols, batch.data().data());
  return batch;
}

}  // namespace backflow::detail
