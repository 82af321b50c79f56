// Every tensor op: values by hand, gradients against central differences, broadcasting,
// and shape errors that name the op and both shapes.
#include <backflow/gradcheck.hpp>
#include <backflow/random.hpp>
#include <backflow/tensor.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

using backflow::Shape;
using backflow::Tensor;

namespace {

Tensor random_tensor(Shape shape, std::uint64_t seed, double low = -1.0, double high = 1.0) {
  backflow::Random random(seed);
  std::size_t size = 1;
  for (std::size_t d : shape) size *= d;
  std::vector<float> values(size);
  for (float& v : values) v = static_cast<float>(random.uniform(low, high));
  return Tensor(std::move(shape), std::move(values), true);
}

// Reduces any output to one number with fixed random weights (the same on every call), so
// every element's gradient is different and a mix-up between elements shows.
void check_op(const std::string& name, const std::function<Tensor(const std::vector<Tensor>&)>& f,
              const std::vector<Tensor>& inputs) {
  CAPTURE(name);
  std::optional<Tensor> weights;
  auto weighted_sum = [&](const std::vector<Tensor>& x) {
    const Tensor y = f(x);
    if (!weights) weights = random_tensor(y.shape(), 1000 + y.size()).set_requires_grad(false);
    return backflow::sum(y * *weights);
  };
  const auto check = backflow::check_tensor_gradients(weighted_sum, inputs);
  CHECK(check.max_rel_error < 1e-3);
  CHECK_FALSE(check.analytic.empty());
}

}  // namespace

TEST_CASE("elementwise values by hand") {
  const Tensor a({2, 2}, {1, 2, 3, 4});
  const Tensor b({2, 2}, {5, 6, 7, 8});
  CHECK((a + b).at({1, 1}) == 12.0F);
  CHECK((a - b).at({0, 1}) == -4.0F);
  CHECK((a * b).at({1, 0}) == 21.0F);
  CHECK((b / a).at({0, 1}) == 3.0F);
  CHECK((-a).at({0, 0}) == -1.0F);
  CHECK(backflow::relu(Tensor({2}, {-1, 2})).at({0}) == 0.0F);
  CHECK(backflow::matmul(a, b).at({0, 0}) == 19.0F);  // 1*5 + 2*7
  CHECK(backflow::sum(a).item() == 10.0F);
  CHECK(backflow::mean(a).item() == 2.5F);
  CHECK(backflow::sum(a, 0).at({1}) == 6.0F);
  CHECK(backflow::mean(a, 1).at({1}) == 3.5F);
  CHECK(backflow::transpose(a).at({0, 1}) == 3.0F);
  CHECK(backflow::reshape(a, {4}).at({3}) == 4.0F);
}

TEST_CASE("broadcasting a row bias and a scalar") {
  const Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor row({3}, {10, 20, 30});
  CHECK((x + row).at({1, 2}) == 36.0F);
  CHECK((x * Tensor(2.0F)).at({1, 0}) == 8.0F);
  CHECK((Tensor(1.0F) - x).at({0, 1}) == -1.0F);  // the scalar on the left keeps its side
  CHECK((Tensor(12.0F) / x).at({1, 2}) == 2.0F);
  CHECK((x + Tensor({1, 3}, {1, 1, 1})).at({0, 0}) == 2.0F);
}

