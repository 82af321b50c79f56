// Chooses the matmul kernel (zero-skipping for a mostly-zero left operand, else OpenBLAS or
// portable) and owns the thread-count setting.
//
// OpenBLAS itself runs single-threaded: backflow splits each large product into one block
// of C per thread and hands each block to its own single-threaded sgemm. For the MNIST
// model's shapes that measured about 10% faster here than OpenBLAS's own threading, and no
// OpenBLAS worker spins on the other core while backflow's elementwise code runs.
#include "gemm.hpp"
#include "parallel.hpp"
#include "zero_skipping_gemm.hpp"

#include <backflow/tensor.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#ifdef BACKFLOW_HAVE_CBLAS
#include <cblas.h>
#endif

namespace backflow {
namespace {

constexpr int max_threads = 1024;

int threads_from_environment() {
  const char* text = std::getenv("BACKFLOW_NUM_THREADS");
  if (text == nullptr || *text == '\0') {
    return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, max_threads);
  }
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);  // skips leading spaces and signs: hence the digit test
  if (std::isdigit(static_cast<unsigned char>(text[0])) == 0 || *end != '\0' || value < 1 || value > max_threads) {
    throw std::invalid_argument(
        fmt::format("backflow: BACKFLOW_NUM_THREADS='{}' is not a thread count (1-1024)", text));
  }
  return static_cast<int>(value);
}

struct ThreadSetting {
  // Read by every kernel call, on whatever thread it runs. 0 until set_num_threads() or the
  // first num_threads(), so that a setting made in code overrides a bad BACKFLOW_NUM_THREADS.
  std::atomic<int> threads{0};
  ThreadSetting() {
#ifdef BACKFLOW_HAVE_CBLAS
    openblas_set_num_threads(1);  // the threads are ours (see the top of this file)
#endif
  }
};

ThreadSetting& thread_setting() {
  static ThreadSetting setting;
  return setting;
}

}  // namespace

void set_num_threads(int threads) {
  if (threads < 1 || threads > max_threads) {
    throw std::invalid_argument(
        fmt::format("backflow: set_num_threads({}): need 1 to {} threads", threads, max_threads));
  }
  thread_setting().threads.store(threads, std::memory_order_relaxed);
}

int num_threads() {
  std::atomic<int>& threads = thread_setting().threads;
  int count = threads.load(std::memory_order_relaxed);
  if (count == 0) {
    int unset = 0;
    count = threads_from_environment();
    if (!threads.compare_exchange_strong(unset, count, std::memory_order_relaxed)) count = unset;  // set meanwhile
  }
  return count;
}

std::string matmul_backend() {
#ifdef BACKFLOW_HAVE_CBLAS
  std::string dense = fmt::format("OpenBLAS cblas_sgemm ({})", openblas_get_config());
#else
  std::string dense = "portable blocked kernel";
#endif
  return fmt::format("{}; mostly-zero inputs: zero-skipping {} kernel{}", dense,
                     detail::zero_skipping_instruction_set(), zero_skipping() ? "" : " (turned off)");
}

namespace detail {

void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
          const float* b, float* c, bool accumulate) {
  thread_setting();  // quiets OpenBLAS's own threads before the first multiply
  if (!transpose_b && gemm_skipping_zeros(transpose_a, m, n, k, a, b, c, accumulate)) return;
#ifdef BACKFLOW_HAVE_CBLAS
  const auto lda = static_cast<blasint>(transpose_a ? m : k);
  const auto ldb = static_cast<blasint>(transpose_b ? k : n);
  const auto ldc = static_cast<blasint>(n);
  // One block of C per thread: whole rows when C is tall, whole columns when it is wide.
  // Small products are not worth starting a thread for.
  const bool by_rows = m >= n;
  const std::size_t min_piece = m * n * k < 4'000'000 ? SIZE_MAX : 64;
  parallel_for(by_rows ? m : n, min_piece, [&](std::size_t begin, std::size_t end) {
    // Row block: rows [begin, end) of op(A) and C. Column block: columns of op(B) and C.
    const float* a_block = by_rows ? a + (transpose_a ? begin : begin * k) : a;
    const float* b_block = by_rows ? b : b + (transpose_b ? begin * k : begin);
    float* c_block = by_rows ? c + begin * n : c + begin;
    const auto rows = static_cast<blasint>(by_rows ? end - begin : m);
    const auto cols = static_cast<blasint>(by_rows ? n : end - begin);
    cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, rows,
                cols, static_cast<blasint>(k), 1.0F, a_block, lda, b_block, ldb, accumulate ? 1.0F : 0.0F, c_block,
                ldc);
  });
#else
  gemm_portable(transpose_a, transpose_b, m, n, k, a, b, c, accumulate);
#endif
}

}  // namespace detail
}  // namespace backflow
