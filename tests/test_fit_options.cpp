// fit's options and what it reports: the seed fixes the shuffling, shuffle = false keeps the
// rows in order, and each EpochResult agrees with evaluate().
#include "blobs.hpp"

#include <backflow/layers.hpp>
#include <backflow/train.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

using backflow::LayerActivation;
using backflow::Sequential;
using backflow::Tensor;

namespace {

constexpr std::size_t train_rows = 100;
constexpr std::size_t batch_size = 16;  // 6 full batches and one of 4 rows

// Overlapping blobs: accuracy stays below 1, so its figures say something.
backflow::LabeledData blobs(std::size_t rows, std::uint64_t seed) { return fixtures::blobs(rows, seed, 1.0, 1.0); }

// The rows `indices` of a 2-D tensor, in that order.
Tensor rows_of(const Tensor& x, std::span<const std::size_t> indices) {
  const std::size_t columns = x.shape()[1];
  std::vector<float> values;
  for (std::size_t row : indices) {
    const auto first = x.data().begin() + static_cast<std::ptrdiff_t>(row * columns);
    values.insert(values.end(), first, first + static_cast<std::ptrdiff_t>(columns));
  }
  return Tensor({indices.size(), columns}, std::move(values));
}

// 0, 1, ..., train_rows - 1.
std::vector<std::size_t> rows_in_order() {
  std::vector<std::size_t> rows(train_rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

Sequential new_model() { return Sequential(4, {{8, LayerActivation::relu}, {3, LayerActivation::softmax}}, 1); }

std::vector<float> weights_of(const Sequential& model) {
  std::vector<float> all;
  for (const Tensor& p : model.parameters()) all.insert(all.end(), p.data().begin(), p.data().end());
  return all;
}

struct Trained {
  backflow::History history;
  std::vector<float> weights;
};

// Three epochs of Adam on blobs(100, 1) from the same initial weights.
Trained train(std::uint64_t seed, bool shuffle) {
  const Sequential model = new_model();
  backflow::Adam adam(model.parameters(), {.learning_rate = 0.01});
  backflow::FitOptions options;
  options.epochs = 3;
  options.batch_size = batch_size;
  options.seed = seed;
  options.shuffle = shuffle;
  options.progress = nullptr;
  Trained result{backflow::fit(model, adam, blobs(train_rows, 1), options), {}};
  result.weights = weights_of(model);
  return result;
}

// train() written out by hand: the batches taken in the order EpochOrder gives, the loss
// and accuracy measured before each step.
Trained train_by_hand(std::uint64_t seed, bool shuffle) {
  const auto data = blobs(train_rows, 1);
  const Sequential model = new_model();
  backflow::Adam adam(model.parameters(), {.learning_rate = 0.01});
  backflow::EpochOrder epoch_order(train_rows, seed, shuffle);
  Trained result;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    const std::span<const std::size_t> order = epoch_order.next_epoch();
    double loss_total = 0.0;
    std::size_t correct = 0;
    for (std::size_t begin = 0; begin < train_rows; begin += batch_size) {
      const auto batch = order.subspan(begin, std::min(batch_size, train_rows - begin));
      const Tensor x = rows_of(data.inputs, batch);
      const Tensor y = rows_of(data.targets, batch);
      const Tensor logits = model.logits(x);
      const Tensor loss = backflow::softmax_cross_entropy(logits, y);
      loss_total += loss.item() * static_cast<double>(batch.size());
      const auto predicted = backflow::argmax_rows(logits);
      const auto expected = backflow::argmax_rows(y);
      for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == expected[i] ? 1 : 0;
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
    backflow::EpochResult figures;
    figures.epoch = epoch;
    figures.loss = loss_total / static_cast<double>(train_rows);
    figures.accuracy = static_cast<double>(correct) / static_cast<double>(train_rows);
    result.history.epochs.push_back(figures);
  }
  result.weights = weights_of(model);
  return result;
}

// Every figure of two histories equal, bit for bit (the timings aside).
void check_same(const backflow::History& a, const backflow::History& b) {
  REQUIRE(a.epochs.size() == b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e) {
    CAPTURE(e);
    CHECK(a.epochs[e].epoch == b.epochs[e].epoch);
    CHECK(a.epochs[e].loss == b.epochs[e].loss);
    CHECK(a.epochs[e].accuracy == b.epochs[e].accuracy);
  }
}

}  // namespace

TEST_CASE("the same seed gives the same History bit for bit; another seed another one") {
  const Trained first = train(7, true);
  const Trained again = train(7, true);
  check_same(first.history, again.history);
  CHECK(first.weights == again.weights);

  // Another order of the rows changes every batch, so the first epoch's mean loss already.
  const Trained other = train(8, true);
  CHECK(other.history.epochs[0].loss != first.history.epochs[0].loss);
  CHECK(other.weights != first.weights);
}

TEST_CASE("shuffle = false visits the rows in order: the seed does not matter, and a loop by hand agrees") {
  const Trained in_order = train(7, false);
  check_same(in_order.history, train(8, false).history);
  CHECK(in_order.weights == train(8, false).weights);
  CHECK(in_order.weights != train(7, true).weights);

  // EpochOrder keeps 0, 1, ..., rows - 1 in every epoch, and training by hand in that order agrees.
  backflow::EpochOrder epoch_order(train_rows, 7, false);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const std::span<const std::size_t> order = epoch_order.next_epoch();
    CHECK(std::vector<std::size_t>(order.begin(), order.end()) == rows_in_order());
  }
  const Trained by_hand = train_by_hand(7, false);
  check_same(in_order.history, by_hand.history);
  CHECK(by_hand.weights == in_order.weights);
}

TEST_CASE("a shuffled fit takes its batches in the order EpochOrder gives: a replay by hand agrees bit for bit") {
  backflow::EpochOrder epoch_order(train_rows, 7);
  const auto copy = [](std::span<const std::size_t> order) {
    return std::vector<std::size_t>(order.begin(), order.end());
  };
  const std::vector<std::size_t> first = copy(epoch_order.next_epoch());
  const std::vector<std::size_t> second = copy(epoch_order.next_epoch());
  CHECK(first != second);  // a new order each epoch
  std::vector<std::size_t> sorted = second;
  std::ranges::sort(sorted);
  CHECK(sorted == rows_in_order());  // each row once

  const Trained fitted = train(7, true);
  const Trained by_hand = train_by_hand(7, true);
  check_same(fitted.history, by_hand.history);
  CHECK(by_hand.weights == fitted.weights);
}

TEST_CASE("each EpochResult holds its epoch, fractions of the data and evaluate()'s validation figures") {
  const auto data = blobs(train_rows, 1);
  const auto validation = blobs(30, 2);
  const Sequential model = new_model();
  backflow::Adam adam(model.parameters(), {.learning_rate = 0.01});
  backflow::FitOptions options;
  options.epochs = 3;
  options.batch_size = batch_size;
  options.progress = nullptr;
  options.validation = validation;
  const auto history = backflow::fit(model, adam, data, options);
  REQUIRE(history.epochs.size() == 3);
  for (std::size_t e = 0; e < 3; ++e) {
    const backflow::EpochResult& result = history.epochs[e];
    CAPTURE(e);
    CHECK(result.epoch == static_cast<int>(e + 1));
    CHECK(result.loss > 0.0);
    CHECK(std::isfinite(result.loss));
    // accuracy = rows right / rows
    const double rows_right = result.accuracy * static_cast<double>(train_rows);
    CHECK(rows_right == doctest::Approx(std::round(rows_right)).epsilon(1e-12));
    CHECK(result.accuracy >= 0.0);
    CHECK(result.accuracy <= 1.0);
    const double validation_rows_right = result.val_accuracy * 30.0;
    CHECK(validation_rows_right == doctest::Approx(std::round(validation_rows_right)).epsilon(1e-12));
    CHECK(result.val_accuracy <= 1.0);
    CHECK(result.val_loss > 0.0);
    CHECK(result.seconds >= result.train_seconds);
  }
  // The last epoch's validation figures are evaluate()'s on the trained model.
  const auto evaluation = backflow::evaluate(model, validation, batch_size);
  CHECK(history.epochs.back().val_loss == evaluation.loss);
  CHECK(history.epochs.back().val_accuracy == evaluation.accuracy);
  CHECK(evaluation.accuracy > 0.5);  // it did learn something (chance is 1/3)

  // Without validation data they stay 0.
  options.validation.reset();
  const auto without = backflow::fit(model, adam, data, options);
  CHECK(without.epochs.back().val_loss == 0.0);
  CHECK(without.epochs.back().val_accuracy == 0.0);
}

TEST_CASE("with a learning rate of 0 the training figures are evaluate()'s on the training data") {
  // The weights never change, so the loss and accuracy measured during the epoch are those of
  // the untrained model; without shuffling the batches are evaluate()'s too.
  const auto data = blobs(train_rows, 1);
  const Sequential model = new_model();
  backflow::SGD frozen(model.parameters(), 0.0);
  backflow::FitOptions options;
  options.epochs = 2;
  options.batch_size = batch_size;
  options.shuffle = false;
  options.progress = nullptr;
  const auto history = backflow::fit(model, frozen, data, options);
  const auto evaluation = backflow::evaluate(model, data, batch_size);
  for (const backflow::EpochResult& result : history.epochs) {
    CAPTURE(result.epoch);
    CHECK(result.loss == doctest::Approx(evaluation.loss).epsilon(1e-12));
    CHECK(result.accuracy == evaluation.accuracy);
  }
}
