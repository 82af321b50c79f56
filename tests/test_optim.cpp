// SGD and Adam over scalar parameters: one step by hand, and convergence on a bowl.
#include <backflow/optim.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <memory>

using backflow::Value;

TEST_CASE("one SGD step moves against the gradient") {
  Value w = 2.0;
  backflow::SGD sgd({w}, 0.1);
  (w * w).backward();  // grad 4
  sgd.step();
  CHECK(w.data() == doctest::Approx(1.6));
  sgd.zero_grad();
  CHECK(w.grad() == 0.0);
}

TEST_CASE("SGD with momentum keeps a velocity") {
  Value w = 0.0;
  backflow::SGD sgd({w}, 1.0, 0.5);
  w.set_grad(1.0);
  sgd.step();  // v = 1, w = -1
  sgd.step();  // v = 1.5, w = -2.5
  CHECK(w.data() == doctest::Approx(-2.5));
}

TEST_CASE("Adam's first step is learning_rate * sign(grad)") {
  Value w = 1.0;
  backflow::Adam adam({w}, {.learning_rate = 0.01});
  w.set_grad(123.0);
  adam.step();
  CHECK(w.data() == doctest::Approx(0.99).epsilon(1e-6));
  CHECK(adam.steps() == 1);
}

TEST_CASE("both optimizers find the bottom of (x - 3)^2 + (y + 1)^2") {
  for (int which = 0; which < 2; ++which) {
    Value x = 0.0;
    Value y = 0.0;
    std::unique_ptr<backflow::Optimizer> opt;
    if (which == 0) {
      opt = std::make_unique<backflow::SGD>(std::vector<Value>{x, y}, 0.1, 0.5);
    } else {
      opt = std::make_unique<backflow::Adam>(std::vector<Value>{x, y}, backflow::AdamOptions{.learning_rate = 0.1});
    }
    for (int step = 0; step < 500; ++step) {
      opt->zero_grad();
      ((x - 3.0).pow(2) + (y + 1.0).pow(2)).backward();
      opt->step();
    }
    CAPTURE(which);
    CHECK(x.data() == doctest::Approx(3.0).epsilon(1e-3));
    CHECK(y.data() == doctest::Approx(-1.0).epsilon(1e-3));
  }
}
