// The inner loop of the zero-skipping matmul (zero_skipping_gemm.cpp), built once per
// instruction set. This header is shared by code built with different instruction sets, so
// it declares only plain data and functions: no inline function or template that one
// build could emit with AVX-512 instructions and the linker hand to another.
#pragma once

#include <cstddef>
#include <cstdint>

namespace backflow::detail {

/// Rows of A per tile: each tile's entries hold one value per row.
inline constexpr std::size_t zero_skipping_tile_rows = 4;

/// A's rows, packed in tiles of zero_skipping_tile_rows: for tile t, the entries
/// first_entry[t] .. first_entry[t + 1] - 1 name each column p of A where at least one of
/// the tile's rows is non-zero (column[e] = p) and hold those rows' values at p
/// (value[e * 4 + r], 0 for a row past the end of A).
struct ZeroSkippingTiles {
  const std::uint32_t* first_entry;
  const std::uint32_t* column;
  const float* value;
  std::size_t tiles;
  std::size_t rows;  ///< rows of A covered: 4 per tile, fewer in a last partial tile
};

/// c[r, j] = sum over the tile entries e of value[e][r] * b[column[e], j]   (or +=, with
/// accumulate), for the tiles' rows r and the columns j in [0, width). `width` must be a
/// multiple of the kernel's vector width (zero_skipping_lanes_*); the caller pads the rest.
/// Each sum runs over the entries in column order, so the result does not depend on threads.
using ZeroSkippingKernel = void (*)(const ZeroSkippingTiles& a, const float* b, std::size_t ldb, float* c,
                                    std::size_t ldc, std::size_t width, bool accumulate);

/// The kernel built for the compiler's baseline (SSE2 on x86-64), always present.
void zero_skipping_tiles_baseline(const ZeroSkippingTiles& a, const float* b, std::size_t ldb, float* c,
                                  std::size_t ldc, std::size_t width, bool accumulate);
extern const std::size_t zero_skipping_lanes_baseline;

#ifdef BACKFLOW_HAVE_X86_KERNELS
/// Built with -mavx2 -mfma: call only where the CPU has both.
void zero_skipping_tiles_avx2(const ZeroSkippingTiles& a, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                              std::size_t width, bool accumulate);
extern const std::size_t zero_skipping_lanes_avx2;
/// Built with -mavx512f -mfma: call only where the CPU has AVX-512F.
void zero_skipping_tiles_avx512(const ZeroSkippingTiles& a, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                                std::size_t width, bool accumulate);
extern const std::size_t zero_skipping_lanes_avx512;
#endif

}  // namespace backflow::detail
