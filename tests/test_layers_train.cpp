// Dense, Sequential, summary(), fit / evaluate / predict, save / load.
#include "blobs.hpp"
#include "scratch_directory.hpp"

#include <backflow/layers.hpp>
#include <backflow/train.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <vector>

using backflow::LayerActivation;
using backflow::Sequential;
using backflow::Tensor;

namespace {

// Well separated blobs: easy to learn.
backflow::LabeledData blobs(std::size_t rows, std::uint64_t seed) { return fixtures::blobs(rows, seed, 2.0, 0.5); }

using fixtures::ScratchDirectory;

template <class T>
void append(std::vector<char>& bytes, T value) {
  bytes.resize(bytes.size() + sizeof(T));
  std::memcpy(bytes.data() + bytes.size() - sizeof(T), &value, sizeof(T));
}

/// A model file made by hand: the header, one table entry per layer (relu, no name), then
/// `weight_bytes` zero bytes and a CRC of 0 (the size checks come before the checksum's).
std::vector<char> model_file(std::uint32_t version, std::uint32_t inputs, const std::vector<std::uint32_t>& units,
                             std::size_t weight_bytes) {
  std::vector<char> bytes{'B', 'A', 'C', 'K', 'F', 'L', 'O', 'W'};
  append(bytes, version);
  append(bytes, inputs);
  append(bytes, static_cast<std::uint32_t>(units.size()));
  for (const std::uint32_t layer_units : units) {
    append(bytes, layer_units);
    append(bytes, static_cast<std::uint8_t>(LayerActivation::relu));
    append(bytes, std::uint16_t{0});
  }
  bytes.insert(bytes.end(), weight_bytes, '\0');
  append(bytes, std::uint32_t{0});
  return bytes;
}

void write_bytes(const std::filesystem::path& file, const std::vector<char>& contents) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("the introduction's model summary: 785,000 + 10,010 = 795,010 parameters") {
  const Sequential model(784, {{1000, LayerActivation::relu}, {10, LayerActivation::softmax}});
  CHECK(model.parameter_count() == 795'010);
  const std::string summary = model.summary();
  CHECK(summary.find("dense (Dense)") != std::string::npos);
  CHECK(summary.find("(None, 1000)") != std::string::npos);
  CHECK(summary.find("785,000") != std::string::npos);
  CHECK(summary.find("dense_1 (Dense)") != std::string::npos);
  CHECK(summary.find("10,010") != std::string::npos);
  CHECK(summary.find("Total params: 795,010 (3.03 MB)") != std::string::npos);
}

TEST_CASE("summary() sizes the weights in Keras' units: B, KB or MB, whichever reads 1 or more") {
  auto total_line = [](const Sequential& model) {
    const std::string summary = model.summary();
    const auto begin = summary.find("Total params: ");
    return summary.substr(begin, summary.find('\n', begin) - begin);
  };
  CHECK(total_line(Sequential(2, {{3, LayerActivation::tanh}})) == "Total params: 9 (36.00 B)");
  CHECK(total_line(Sequential(16, {{16, LayerActivation::relu}, {4, LayerActivation::softmax}})) ==
        "Total params: 340 (1.33 KB)");
  CHECK(total_line(Sequential(784, {{128, LayerActivation::relu}, {10, LayerActivation::softmax}})) ==
        "Total params: 101,770 (397.54 KB)");
}

TEST_CASE("Glorot-uniform weights stay within sqrt(6 / (fan_in + fan_out)); biases start at 0") {
  const Sequential model(784, {{1000, LayerActivation::relu}, {10, LayerActivation::softmax}}, 3);
  const double limit = std::sqrt(6.0 / 1784.0);
  float largest = 0.0F;
  for (float w : model.layers()[0].weights().data()) largest = std::max(largest, std::abs(w));
  CHECK(largest <= limit);
  CHECK(largest > 0.9 * limit);
  for (float b : model.layers()[0].bias().data()) CHECK(b == 0.0F);
}

TEST_CASE("fit learns separable blobs; evaluate and predict agree") {
  const auto train = blobs(600, 1);
  const auto test = blobs(300, 2);
  const Sequential model(4, {{16, LayerActivation::relu}, {3, LayerActivation::softmax}}, 1);
  backflow::Adam adam(model.parameters(), {.learning_rate = 0.01});
  backflow::FitOptions options;
  options.epochs = 10;
  options.batch_size = 32;
  options.progress = nullptr;
  options.validation = test;
  const auto history = backflow::fit(model, adam, train, options);
  REQUIRE(history.epochs.size() == 10);
  CHECK(history.epochs.back().loss < history.epochs.front().loss);
  CHECK(history.epochs.back().val_accuracy > 0.95);
  const auto evaluation = backflow::evaluate(model, test, 7);  // another batch size: the same figures
  CHECK(evaluation.accuracy == doctest::Approx(history.epochs.back().val_accuracy));
  CHECK(evaluation.loss == doctest::Approx(history.epochs.back().val_loss));
  // predict's probabilities, scored by hand, give evaluate's accuracy and loss.
  const Tensor probabilities = backflow::predict(model, test.inputs);
  REQUIRE(probabilities.shape() == backflow::Shape{300, 3});
  const auto predicted = backflow::argmax_rows(probabilities);
  const auto expected = backflow::argmax_rows(test.targets);
  std::size_t right = 0;
  double loss = 0.0;
  for (std::size_t r = 0; r < 300; ++r) {
    right += predicted[r] == expected[r] ? 1 : 0;
    loss -= std::log(static_cast<double>(probabilities.at({r, expected[r]})));
    CHECK(probabilities.at({r, 0}) + probabilities.at({r, 1}) + probabilities.at({r, 2}) == doctest::Approx(1.0));
  }
  CHECK(static_cast<double>(right) / 300.0 == doctest::Approx(evaluation.accuracy));
  CHECK(loss / 300.0 == doctest::Approx(evaluation.loss).epsilon(1e-5));
}

namespace {

/// fit() with plain SGD at `learning_rate` on 64 rows of blobs, in batches of `batch_size`.
void fit_with_rate(double learning_rate, std::size_t batch_size) {
  const auto train = blobs(64, 3);
  const Sequential model(4, {{8, LayerActivation::relu}, {3, LayerActivation::softmax}}, 1);
  backflow::SGD sgd(model.parameters(), learning_rate);
  backflow::FitOptions options;
  options.epochs = 3;
  options.batch_size = batch_size;
  options.progress = nullptr;
  backflow::fit(model, sgd, train, options);
}

}  // namespace

TEST_CASE("a NaN loss stops training and names the epoch and step") {
  try {
    fit_with_rate(1e30, 16);
    FAIL("training with a learning rate of 1e30 should diverge");
  } catch (const backflow::TrainingDiverged& e) {
    const std::string message = e.what();
    CAPTURE(message);
    // 64 rows in batches of 16: 4 steps an epoch. The first update (1e30 times a gradient)
    // already ruins the weights, so it breaks down within the first epoch.
    CHECK(std::regex_search(message, std::regex("the loss became (NaN|infinite) at epoch 1, step [1-4] of 4;")));
  }
}

TEST_CASE("weights ruined by an epoch's last step stop training too, though no loss shows it") {
  // One batch an epoch: the only loss is computed before the step that ruins the weights
  // (a learning rate of 1e39 is infinite in float).
  CHECK_THROWS_WITH_AS(fit_with_rate(1e39, 64),
                       doctest::Contains("dense/kernel became NaN or infinite in epoch 1; try a smaller learning rate"),
                       backflow::TrainingDiverged);
}

TEST_CASE("a NaN validation loss stops training, pointing at the validation data") {
  const auto train = blobs(64, 3);
  auto validation = blobs(16, 4);
  validation.inputs.data()[5] = std::numeric_limits<float>::quiet_NaN();
  const Sequential model(4, {{8, LayerActivation::relu}, {3, LayerActivation::softmax}}, 1);
  backflow::Adam adam(model.parameters());
  backflow::FitOptions options;
  options.epochs = 2;
  options.progress = nullptr;
  options.validation = validation;
  CHECK_THROWS_WITH_AS(backflow::fit(model, adam, train, options),
                       doctest::Contains("the validation loss became NaN after epoch 1, with finite weights"),
                       backflow::TrainingDiverged);
}

TEST_CASE("an infinite loss is called infinite, at the step where it appears") {
  // Logits 3e38 and -3e38 for a row whose answer is the second class: its log-probability is
  // -3e38 - 3e38, below the smallest float: -inf, and the loss +inf (not NaN).
  const Sequential model(4, {{3, LayerActivation::softmax}}, 1);
  for (float& w : model.layers()[0].weights().data()) w = 0.0F;
  model.layers()[0].weights().data()[0] = 3e38F;   // input 0 -> class 0
  model.layers()[0].weights().data()[1] = -3e38F;  // input 0 -> class 1
  const backflow::LabeledData data{Tensor({1, 4}, {1, 0, 0, 0}), Tensor({1, 3}, {0, 1, 0})};
  backflow::SGD sgd(model.parameters(), 0.1);
  backflow::FitOptions options;
  options.progress = nullptr;
  CHECK_THROWS_WITH_AS(backflow::fit(model, sgd, data, options),
                       doctest::Contains("the loss became infinite at epoch 1, step 1 of 1"),
                       backflow::TrainingDiverged);
}

TEST_CASE("save and load give the same predictions; corrupt files are rejected") {
  const auto data = blobs(30, 4);
  const Sequential model(4, {{5, LayerActivation::tanh}, {3, LayerActivation::softmax}}, 2);
  const ScratchDirectory directory;
  const auto file = directory / "model.bfm";
  backflow::save(model, file);
  // Saved through a temporary file beside it, which must be gone.
  CHECK(std::distance(std::filesystem::directory_iterator(directory.path()), {}) == 1);
  const Sequential loaded = backflow::load(file);
  const Tensor a = backflow::predict(model, data.inputs);
  const Tensor b = backflow::predict(loaded, data.inputs);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.data()[i] == b.data()[i]);
  CHECK(loaded.layers()[0].activation() == LayerActivation::tanh);

  // Flip one byte in the weights: the checksum catches it.
  std::vector<char> bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto write = [&](const std::vector<char>& contents) { write_bytes(file, contents); };
  auto corrupt = bytes;
  corrupt[corrupt.size() - 10] = static_cast<char>(corrupt[corrupt.size() - 10] ^ 0x40);
  write(corrupt);
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("checksum"), std::runtime_error);
  write(std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2)));
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("truncated"), std::runtime_error);
  write(std::vector<char>{'<', 'h', 't', 'm', 'l', '>', ' ', ' ', ' ', ' ', ' ', ' ',
                          ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '});
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("not a backflow model"), std::runtime_error);
  write(std::vector<char>{'<', 'h', 't', 'm', 'l', '>'});  // short, but not the start of a model
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("not a backflow model"), std::runtime_error);
  write(std::vector<char>(bytes.begin(), bytes.begin() + 5));  // the start of a model
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("truncated: only 5 bytes"), std::runtime_error);
  write({});
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("truncated: only 0 bytes"), std::runtime_error);
  CHECK_THROWS_WITH_AS(backflow::load(directory / "does-not-exist"),
                       doctest::Contains("does-not-exist: cannot open the model file: No such file or directory"),
                       std::runtime_error);
  const std::string names_it = directory.path().string() + ": is a directory, not a model file";
  CHECK_THROWS_WITH_AS(backflow::load(directory.path()), doctest::Contains(names_it.c_str()), std::runtime_error);
}

