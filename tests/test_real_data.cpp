// A short real training run: the introduction's model on part of MNIST (when
// BACKFLOW_TEST_MNIST names a directory with the digits) or of Debian's Fashion-MNIST.
#include "skip_unless_required.hpp"

#include <backflow/data.hpp>
#include <backflow/layers.hpp>
#include <backflow/train.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

using namespace backflow;

namespace {

LabeledData first_rows(const ImageSet& set, std::size_t rows) {
  const std::size_t features = set.rows * set.cols;
  std::vector<float> x(set.pixels.begin(), set.pixels.begin() + static_cast<std::ptrdiff_t>(rows * features));
  std::vector<std::uint8_t> labels(set.labels.begin(), set.labels.begin() + static_cast<std::ptrdiff_t>(rows));
  return {Tensor({rows, features}, std::move(x)), Tensor({rows, 10}, one_hot(labels, 10))};
}

}  // namespace

TEST_CASE("a short real training run reaches a sane accuracy") {
  DataSource source;
  double required = 0.0;
  if (const char* digits = std::getenv("BACKFLOW_TEST_MNIST"); digits != nullptr && *digits != '\0') {
    source.directory = digits;
    source.fall_back_to_fashion = false;
    required = 0.85;  // a sanity bar: 10,000 digits, 2 epochs (about 0.89 seen)
  } else if (std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    source.dataset = Dataset::fashion;
    required = 0.70;  // Fashion-MNIST is harder (about 0.81 seen)
  } else {
    fixtures::skip_unless_required("set BACKFLOW_TEST_MNIST or install dataset-fashion-mnist");
    return;
  }
  const MnistData data = load_mnist(source);
  REQUIRE(data.train.count == 60000);
  REQUIRE(data.test.count == 10000);
  const LabeledData train = first_rows(data.train, 10000);
  const LabeledData test = first_rows(data.test, 2000);
  const Sequential model(784, {{128, LayerActivation::relu}, {10, LayerActivation::softmax}}, 7);
  Adam adam(model.parameters());
  FitOptions options;
  options.epochs = 2;
  options.batch_size = 128;
  options.progress = nullptr;
  fit(model, adam, train, options);
  const Evaluation result = evaluate(model, test);
  MESSAGE(data.name << ": test accuracy " << result.accuracy << " after 2 epochs on 10,000 images");
  CHECK(result.accuracy > required);
  CHECK(result.loss < 1.0);
}
