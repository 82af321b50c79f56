// A portable matrix multiply: transposed operands are first copied into plain row-major
// form, then C is computed in row blocks, each by one thread, with an i-k-j loop whose
// inner loop runs along contiguous rows of B and C (so the compiler vectorises it), over
// k-blocks that keep a panel of B in cache.
#include "gemm.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <vector>

namespace backflow::detail {
namespace {

std::vector<float> transposed(const float* source, std::size_t rows, std::size_t cols) {
  std::vector<float> result(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) result[c * rows + r] = source[r * cols + c];
  }
  return result;
}

void multiply_rows(std::size_t row_begin, std::size_t row_end, std::size_t n, std::size_t k, const float* a,
                   const float* b, float* c) {
  constexpr std::size_t k_block = 256;
  for (std::size_t p0 = 0; p0 < k; p0 += k_block) {
    const std::size_t p1 = std::min(k, p0 + k_block);
    for (std::size_t i = row_begin; i < row_end; ++i) {
      float* c_row = c + i * n;
      for (std::size_t p = p0; p < p1; ++p) {
        const float a_ip = a[i * k + p];
        const float* b_row = b + p * n;
        for (std::size_t j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
      }
    }
  }
}

}  // namespace

void gemm_portable(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
                   const float* b, float* c, bool accumulate) {
  std::vector<float> a_plain;
  std::vector<float> b_plain;
  if (transpose_a) {
    a_plain = transposed(a, k, m);
    a = a_plain.data();
  }
  if (transpose_b) {
    b_plain = transposed(b, n, k);
    b = b_plain.data();
  }
  if (!accumulate) std::fill_n(c, m * n, 0.0F);
  // Row blocks over the threads; small products are not worth waking a thread for.
  const std::size_t min_rows = m * n * k < 1'000'000 ? m + 1 : 1;
  parallel_for(m, min_rows, [&](std::size_t begin, std::size_t end) { multiply_rows(begin, end, n, k, a, b, c); });
}

}  // namespace backflow::detail
