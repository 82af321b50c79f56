// The introduction's worked example as a graph: inputs (1, 1), a 2-3-1 sigmoid network
// without biases, squared error against the XOR target 0. Shared by the graph test suites.
#pragma once

#include <backflow/losses.hpp>
#include <backflow/toy_data.hpp>

#include <vector>

struct WorkedExample {
  backflow::IntroductionExample example;
  backflow::nn::MLP net = example.network();
  std::vector<backflow::Value> inputs{backflow::Value(1.0, "x1"), backflow::Value(1.0, "x2")};
  backflow::Value error = make_error();

  // 2 inputs + 9 weights + the target, 9 products, 5 sums, 4 sigmoids, a subtraction, a square.
  static constexpr std::size_t nodes = 32;
  static constexpr std::size_t edges = 35;
  static constexpr std::size_t computed = 20;  // nodes with an op circle

 private:
  backflow::Value make_error() const {
    backflow::Value e = backflow::squared_error(net(inputs)[0], example.target);
    e.set_label("E");
    return e;
  }
};
