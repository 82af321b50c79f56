// backflow/train.hpp: Keras' fit / evaluate / predict for Sequential models, with a progress
// display, and save / load of trained models.
#pragma once

#include <backflow/layers.hpp>
#include <backflow/optim.hpp>
#include <backflow/random.hpp>
#include <backflow/tensor.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

namespace backflow {

/// Inputs [n, features] and one-hot targets [n, classes].
struct LabeledData {
  Tensor inputs;   ///< [n, features]
  Tensor targets;  ///< [n, classes], one-hot
};

/// How fit() trains.
struct FitOptions {
  /// Passes over the training data.
  int epochs = 5;
  /// Rows per update step (the last batch of an epoch may be smaller).
  std::size_t batch_size = 1024;
  std::uint64_t seed = 42;  ///< for the shuffling (see EpochOrder)
  /// Visit the rows in a new random order every epoch.
  bool shuffle = true;
  /// Evaluated after each epoch (Keras' validation_data).
  std::optional<LabeledData> validation;
  /// Where progress goes; nullptr for none. A terminal gets a live bar, anything else
  /// whole lines.
  std::FILE* progress = stdout;
};

/// The order in which fit() visits the rows, epoch after epoch: 0, 1, ..., rows - 1, shuffled
/// anew for each epoch by Random(seed, 1) when `shuffle` is on. fit() takes its batches from
/// this class, so a replay elsewhere (bench_mnist's numpy replay) can see the very same batches.
class EpochOrder {
 public:
  /// The orders of fit() with FitOptions `seed` and `shuffle` over `rows` rows.
  EpochOrder(std::size_t rows, std::uint64_t seed, bool shuffle = true);
  /// The next epoch's order of row indices; valid until the next call.
  std::span<const std::size_t> next_epoch();

 private:
  std::vector<std::size_t> order_;
  Random random_;
  bool shuffle_;
};

/// What one epoch measured. Training loss and accuracy are averages over the epoch's batches,
/// weighted by batch size.
struct EpochResult {
  int epoch = 0;               ///< counted from 1
  double loss = 0.0;           ///< training loss
  double accuracy = 0.0;       ///< training accuracy, 0 to 1
  double val_loss = 0.0;       ///< validation loss (0 without validation data)
  double val_accuracy = 0.0;   ///< validation accuracy (0 without validation data)
  double seconds = 0.0;        ///< the whole epoch, validation included
  double train_seconds = 0.0;  ///< the epoch's training loop (batches, steps, progress), not validation
};

/// What fit() returns: one result per epoch, as Keras' History.
struct History {
  std::vector<EpochResult> epochs;  ///< in order, first epoch first
};

/// Thrown when the loss, a weight or the validation loss becomes NaN or infinite; says at
/// which epoch (and, for the loss, which step).
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Minibatch training with softmax cross-entropy on the model's logits (the Keras model's
/// categorical_crossentropy after a softmax layer). Throws TrainingDiverged when the loss, a
/// weight or the validation loss is NaN or infinite, and
/// std::invalid_argument when the data (or validation data) has no rows or batch_size is 0.
History fit(const Sequential& model, Optimizer& optimizer, const LabeledData& data, const FitOptions& options = {});

/// Mean loss and accuracy (argmax of the output against argmax of the target).
struct Evaluation {
  double loss = 0.0;      ///< mean softmax cross-entropy per row
  double accuracy = 0.0;  ///< fraction of rows predicted right, 0 to 1
};

/// Evaluates without building a graph, in batches. Throws std::invalid_argument when the
/// data has no rows or batch_size is 0.
Evaluation evaluate(const Sequential& model, const LabeledData& data, std::size_t batch_size = 1024);

/// The model's output (probabilities after a softmax layer) for every row, without a graph.
/// Throws std::invalid_argument when batch_size is 0.
Tensor predict(const Sequential& model, const Tensor& inputs, std::size_t batch_size = 1024);

/// Index of the largest value (the first, on ties) in each row of a 2-D tensor. Throws
/// std::invalid_argument for any other rank or a row of no columns.
std::vector<std::size_t> argmax_rows(const Tensor& x);

/// Saves architecture and weights: a versioned header, layer shapes and activations, the
/// parameters, and a CRC-32 of it all. Written to a temporary file that is then renamed,
/// so a crash never leaves half a model at `file`.
void save(const Sequential& model, const std::filesystem::path& file);

/// Loads what save() wrote; throws std::runtime_error saying what is wrong with a file that
/// is not a backflow model, from another format version, truncated or corrupt.
Sequential load(const std::filesystem::path& file);

}  // namespace backflow