TEST_CASE("gradients of every op against central differences") {
  const Tensor a = random_tensor({3, 4}, 1);
  const Tensor b = random_tensor({3, 4}, 2);
  const Tensor positive = random_tensor({3, 4}, 3, 0.5, 2.0);
  const Tensor row = random_tensor({4}, 4);
  const Tensor w = random_tensor({4, 5}, 5);
  const Tensor bias = random_tensor({5}, 6);
  const Tensor scalar = random_tensor({1}, 7, 0.5, 1.5);
  check_op("add", [](const auto& v) { return v[0] + v[1]; }, {a, b});
  check_op("sub", [](const auto& v) { return v[0] - v[1]; }, {a, b});
  check_op("mul", [](const auto& v) { return v[0] * v[1]; }, {a, b});
  check_op("div", [](const auto& v) { return v[0] / v[1]; }, {a, positive});
  check_op("neg", [](const auto& v) { return -v[0]; }, {a});
  check_op("add row", [](const auto& v) { return v[0] + v[1]; }, {a, row});
  check_op("mul row", [](const auto& v) { return v[0] * v[1]; }, {a, row});
  check_op("row - matrix", [](const auto& v) { return v[1] - v[0]; }, {a, row});
  check_op("scalar / matrix", [](const auto& v) { return v[1] / v[0]; }, {positive, scalar});
  check_op("matrix * scalar", [](const auto& v) { return v[0] * v[1]; }, {a, scalar});
  check_op("matrix / scalar", [](const auto& v) { return v[0] / v[1]; }, {a, scalar});
  check_op("matrix / row", [](const auto& v) { return v[0] / v[1]; }, {a, random_tensor({4}, 8, 0.5, 2.0)});
  check_op("matrix + [1, n] row", [](const auto& v) { return v[0] + v[1]; }, {a, random_tensor({1, 4}, 9)});
  check_op("exp", [](const auto& v) { return backflow::exp(v[0]); }, {a});
  check_op("log", [](const auto& v) { return backflow::log(v[0]); }, {positive});
  check_op("relu", [](const auto& v) { return backflow::relu(v[0]); }, {a});
  check_op("sigmoid", [](const auto& v) { return backflow::sigmoid(v[0]); }, {a});
  check_op("tanh", [](const auto& v) { return backflow::tanh(v[0]); }, {a});
  check_op("matmul", [](const auto& v) { return backflow::matmul(v[0], v[1]); }, {a, w});
  for (auto act : {backflow::DenseActivation::linear, backflow::DenseActivation::relu,
                   backflow::DenseActivation::sigmoid, backflow::DenseActivation::tanh}) {
    check_op("dense", [act](const auto& v) { return backflow::dense(v[0], v[1], v[2], act); }, {a, w, bias});
  }
  check_op("sum", [](const auto& v) { return backflow::sum(v[0]); }, {a});
  check_op("mean", [](const auto& v) { return backflow::mean(v[0]); }, {a});
  check_op("sum axis 0", [](const auto& v) { return backflow::sum(v[0], 0); }, {a});
  check_op("sum axis 1", [](const auto& v) { return backflow::sum(v[0], 1); }, {a});
  check_op("mean axis 0", [](const auto& v) { return backflow::mean(v[0], 0); }, {a});
  check_op("mean axis 1", [](const auto& v) { return backflow::mean(v[0], 1); }, {a});
  check_op("reshape", [](const auto& v) { return backflow::reshape(v[0], {2, 6}); }, {a});
  check_op("transpose", [](const auto& v) { return backflow::transpose(v[0]); }, {a});
  check_op("softmax", [](const auto& v) { return backflow::softmax(v[0]); }, {a});
  check_op("log_softmax", [](const auto& v) { return backflow::log_softmax(v[0]); }, {a});
  check_op("mse", [](const auto& v) { return backflow::mse(v[0], v[1]); }, {a, b});
  Tensor targets({3, 4}, {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1});
  check_op("softmax_cross_entropy", [&](const auto& v) { return backflow::softmax_cross_entropy(v[0], targets); }, {a});
  // Soft targets that need a gradient too, rows not summing to 1.
  check_op("softmax_cross_entropy, both sides",
           [](const auto& v) { return backflow::softmax_cross_entropy(v[0], v[1]); },
           {a, random_tensor({3, 4}, 10, 0.0, 1.0)});
}

TEST_CASE("softmax cross-entropy's target gradient is exact where a probability underflows") {
  // softmax([0, 100]) = [e^-100, 1]: the first probability is 0 in float, its log is not.
  const Tensor logits({1, 2}, {0.0F, 100.0F}, true);
  const Tensor targets({1, 2}, {0.5F, 0.5F}, true);
  backflow::softmax_cross_entropy(logits, targets).backward();
  CHECK(targets.grad()[0] == doctest::Approx(100.0).epsilon(1e-5));  // -log softmax = 100
  CHECK(targets.grad()[1] == doctest::Approx(0.0).epsilon(1e-5));
  CHECK(logits.grad()[0] == doctest::Approx(-0.5).epsilon(1e-5));  // p * sum(t) - t
  CHECK(logits.grad()[1] == doctest::Approx(0.5).epsilon(1e-5));
}

TEST_CASE("empty and oversized shapes get an error, not NaN or a tiny buffer") {
  auto message_of = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  const Tensor no_classes = Tensor::zeros({2, 0});
  const Tensor no_rows = Tensor::zeros({0, 3});
  CHECK(message_of([&] { backflow::softmax(no_classes); }).find("softmax: shape [2, 0] has no classes") !=
        std::string::npos);
  CHECK(message_of([&] { backflow::log_softmax(no_classes); }).find("log_softmax") != std::string::npos);
  CHECK(message_of([&] { backflow::softmax_cross_entropy(no_classes, no_classes); }).find("no classes") !=
        std::string::npos);
  CHECK(message_of([&] { backflow::softmax_cross_entropy(no_rows, no_rows); }).find("no rows") != std::string::npos);
  CHECK(message_of([&] { backflow::mean(no_rows); }).find("mean: the mean of no elements (shape [0, 3])") !=
        std::string::npos);
  CHECK(message_of([&] { backflow::mean(no_rows, 0); }).find("axis 0 of shape [0, 3]") != std::string::npos);
  CHECK(backflow::mean(no_rows, 1).size() == 0);  // nothing to average, and nothing asked for
  CHECK(message_of([&] { backflow::mse(no_rows, no_rows); }).find("mse") != std::string::npos);
  CHECK(backflow::sum(no_rows).item() == 0.0F);  // an empty sum is 0, as in numpy
  const std::size_t huge = std::size_t{1} << 62U;
  CHECK(message_of([&] { Tensor::zeros({huge, 4}); }).find("shape [4611686018427387904, 4]") != std::string::npos);
  CHECK(message_of([&] { backflow::reshape(no_rows, {huge, 4, 0}); }) == "no error");  // 0 elements: fine
  CHECK(message_of([&] {
          backflow::reshape(Tensor::zeros({2, 2}), {huge, 4});
        }).find("more elements than fit") != std::string::npos);
  // The values are counted against the shape before memory is set aside for it (2^40 floats).
  CHECK(message_of([&] {
          Tensor({std::size_t{1} << 40U}, {1.0F});
        }).find("shape [1099511627776] holds 1099511627776 values but 1 were given") != std::string::npos);
}

