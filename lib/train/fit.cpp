// fit, evaluate and predict.
#include "batching.hpp"
#include "progress.hpp"

#include <backflow/train.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

namespace backflow {
namespace {

void check_data(const Sequential& model, const LabeledData& data, std::string_view what) {
  const Shape& x = data.inputs.shape();
  const Shape& y = data.targets.shape();
  if (x.size() != 2 || x[1] != model.inputs()) {
    throw std::invalid_argument(fmt::format("backflow: {}: inputs of shape {} do not fit the model's {} features", what,
                                            to_string(x), model.inputs()));
  }
  if (y.size() != 2 || y[0] != x[0] || y[1] != model.outputs()) {
    throw std::invalid_argument(fmt::format("backflow: {}: targets of shape {} do not fit inputs {} and {} outputs",
                                            what, to_string(y), to_string(x), model.outputs()));
  }
  // Loss and accuracy are means over the rows: with none they would be 0 / 0.
  if (x[0] == 0) {
    throw std::invalid_argument(
        fmt::format("backflow: {}: the data has no rows (inputs of shape {})", what, to_string(x)));
  }
}

// A batch of 0 rows never advances through the data.
void check_batch_size(std::size_t batch_size, std::string_view what) {
  if (batch_size == 0) throw std::invalid_argument(fmt::format("backflow: {}: batch_size must be at least 1", what));
}

std::size_t count_correct(const Tensor& outputs, const Tensor& targets) {
  const auto predicted = argmax_rows(outputs);
  const auto expected = argmax_rows(targets);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == expected[i] ? 1 : 0;
  return correct;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Not (rows + batch_size - 1) / batch_size: that wraps to 0 steps for a batch size near
// SIZE_MAX, the natural way to ask for one full batch.
std::size_t step_count(std::size_t rows, std::size_t batch_size) {
  return rows / batch_size + (rows % batch_size != 0 ? 1 : 0);
}

/// What one pass over the training data adds up: the loss summed over rows (each batch's
/// mean loss times its rows) and the rows predicted right, both before each step's update.
struct EpochTotals {
  double loss_sum = 0.0;
  std::size_t correct = 0;
};

/// One epoch: a forward pass, backward and an optimizer step for each batch of rows in
/// `order`; the last batch holds what is left.
EpochTotals train_one_epoch(const Sequential& model, Optimizer& optimizer, const LabeledData& data,
                            std::span<const std::size_t> order, std::size_t batch_size, int epoch,
                            detail::Progress& progress) {
  const std::size_t rows = order.size();
  const std::size_t steps = step_count(rows, batch_size);
  EpochTotals totals;
  for (std::size_t step = 0; step < steps; ++step) {
    const std::size_t begin = step * batch_size;
    const std::size_t end = begin + std::min(batch_size, rows - begin);
    const std::span<const std::size_t> batch = order.subspan(begin, end - begin);
    const Tensor x = detail::gather_rows(data.inputs, batch);
    const Tensor y = detail::gather_rows(data.targets, batch);
    const Tensor logits = model.logits(x);
    const Tensor loss = softmax_cross_entropy(logits, y);
    const double loss_value = loss.item();
    if (!std::isfinite(loss_value)) {
      const char* what = std::isnan(loss_value) ? "NaN" : "infinite";  // fmt would print NaN as "-nan" or "nan"
      throw TrainingDiverged(fmt::format(
          "backflow: fit: the loss became {} at epoch {}, step {} of {}; try a smaller learning rate (or look for "
          "NaN or infinite values in the data or a loaded model)",
          what, epoch, step + 1, steps));
    }
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    totals.loss_sum += loss_value * static_cast<double>(end - begin);
    totals.correct += count_correct(logits, y);
    const auto rows_seen = static_cast<double>(end);  // in this epoch, this batch included
    progress.update(step + 1, totals.loss_sum / rows_seen, static_cast<double>(totals.correct) / rows_seen);
  }
  return totals;
}

/// Throws TrainingDiverged when a step left a weight NaN or infinite. Each step's loss shows
/// what the step before it did, but nothing follows the epoch's last step: without this, a
/// diverged model would be evaluated, and saved, as if it were trained.
void check_weights_finite(const Sequential& model, int epoch) {
  for (const Tensor& parameter : model.parameters()) {
    const std::span<const float> values = parameter.data();
    if (!std::ranges::all_of(values, [](float v) { return std::isfinite(v); })) {
      throw TrainingDiverged(
          fmt::format("backflow: fit: {} became NaN or infinite in epoch {}; try a smaller learning rate",
                      parameter.label().empty() ? std::string_view("a weight") : parameter.label(), epoch));
    }
  }
}

}  // namespace

std::vector<std::size_t> argmax_rows(const Tensor& x) {
  if (x.shape().size() != 2 || x.shape()[1] == 0) {
    throw std::invalid_argument(
        fmt::format("backflow: argmax_rows: needs a matrix [rows, classes] with at least one class, got shape {}",
                    to_string(x.shape())));
  }
  const std::size_t cols = x.shape().back();
  const std::size_t rows = x.size() / cols;
  const float* v = x.data().data();
  std::vector<std::size_t> result(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    result[r] = static_cast<std::size_t>(std::max_element(v + r * cols, v + (r + 1) * cols) - (v + r * cols));
  }
  return result;
}

History fit(const Sequential& model, Optimizer& optimizer, const LabeledData& data, const FitOptions& options) {
  check_data(model, data, "fit");
  if (options.validation) check_data(model, *options.validation, "fit (validation data)");
  check_batch_size(options.batch_size, "fit");
  const std::size_t rows = data.inputs.shape()[0];
  EpochOrder epoch_order(rows, options.seed, options.shuffle);
  History history;

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    if (options.progress != nullptr) fmt::print(options.progress, "Epoch {}/{}\n", epoch, options.epochs);
    const auto epoch_start = std::chrono::steady_clock::now();
    const std::span<const std::size_t> order = epoch_order.next_epoch();
    detail::Progress progress(options.progress, step_count(rows, options.batch_size));
    const EpochTotals totals = train_one_epoch(model, optimizer, data, order, options.batch_size, epoch, progress);
    check_weights_finite(model, epoch);
    EpochResult result;
    result.epoch = epoch;
    result.train_seconds = seconds_since(epoch_start);
    result.loss = totals.loss_sum / static_cast<double>(rows);
    result.accuracy = static_cast<double>(totals.correct) / static_cast<double>(rows);
    std::string extra;
    if (options.validation) {
      const Evaluation val = evaluate(model, *options.validation, options.batch_size);
      if (!std::isfinite(val.loss)) {
        throw TrainingDiverged(fmt::format(
            "backflow: fit: the validation loss became {} after epoch {}, with finite weights: look for NaN or "
            "infinite values in the validation data, or try a smaller learning rate",
            std::isnan(val.loss) ? "NaN" : "infinite", epoch));
      }
      result.val_loss = val.loss;
      result.val_accuracy = val.accuracy;
      extra = fmt::format(" - val_accuracy: {:.4f} - val_loss: {:.4f}", val.accuracy, val.loss);
    }
    result.seconds = seconds_since(epoch_start);
    progress.finish(result.loss, result.accuracy, extra);
    history.epochs.push_back(result);
  }
  return history;
}

Evaluation evaluate(const Sequential& model, const LabeledData& data, std::size_t batch_size) {
  check_data(model, data, "evaluate");
  check_batch_size(batch_size, "evaluate");
  NoGradGuard no_graph;
  const std::size_t rows = data.inputs.shape()[0];
  double loss_total = 0.0;
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < rows; begin += batch_size) {
    const std::size_t end = begin + std::min(batch_size, rows - begin);
    const Tensor x = detail::slice_rows(data.inputs, begin, end);
    const Tensor y = detail::slice_rows(data.targets, begin, end);
    const Tensor logits = model.logits(x);
    loss_total += softmax_cross_entropy(logits, y).item() * static_cast<double>(end - begin);
    correct += count_correct(logits, y);
  }
  return {loss_total / static_cast<double>(rows), static_cast<double>(correct) / static_cast<double>(rows)};
}

Tensor predict(const Sequential& model, const Tensor& inputs, std::size_t batch_size) {
  if (inputs.rank() != 2 || inputs.shape()[1] != model.inputs()) {
    throw std::invalid_argument(fmt::format("backflow: predict: inputs of shape {} do not fit the model's {} features",
                                            to_string(inputs.shape()), model.inputs()));
  }
  check_batch_size(batch_size, "predict");
  NoGradGuard no_graph;
  const std::size_t rows = inputs.shape()[0];
  const std::size_t outputs = model.outputs();
  std::vector<float> all(rows * outputs);
  for (std::size_t begin = 0; begin < rows; begin += batch_size) {
    const std::size_t end = begin + std::min(batch_size, rows - begin);
    const Tensor out = model(detail::slice_rows(inputs, begin, end));
    std::copy(out.data().begin(), out.data().end(), all.begin() + static_cast<std::ptrdiff_t>(begin * outputs));
  }
  return Tensor({rows, outputs}, std::move(all));
}

}  // namespace backflow
