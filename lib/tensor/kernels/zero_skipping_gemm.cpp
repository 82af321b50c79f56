// The zero-skipping matmul: packs op(A)'s non-zeros in tiles of rows, then runs the
// kernel built for this CPU's widest instruction set (zero_skipping_tiles.cpp).
//
// Why it pays: the first layer of an MNIST network multiplies a batch of digits, 81% of
// whose pixels are 0, by the weights (forward), and the transposed batch by the
// gradient (backward). Those two products are three quarters of a training step's time.
// Skipping every zero would leave a fifth of the multiply-adds. Tiles of 4 rows share each
// row of B they load; within a tile, a column is kept when any of its 4 rows is non-zero
// (39% of columns for MNIST, against 100% for sgemm), and the kernel then runs at about
// sgemm's speed per multiply-add.
#include "zero_skipping_gemm.hpp"

#include "parallel.hpp"
#include "zero_skipping_tiles.hpp"

#include <backflow/tensor.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace backflow {
namespace {

std::atomic<bool>& zero_skipping_setting() {
  static std::atomic<bool> enabled{true};
  return enabled;
}

}  // namespace

void set_zero_skipping(bool enabled) { zero_skipping_setting().store(enabled, std::memory_order_relaxed); }

bool zero_skipping() { return zero_skipping_setting().load(std::memory_order_relaxed); }

namespace detail {
namespace {

/// A non-zero fraction no matrix has: the kernel is never chosen by gemm().
constexpr double never_chosen = -1.0;

struct KernelChoice {
  ZeroSkippingKernel kernel;
  std::size_t lanes;
  const char* instruction_set;
  /// Skip zeros only when at most this fraction of op(A) is non-zero. A 4-row tile keeps a
  /// column when any of its rows is non-zero, about twice the non-zero fraction for
  /// images; the kernels match sgemm's speed (AVX-512) or reach 70% of it (AVX2) per
  /// multiply-add kept, so these limits leave a clear gain. The baseline build (SSE2)
  /// runs at a quarter of sgemm's speed: against OpenBLAS it never pays.
  double max_nonzero_fraction;
};

/// The kernels this CPU can run, widest first.
std::vector<KernelChoice> usable_kernels() {
  std::vector<KernelChoice> kernels;
#ifdef BACKFLOW_HAVE_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) {
    kernels.push_back({zero_skipping_tiles_avx512, zero_skipping_lanes_avx512, "AVX-512", 0.3});
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernels.push_back({zero_skipping_tiles_avx2, zero_skipping_lanes_avx2, "AVX2", 0.2});
  }
#endif
#ifdef BACKFLOW_HAVE_CBLAS
  constexpr double baseline_limit = never_chosen;
#else
  constexpr double baseline_limit = 0.2;  // against the portable kernel, which is no faster per multiply-add
#endif
  kernels.push_back({zero_skipping_tiles_baseline, zero_skipping_lanes_baseline, "baseline", baseline_limit});
  return kernels;
}

const KernelChoice& kernel_choice() {
  static const KernelChoice choice = usable_kernels().front();
  return choice;
}

/// Whether no value is an infinity or NaN (all exponent bits set). An integer test, so that
/// the loop vectorises.
bool all_finite(const float* values, std::size_t count) {
  constexpr std::uint32_t exponent_bits = 0x7f80'0000U;
  std::uint32_t any_non_finite = 0;
  for (std::size_t i = 0; i < count; ++i) {
    any_non_finite |= (std::bit_cast<std::uint32_t>(values[i]) & exponent_bits) == exponent_bits ? 1U : 0U;
  }
  return any_non_finite == 0;
}

double nonzero_fraction(const float* a, std::size_t count) {
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < count; ++i) nonzero += a[i] != 0.0F ? 1 : 0;
  return static_cast<double>(nonzero) / static_cast<double>(count);
}

/// Owns the packed form of some rows of op(A) (see ZeroSkippingTiles).
struct PackedRows {
  std::vector<std::uint32_t> first_entry;
  std::vector<std::uint32_t> column;
  std::vector<float> value;

  /// Packs rows [row_begin, row_end) of op(A), where op(A)[i, p] = a[i * row_stride + p * column_stride].
  void pack(const float* a, std::size_t row_stride, std::size_t column_stride, std::size_t row_begin,
            std::size_t row_end, std::size_t k) {
    const std::size_t tiles = (row_end - row_begin + zero_skipping_tile_rows - 1) / zero_skipping_tile_rows;
    first_entry.resize(tiles + 1);
    column.resize(tiles * k);  // room for every column; most stay unused
    value.resize(tiles * k * zero_skipping_tile_rows);
    std::size_t entries = 0;
    for (std::size_t tile = 0; tile < tiles; ++tile) {
      first_entry[tile] = static_cast<std::uint32_t>(entries);
      const std::size_t first_row = row_begin + tile * zero_skipping_tile_rows;
      const std::size_t rows = std::min(zero_skipping_tile_rows, row_end - first_row);
      for (std::size_t p = 0; p < k; ++p) {
        // Every column is written, and kept (entries advances) only when non-zero: no
        // branch to mispredict on the irregular pattern of zeros.
        float* values = value.data() + entries * zero_skipping_tile_rows;
        bool any_nonzero = false;
        for (std::size_t r = 0; r < zero_skipping_tile_rows; ++r) {
          values[r] = r < rows ? a[(first_row + r) * row_stride + p * column_stride] : 0.0F;
          any_nonzero |= values[r] != 0.0F;  // NaN counts as non-zero, so it propagates
        }
        column[entries] = static_cast<std::uint32_t>(p);
        entries += any_nonzero ? 1 : 0;
      }
    }
    first_entry[tiles] = static_cast<std::uint32_t>(entries);
  }