TEST_CASE("a model file holding NaN weights is refused, naming the layer") {
  const Sequential model(4, {{5, LayerActivation::tanh}, {3, LayerActivation::softmax}}, 2);
  model.layers()[1].weights().data()[7] = std::nanf("");
  const ScratchDirectory directory;
  backflow::save(model, directory / "nan.bfm");
  CHECK_THROWS_WITH_AS(backflow::load(directory / "nan.bfm"),
                       doctest::Contains("layer 2 holds NaN or infinite weights"), std::runtime_error);
}

TEST_CASE("a model file from another format version is refused, naming both versions") {
  const ScratchDirectory directory;
  const auto file = directory / "future.bfm";
  write_bytes(file, model_file(2, 4, {3}, (4 * 3 + 3) * sizeof(float)));
  CHECK_THROWS_WITH_AS(backflow::load(file),
                       doctest::Contains("future.bfm: model format version 2, but this backflow reads version 1"),
                       std::runtime_error);
}

TEST_CASE("a model file whose header has no inputs is corrupt") {
  const ScratchDirectory directory;
  const auto file = directory / "no-inputs.bfm";
  write_bytes(file, model_file(1, 0, {3}, 3 * sizeof(float)));
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("no-inputs.bfm: corrupt header: 0 inputs"),
                       std::runtime_error);
}

