// A matrix multiply that skips the zeros of its left operand: for inputs such as MNIST
// digits, four fifths of whose pixels are 0, it does a fraction of sgemm's work.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace backflow::detail {

/// C[m, n] = op(A) B, or C += op(A) B with accumulate; row-major, op(A) as in gemm().
/// Runs only when op(A) is mostly zeros and the product is large enough to gain, and then
/// returns true; returns false, having written nothing, when the caller should use a
/// dense kernel.
bool gemm_skipping_zeros(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b,
                         float* c, bool accumulate);

/// "AVX-512", "AVX2" or "baseline": the instruction set of the kernel gemm_skipping_zeros uses.
std::string zero_skipping_instruction_set();

/// Every kernel this CPU can run, widest first (for tests).
std::vector<std::string> zero_skipping_instruction_sets();

/// The same product with the named kernel, whatever the sizes and density (for tests).
void gemm_skipping_zeros_with(std::string_view instruction_set, bool transpose_a, std::size_t m, std::size_t n,
                              std::size_t k, const float* a, const float* b, float* c, bool accumulate);

}  // namespace backflow::detail
