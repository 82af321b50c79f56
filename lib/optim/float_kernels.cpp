// The float32 update rules, compiled for several instruction sets (AVX-512, AVX2, plain
// x86-64) with the best one picked at run time. Adam over the MNIST model's 785,000 weights
// is bound by memory; split over the two parked workers it measured 0.39 ms per step here
// instead of 0.53 ms on one thread (each core brings its own share of cache bandwidth).
#include "float_kernels.hpp"

#include "update_rules.hpp"

#include "../tensor/kernels/parallel.hpp"

namespace backflow::detail {
namespace {

// Not under ThreadSanitizer: target_clones' resolver runs while the program loads, before
// TSan's runtime is up, and being instrumented it crashes there (g++ 12).
#if defined(__SANITIZE_THREAD__)  // g++
#define BACKFLOW_UNDER_TSAN
#elif defined(__has_feature)  // clang
#if __has_feature(thread_sanitizer)
#define BACKFLOW_UNDER_TSAN
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(BACKFLOW_UNDER_TSAN)
#define BACKFLOW_TARGET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define BACKFLOW_TARGET_CLONES
#endif

BACKFLOW_TARGET_CLONES
void adam_piece(float* data, const float* grad, float* mean, float* square_mean, std::size_t n, std::size_t step,
                double learning_rate, double beta1, double beta2, double epsilon) {
  adam_update(std::span<float>(data, n), std::span<const float>(grad, n), std::span<float>(mean, n),
              std::span<float>(square_mean, n), step, learning_rate, beta1, beta2, epsilon);
}

BACKFLOW_TARGET_CLONES
void sgd_piece(float* data, const float* grad, float* velocity, std::size_t n, double learning_rate, double momentum) {
  sgd_update(std::span<float>(data, n), std::span<const float>(grad, n), std::span<float>(velocity, n), learning_rate,
             momentum);
}

// Elements worth a thread of their own: the update streams seven floats per element.
constexpr std::size_t elements_per_thread = 64 * 1024;

}  // namespace

void adam_update_vectorised(std::span<float> data, std::span<const float> grad, std::span<float> mean,
                            std::span<float> square_mean, std::size_t step, double learning_rate, double beta1,
                            double beta2, double epsilon) {
  parallel_for(data.size(), elements_per_thread, [&](std::size_t begin, std::size_t end) {
    adam_piece(data.data() + begin, grad.data() + begin, mean.data() + begin, square_mean.data() + begin, end - begin,
               step, learning_rate, beta1, beta2, epsilon);
  });
}

void sgd_update_vectorised(std::span<float> data, std::span<const float> grad, std::span<float> velocity,
                           double learning_rate, double momentum) {
  sgd_piece(data.data(), grad.data(), velocity.data(), data.size(), learning_rate, momentum);
}

}  // namespace backflow::detail