TEST_CASE("layer sizes whose weight count overflows 64 bits are refused, not wrapped to fit") {
  // (2^32 - 1 + 1) * (2^32 - 1) + (2^32 - 1 + 1) * 1 = 2^64 floats: 0 after wrapping, which
  // is exactly the 0 bytes of weights this file has.
  const ScratchDirectory directory;
  const auto file = directory / "huge.bfm";
  write_bytes(file, model_file(1, 0xFFFFFFFF, {0xFFFFFFFF, 1}, 0));
  CHECK_THROWS_WITH_AS(backflow::load(file),
                       doctest::Contains("huge.bfm: corrupt or truncated: layer 1 (4294967295 inputs x 4294967295 "
                                         "units) needs more weights than"),
                       std::runtime_error);
  write_bytes(file, model_file(1, 0xFFFFFFFF, {1U << 30U, 10}, 64));
  CHECK_THROWS_WITH_AS(backflow::load(file), doctest::Contains("needs more weights than the"), std::runtime_error);
}

TEST_CASE("fit checks shapes and says which") {
  const auto data = blobs(10, 5);
  const Sequential model(5, {{3, LayerActivation::softmax}}, 1);
  backflow::SGD sgd(model.parameters(), 0.1);
  CHECK_THROWS_WITH_AS(backflow::fit(model, sgd, data), doctest::Contains("do not fit the model's 5 features"),
                       std::invalid_argument);
}