  ZeroSkippingTiles view(std::size_t rows) const {
    return {first_entry.data(), column.data(), value.data(), first_entry.size() - 1, rows};
  }
};

/// Rows [row_begin, row_end) of C. Columns up to the last whole vector go straight to
/// the kernel; the few after it go through copies padded with zeros to one vector, so
/// the kernel never handles a partial vector.
void multiply_rows(const KernelChoice& choice, bool transpose_a, std::size_t row_begin, std::size_t row_end,
                   std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c,
                   bool accumulate) {
  thread_local PackedRows packed;
  packed.pack(a, transpose_a ? 1 : k, transpose_a ? m : 1, row_begin, row_end, k);
  const ZeroSkippingTiles tiles = packed.view(row_end - row_begin);
  float* c_rows = c + row_begin * n;
  const std::size_t lanes = choice.lanes;
  const std::size_t whole_width = n / lanes * lanes;
  if (whole_width > 0) choice.kernel(tiles, b, n, c_rows, n, whole_width, accumulate);
  const std::size_t rest = n - whole_width;
  if (rest == 0) return;
  thread_local std::vector<float> b_padded;
  thread_local std::vector<float> c_padded;
  b_padded.assign(k * lanes, 0.0F);
  c_padded.assign(tiles.rows * lanes, 0.0F);
  for (std::size_t p = 0; p < k; ++p) std::copy_n(b + p * n + whole_width, rest, b_padded.data() + p * lanes);
  if (accumulate) {
    for (std::size_t r = 0; r < tiles.rows; ++r) {
      std::copy_n(c_rows + r * n + whole_width, rest, c_padded.data() + r * lanes);
    }
  }
  choice.kernel(tiles, b_padded.data(), lanes, c_padded.data(), lanes, lanes, accumulate);
  for (std::size_t r = 0; r < tiles.rows; ++r) {
    std::copy_n(c_padded.data() + r * lanes, rest, c_rows + r * n + whole_width);
  }
}

void multiply_skipping_zeros(const KernelChoice& choice, bool transpose_a, std::size_t m, std::size_t n, std::size_t k,
                             const float* a, const float* b, float* c, bool accumulate) {
  // Whole tiles per thread; each thread packs and multiplies its own rows of C.
  const std::size_t tiles = (m + zero_skipping_tile_rows - 1) / zero_skipping_tile_rows;
  const std::size_t min_tiles = m * n * k < 1'000'000 ? tiles + 1 : 1;
  parallel_for(tiles, min_tiles, [&](std::size_t tile_begin, std::size_t tile_end) {
    const std::size_t row_begin = tile_begin * zero_skipping_tile_rows;
    const std::size_t row_end = std::min(m, tile_end * zero_skipping_tile_rows);
    if (row_begin < row_end) multiply_rows(choice, transpose_a, row_begin, row_end, m, n, k, a, b, c, accumulate);
  });
}

}  // namespace

bool gemm_skipping_zeros(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b,
                         float* c, bool accumulate) {
  const KernelChoice& choice = kernel_choice();
  // Small or narrow products gain too little to pay for packing A; the packed entries are
  // counted in 32 bits.
  if (!zero_skipping() || m * n * k < 4'000'000 || n < 4 * choice.lanes ||
      m * k > std::numeric_limits<std::uint32_t>::max()) {
    return false;
  }
  // A count first, so that a dense A costs one quick pass and no packing.
  if (nonzero_fraction(a, m * k) > choice.max_nonzero_fraction) return false;
  // sgemm turns 0 x infinity into NaN; skipping the 0 would not. A B that holds an infinity
  // or NaN (a diverged model) goes to sgemm, so both kernels give the same non-finite results.
  if (!all_finite(b, k * n)) return false;
  multiply_skipping_zeros(choice, transpose_a, m, n, k, a, b, c, accumulate);
  return true;
}

std::string zero_skipping_instruction_set() { return kernel_choice().instruction_set; }

std::vector<std::string> zero_skipping_instruction_sets() {
  std::vector<std::string> names;
  for (const KernelChoice& kernel : usable_kernels()) names.emplace_back(kernel.instruction_set);
  return names;
}

void gemm_skipping_zeros_with(std::string_view instruction_set, bool transpose_a, std::size_t m, std::size_t n,
                              std::size_t k, const float* a, const float* b, float* c, bool accumulate) {
  for (const KernelChoice& kernel : usable_kernels()) {
    if (kernel.instruction_set == instruction_set) {
      multiply_skipping_zeros(kernel, transpose_a, m, n, k, a, b, c, accumulate);
      return;
    }
  }
  throw std::invalid_argument(fmt::format("backflow: no zero-skipping kernel for '{}' on this CPU", instruction_set));
}

}  // namespace detail
}  // namespace backflow
