// Matrix multiply, the one kernel that decides the tensor engine's speed.
#pragma once

#include <cstddef>

namespace backflow::detail {

/// C[m, n] = op(A) op(B)        (accumulate == false)
/// C[m, n] += op(A) op(B)       (accumulate == true)
/// Row-major. op(A) is [m, k]: A is stored [m, k], or [k, m] when transpose_a.
/// op(B) is [k, n]: B is stored [k, n], or [n, k] when transpose_b.
/// Goes to cblas_sgemm when backflow was built with OpenBLAS, else to a portable kernel.
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
          const float* b, float* c, bool accumulate);

/// The portable blocked kernel, always built (and tested against a triple loop).
void gemm_portable(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
                   const float* b, float* c, bool accumulate);

}  // namespace backflow::detail