TEST_CASE("a batch size of 0 is refused by fit, evaluate and predict instead of looping forever") {
  const auto data = blobs(6, 6);
  const Sequential model(4, {{3, LayerActivation::softmax}}, 1);
  backflow::SGD sgd(model.parameters(), 0.1);
  backflow::FitOptions options;
  options.batch_size = 0;
  options.progress = nullptr;
  CHECK_THROWS_WITH_AS(backflow::fit(model, sgd, data, options),
                       doctest::Contains("fit: batch_size must be at least 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::evaluate(model, data, 0), doctest::Contains("evaluate: batch_size must be at least 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::predict(model, data.inputs, 0),
                       doctest::Contains("predict: batch_size must be at least 1"), std::invalid_argument);
}

TEST_CASE("a batch size larger than the data, up to SIZE_MAX, is one full batch per epoch") {
  const auto data = blobs(30, 4);
  for (const std::size_t batch_size : {std::size_t{31}, std::numeric_limits<std::size_t>::max()}) {
    CAPTURE(batch_size);
    const Sequential model(4, {{3, LayerActivation::softmax}}, 1);
    backflow::SGD sgd(model.parameters(), 0.1);
    backflow::FitOptions options;
    options.epochs = 2;
    options.batch_size = batch_size;
    options.progress = nullptr;
    const auto history = backflow::fit(model, sgd, data, options);
    CHECK(sgd.steps() == 2);  // one step an epoch (SIZE_MAX once wrapped to none)
    CHECK(history.epochs.front().loss > 0.0);
    CHECK(backflow::evaluate(model, data, batch_size).loss > 0.0);
    CHECK(backflow::predict(model, data.inputs, batch_size).shape() == backflow::Shape{30, 3});
  }
}

TEST_CASE("argmax_rows takes the first largest value of each row, and refuses what has no rows of classes") {
  const Tensor scores({2, 3}, {0.1F, 0.7F, 0.7F, 5.0F, -1.0F, 2.0F});
  CHECK(backflow::argmax_rows(scores) == std::vector<std::size_t>{1, 0});
  CHECK_THROWS_WITH_AS(backflow::argmax_rows(Tensor::zeros({2, 0})), doctest::Contains("got shape [2, 0]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::argmax_rows(Tensor::zeros({6})), doctest::Contains("got shape [6]"),
                       std::invalid_argument);
}

TEST_CASE("fit and evaluate refuse data without rows instead of reporting NaN") {
  const backflow::LabeledData empty{Tensor({0, 4}, std::vector<float>{}), Tensor({0, 3}, std::vector<float>{})};
  const auto data = blobs(6, 7);
  const Sequential model(4, {{3, LayerActivation::softmax}}, 1);
  backflow::SGD sgd(model.parameters(), 0.1);
  backflow::FitOptions options;
  options.progress = nullptr;
  CHECK_THROWS_WITH_AS(backflow::fit(model, sgd, empty, options), doctest::Contains("fit: the data has no rows"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::evaluate(model, empty), doctest::Contains("evaluate: the data has no rows"),
                       std::invalid_argument);
  options.validation = empty;
  CHECK_THROWS_WITH_AS(backflow::fit(model, sgd, data, options),
                       doctest::Contains("fit (validation data): the data has no rows"), std::invalid_argument);
}
