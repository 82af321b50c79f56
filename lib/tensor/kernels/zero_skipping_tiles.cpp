// The zero-skipping matmul's inner loop. Meson builds this file once per instruction set
// (lib/meson.build): BACKFLOW_KERNEL_SUFFIX names the build (baseline, avx2, avx512) and
// BACKFLOW_VECTOR_BYTES is its vector width. The code is written once with GCC/Clang
// vector types; the compiler turns them into SSE, AVX2 or AVX-512 instructions.
//
// Everything here has internal linkage and the file includes no header with inline code
// (see zero_skipping_tiles.hpp): a template instantiated here with AVX-512 instructions
// must never be the copy the linker keeps for the rest of the library.
#include "zero_skipping_tiles.hpp"

#ifndef BACKFLOW_KERNEL_SUFFIX
#define BACKFLOW_KERNEL_SUFFIX baseline
#endif
#ifndef BACKFLOW_VECTOR_BYTES
#define BACKFLOW_VECTOR_BYTES 16
#endif

#define BACKFLOW_PASTE_(a, b) a##b
#define BACKFLOW_PASTE(a, b) BACKFLOW_PASTE_(a, b)
#define BACKFLOW_KERNEL_NAME BACKFLOW_PASTE(zero_skipping_tiles_, BACKFLOW_KERNEL_SUFFIX)
#define BACKFLOW_LANES_NAME BACKFLOW_PASTE(zero_skipping_lanes_, BACKFLOW_KERNEL_SUFFIX)

namespace backflow::detail {
namespace {

constexpr std::size_t vector_bytes = BACKFLOW_VECTOR_BYTES;
constexpr std::size_t lanes = vector_bytes / sizeof(float);
constexpr std::size_t tile_rows = zero_skipping_tile_rows;
using Vector = float __attribute__((vector_size(vector_bytes)));

// Registers decide the block: tile_rows x vectors_per_block accumulators, plus one vector
// per block column of B and one broadcast value, must fit in the register file (16
// vector registers for SSE and AVX2, 32 for AVX-512).
constexpr std::size_t vectors_per_block = vector_bytes == 64 ? 6 : vector_bytes == 32 ? 3 : 2;

// Unaligned loads and stores; memcpy of one vector compiles to a single instruction.
Vector load(const float* p) {
  Vector v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
void store(float* p, Vector v) { __builtin_memcpy(p, &v, sizeof v); }

/// One tile of rows times `vectors` vectors of columns of B, starting at column j0.
/// The accumulators live in registers for the whole walk over the tile's entries; each
/// entry loads its row of B once and uses it for all the tile's rows.
template <std::size_t vectors>
void multiply_block(const ZeroSkippingTiles& a, std::size_t tile, const float* b, std::size_t ldb, float* c,
                    std::size_t ldc, std::size_t j0, bool accumulate) {
  Vector sum[tile_rows][vectors];
#pragma GCC unroll 8
  for (std::size_t r = 0; r < tile_rows; ++r) {
#pragma GCC unroll 8
    for (std::size_t q = 0; q < vectors; ++q) sum[r][q] = Vector{};
  }
  for (std::uint32_t e = a.first_entry[tile]; e < a.first_entry[tile + 1]; ++e) {
    const float* b_row = b + a.column[e] * ldb + j0;
    const float* values = a.value + e * tile_rows;
    Vector b_part[vectors];
#pragma GCC unroll 8
    for (std::size_t q = 0; q < vectors; ++q) b_part[q] = load(b_row + q * lanes);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < tile_rows; ++r) {
      const float a_value = values[r];
#pragma GCC unroll 8
      for (std::size_t q = 0; q < vectors; ++q) sum[r][q] += a_value * b_part[q];
    }
  }
  const std::size_t first_row = tile * tile_rows;
  const std::size_t rows = a.rows - first_row < tile_rows ? a.rows - first_row : tile_rows;
  for (std::size_t r = 0; r < rows; ++r) {
    float* c_row = c + (first_row + r) * ldc + j0;
#pragma GCC unroll 8
    for (std::size_t q = 0; q < vectors; ++q) {
      store(c_row + q * lanes, accumulate ? load(c_row + q * lanes) + sum[r][q] : sum[r][q]);
    }
  }
}

/// The last few vectors of a row, fewer than a block.
template <std::size_t vectors>
void multiply_remainder(std::size_t count, const ZeroSkippingTiles& a, std::size_t tile, const float* b,
                        std::size_t ldb, float* c, std::size_t ldc, std::size_t j0, bool accumulate) {
  if constexpr (vectors > 0) {
    if (count == vectors) {
      multiply_block<vectors>(a, tile, b, ldb, c, ldc, j0, accumulate);
    } else {
      multiply_remainder<vectors - 1>(count, a, tile, b, ldb, c, ldc, j0, accumulate);
    }
  }
}

}  // namespace

// extern: a const is file-local otherwise; constinit: no start-up code runs in this file.
extern constinit const std::size_t BACKFLOW_LANES_NAME = lanes;

void BACKFLOW_KERNEL_NAME(const ZeroSkippingTiles& a, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                          std::size_t width, bool accumulate) {
  constexpr std::size_t block_width = vectors_per_block * lanes;
  const std::size_t full_blocks_end = width / block_width * block_width;
  // Blocks of columns outermost: one block's slice of B stays in cache while every tile
  // walks over it.
  for (std::size_t j0 = 0; j0 < full_blocks_end; j0 += block_width) {
    for (std::size_t tile = 0; tile < a.tiles; ++tile) {
      multiply_block<vectors_per_block>(a, tile, b, ldb, c, ldc, j0, accumulate);
    }
  }
  const std::size_t remaining_vectors = (width - full_blocks_end) / lanes;
  if (remaining_vectors == 0) return;
  for (std::size_t tile = 0; tile < a.tiles; ++tile) {
    multiply_remainder<vectors_per_block - 1>(remaining_vectors, a, tile, b, ldb, c, ldc, full_blocks_end, accumulate);
  }
}

}  // namespace backflow::detail