TEST_CASE("fused softmax cross-entropy equals the composed ops and is stable") {
  const Tensor logits({2, 3}, {1, 2, 3, 1000, 1001, 1002});
  const Tensor targets({2, 3}, {0, 0, 1, 0, 1, 0});
  const float fused = backflow::softmax_cross_entropy(logits, targets).item();
  const double row1 = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  const double row2 = -std::log(std::exp(2.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  CHECK(fused == doctest::Approx((row1 + row2) / 2).epsilon(1e-5));
  const Tensor small({1, 3}, {0.1F, -0.3F, 0.7F});
  const Tensor t({1, 3}, {0, 1, 0});
  const float composed = -backflow::sum(backflow::log_softmax(small) * t).item();
  CHECK(backflow::softmax_cross_entropy(small, t).item() == doctest::Approx(composed).epsilon(1e-6));
}

TEST_CASE("the tensor gradient checker divides by the float step actually taken") {
  // In float32, 1e4 +- 1e-2 round to 1e4 +- 0.009765625: the old 2e-2 divisor read the
  // slope of sum(x) as 0.977 at 1e4 and 0.781 at 1e5.
  for (const float x : {1e4F, 1e5F}) {
    CAPTURE(x);
    const Tensor input({1}, {x}, true);
    const auto check = backflow::check_tensor_gradients([](const auto& v) { return backflow::sum(v[0]); }, {input});
    CHECK(check.max_rel_error < 1e-6);
  }
}

TEST_CASE("softmax keeps its precision for large logits") {
  // Three equal logits: each probability is 1/3 and the loss ln 3, however large the logits.
  // (Folding max + log(sum) into one float loses ln 3 entirely at 1e7.)
  for (const float big : {1e4F, 1e6F, 1e7F}) {
    CAPTURE(big);
    const Tensor logits({1, 3}, {big, big, big}, true);
    const Tensor targets({1, 3}, {1, 0, 0});
    const Tensor p = backflow::softmax(logits);
    for (std::size_t c = 0; c < 3; ++c) CHECK(p.data()[c] == doctest::Approx(1.0 / 3.0).epsilon(1e-6));
    CHECK(backflow::log_softmax(logits).data()[1] == doctest::Approx(-std::log(3.0)).epsilon(1e-6));
    backflow::softmax_cross_entropy(logits, targets).backward();
    CHECK(backflow::softmax_cross_entropy(logits, targets).item() == doctest::Approx(std::log(3.0)).epsilon(1e-6));
    CHECK(logits.grad()[0] == doctest::Approx(1.0 / 3.0 - 1.0).epsilon(1e-6));  // p - t
    CHECK(logits.grad()[1] == doctest::Approx(1.0 / 3.0).epsilon(1e-6));
  }
}

TEST_CASE("shape errors name the op and both shapes") {
  const Tensor a({2, 3}, std::vector<float>(6, 1.0F));
  const Tensor b({4, 5}, std::vector<float>(20, 1.0F));
  CHECK_THROWS_WITH_AS(backflow::matmul(a, b), "backflow: matmul: shapes [2, 3] and [4, 5] do not fit (3 != 4)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(a + b,
                       "backflow: +: shapes [2, 3] and [4, 5] do not fit (elementwise ops need equal shapes, a row "
                       "[n] against [m, n], or one element, with no more dimensions than the other operand)",
                       std::invalid_argument);
  // A row or an element with extra leading 1s would give numpy's shape [1, 2, 3]; backflow
  // does not broadcast to new dimensions, so it says so rather than drop them.
  const Tensor deep_row({1, 1, 3}, {1, 2, 3});
  const Tensor deep_one({1, 1, 1}, {1});
  CHECK_THROWS_WITH_AS(a + deep_row, doctest::Contains("shapes [2, 3] and [1, 1, 3] do not fit"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(deep_one * a, doctest::Contains("shapes [1, 1, 1] and [2, 3] do not fit"),
                       std::invalid_argument);
  CHECK((deep_one * deep_row).shape() == backflow::Shape{1, 1, 3});
  CHECK_THROWS_AS(backflow::reshape(a, {4}), std::invalid_argument);
  CHECK_THROWS_AS(backflow::softmax_cross_entropy(a, b), std::invalid_argument);
  CHECK_THROWS_AS(Tensor({2, 2}, {1, 2, 3}), std::invalid_argument);
  CHECK_THROWS_AS(a.item(), std::invalid_argument);
  CHECK_THROWS_AS((void)a.at({2, 0}), std::out_of_range);
}
