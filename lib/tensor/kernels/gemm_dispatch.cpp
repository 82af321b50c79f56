// Chooses the matmul kernel (OpenBLAS or portable) and owns the thread-count setting.
#include "gemm.hpp"

#include <backflow/tensor.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef BACKFLOW_HAVE_CBLAS
#include <cblas.h>
#endif

namespace backflow {
namespace {

int threads_from_environment() {
  const char* text = std::getenv("BACKFLOW_NUM_THREADS");
  if (text == nullptr || *text == '\0') return 0;  // 0: the BLAS default (all cores)
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1 || value > 1024) {
    throw std::invalid_argument(fmt::format("backflow: BACKFLOW_NUM_THREADS='{}' is not a thread count (1-1024)", text));
  }
  return static_cast<int>(value);
}

struct ThreadSetting {
  int threads;
  ThreadSetting() : threads(threads_from_environment()) {
    if (threads > 0) apply();
  }
  void apply() const {
#ifdef BACKFLOW_HAVE_CBLAS
    openblas_set_num_threads(threads);
#endif
  }
};

ThreadSetting& thread_setting() {
  static ThreadSetting setting;
  return setting;
}

}  // namespace

void set_num_threads(int threads) {
  if (threads < 1) throw std::invalid_argument(fmt::format("backflow: set_num_threads({}): need at least 1", threads));
  thread_setting().threads = threads;
  thread_setting().apply();
}

int num_threads() {
  const int threads = thread_setting().threads;
  if (threads > 0) return threads;
#ifdef BACKFLOW_HAVE_CBLAS
  return openblas_get_num_threads();
#else
  return 1;
#endif
}

std::string matmul_backend() {
#ifdef BACKFLOW_HAVE_CBLAS
  return fmt::format("OpenBLAS cblas_sgemm ({})", openblas_get_config());
#else
  return "portable blocked kernel";
#endif
}

namespace detail {

void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
          const float* b, float* c, bool accumulate) {
  thread_setting();  // applies BACKFLOW_NUM_THREADS before the first multiply
#ifdef BACKFLOW_HAVE_CBLAS
  const auto lda = static_cast<blasint>(transpose_a ? m : k);
  const auto ldb = static_cast<blasint>(transpose_b ? k : n);
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.0F, a, lda, b, ldb,
              accumulate ? 1.0F : 0.0F, c, static_cast<blasint>(n));
#else
  gemm_portable(transpose_a, transpose_b, m, n, k, a, b, c, accumulate);
#endif
}

}  // namespace detail
}  // namespace backflow
