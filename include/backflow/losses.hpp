// backflow/losses.hpp: loss functions over Values, each one an ordinary expression so that
// backward() flows through it like through any other op.
#pragma once

#include <backflow/value.hpp>

#include <cstddef>
#include <vector>

namespace backflow {

/// x_1 + x_2 + ... (0 for an empty list).
Value sum(const std::vector<Value>& values);
/// The arithmetic mean; throws std::invalid_argument on an empty list.
Value mean(const std::vector<Value>& values);

/// The introduction's squared error of one output: (target - prediction)^2.
/// Its derivative is -2 (target - prediction): the delta rule's (t - y) with the opposite
/// sign (it measures error, not improvement) and a factor 2 from the square.
Value squared_error(const Value& prediction, const Value& target);

/// mean_i (target_i - prediction_i)^2; the sizes must match.
Value mean_squared_error(const std::vector<Value>& predictions, const std::vector<Value>& targets);

/// Max-margin loss for labels +1 / -1: mean_i relu(1 - label_i * score_i).
Value hinge_loss(const std::vector<Value>& scores, const std::vector<double>& labels);

/// -log softmax(logits)[target], computed stably (the largest logit is subtracted first).
Value softmax_cross_entropy(const std::vector<Value>& logits, std::size_t target);

/// alpha * sum_p p^2, the L2 penalty that keeps weights small.
Value l2_penalty(const std::vector<Value>& parameters, double alpha);

}  // namespace backflow
