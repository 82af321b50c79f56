#include <backflow/losses.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace backflow {
namespace {

void require_same_size(const char* what, std::size_t a, std::size_t b) {
  if (a != b) throw std::invalid_argument(fmt::format("backflow: {}: {} predictions but {} targets", what, a, b));
}

}  // namespace

Value sum(const std::vector<Value>& values) {
  if (values.empty()) return Value(0.0);
  Value total = values.front();
  for (std::size_t i = 1; i < values.size(); ++i) total = total + values[i];
  return total;
}

Value mean(const std::vector<Value>& values) {
  if (values.empty()) throw std::invalid_argument("backflow: mean of an empty list");
  return sum(values) / static_cast<double>(values.size());
}

Value squared_error(const Value& prediction, const Value& target) { return (target - prediction).pow(2.0); }

Value mean_squared_error(const std::vector<Value>& predictions, const std::vector<Value>& targets) {
  require_same_size("mean_squared_error", predictions.size(), targets.size());
  std::vector<Value> errors;
  for (std::size_t i = 0; i < predictions.size(); ++i) errors.push_back(squared_error(predictions[i], targets[i]));
  return mean(errors);
}

Value hinge_loss(const std::vector<Value>& scores, const std::vector<double>& labels) {
  require_same_size("hinge_loss", scores.size(), labels.size());
  std::vector<Value> margins;
  for (std::size_t i = 0; i < scores.size(); ++i) margins.push_back((1.0 - labels[i] * scores[i]).relu());
  return mean(margins);
}

Value softmax_cross_entropy(const std::vector<Value>& logits, std::size_t target) {
  if (target >= logits.size()) {
    throw std::invalid_argument(
        fmt::format("backflow: softmax_cross_entropy: class {} but only {} logits", target, logits.size()));
  }
  // log sum_j exp(z_j) - z_t, with the largest logit (a constant) subtracted so exp cannot overflow.
  double largest = logits.front().data();
  for (const Value& z : logits) largest = std::max(largest, z.data());
  std::vector<Value> exps;
  for (const Value& z : logits) exps.push_back((z - largest).exp());
  return sum(exps).log() - (logits[target] - largest);
}

Value l2_penalty(const std::vector<Value>& parameters, double alpha) {
  std::vector<Value> squares;
  for (const Value& p : parameters) squares.push_back(p * p);
  return alpha * sum(squares);
}

}  // namespace backflow
