// The update rules for float32 tensors, vectorised for the CPU they run on (float_kernels.cpp).
#pragma once

#include <cstddef>
#include <span>

namespace backflow::detail {

void adam_update_vectorised(std::span<float> data, std::span<const float> grad, std::span<float> mean,
                            std::span<float> square_mean, std::size_t step, double learning_rate, double beta1,
                            double beta2, double epsilon);

void sgd_update_vectorised(std::span<float> data, std::span<const float> grad, std::span<float> velocity,
                           double learning_rate, double momentum);

}  // namespace backflow::detail
