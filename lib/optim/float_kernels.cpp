// The float32 update rules, compiled for several instruction sets (AVX-512, AVX2, plain
// x86-64) with the best one picked at run time, and spread over the worker threads: Adam
// reads and writes four arrays per parameter, so for the 785,000 weights of the MNIST
// model it is worth both.
#include "float_kernels.hpp"

#include "../tensor/kernels/parallel.hpp"
#include "update_rules.hpp"

namespace backflow::detail {
namespace {

#if defined(__x86_64__) && defined(__GNUC__)
#define BACKFLOW_TARGET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define BACKFLOW_TARGET_CLONES
#endif

constexpr std::size_t min_piece = 64 * 1024;

BACKFLOW_TARGET_CLONES
void adam_piece(float* data, const float* grad, float* mean, float* square_mean, std::size_t n, std::size_t step,
                double learning_rate, double beta1, double beta2, double epsilon) {
  adam_update(std::span<float>(data, n), std::span<const float>(grad, n), std::span<float>(mean, n),
              std::span<float>(square_mean, n), step, learning_rate, beta1, beta2, epsilon);
}

BACKFLOW_TARGET_CLONES
void sgd_piece(float* data, const float* grad, float* velocity, std::size_t n, double learning_rate, double momentum) {
  sgd_update(std::span<float>(data, n), std::span<const float>(grad, n), std::span<float>(velocity, n),
             learning_rate, momentum);
}

}  // namespace

void adam_update_parallel(std::span<float> data, std::span<const float> grad, std::span<float> mean,
                          std::span<float> square_mean, std::size_t step, double learning_rate, double beta1,
                          double beta2, double epsilon) {
  parallel_for(data.size(), min_piece, [&](std::size_t begin, std::size_t end) {
    adam_piece(data.data() + begin, grad.data() + begin, mean.data() + begin, square_mean.data() + begin,
               end - begin, step, learning_rate, beta1, beta2, epsilon);
  });
}

void sgd_update_parallel(std::span<float> data, std::span<const float> grad, std::span<float> velocity,
                         double learning_rate, double momentum) {
  parallel_for(data.size(), min_piece, [&](std::size_t begin, std::size_t end) {
    sgd_piece(data.data() + begin, grad.data() + begin, velocity.data() + begin, end - begin, learning_rate,
              momentum);
  });
}

}  // namespace backflow::detail
