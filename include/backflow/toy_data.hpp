// backflow/toy_data.hpp: the small datasets of the introduction and of micrograd's demo.
#pragma once

#include <backflow/nn.hpp>

#include <cstdint>
#include <vector>

namespace backflow {

/// Points in the plane with a label of +1 or -1.
struct LabeledPoints {
  std::vector<std::vector<double>> points;  ///< each {x, y}
  std::vector<double> labels;               ///< +1 or -1
};

/// Two interleaving half circles, like scikit-learn's make_moons: `count` points, half per
/// moon, with Gaussian noise of standard deviation `noise`; labels are -1 and +1.
LabeledPoints make_moons(std::size_t count, double noise, std::uint64_t seed);

/// The four rows of XOR: inputs {0,0},{0,1},{1,0},{1,1}; targets 0, 1, 1, 0.
struct XorTable {
  std::vector<std::vector<double>> inputs;  ///< four rows of two inputs
  std::vector<double> targets;              ///< one target per row
};
/// The four rows of XOR.
XorTable xor_table();

/// The introduction's worked example: a 2-3-1 sigmoid network without biases.
struct IntroductionExample {
  /// The two inputs, (1, 1).
  std::vector<double> inputs{1.0, 1.0};
  /// Weights into the three hidden nodes, one row per hidden node.
  std::vector<std::vector<double>> hidden_weights{{0.8, 0.2}, {0.4, 0.9}, {0.3, 0.5}};
  /// Weights from the three hidden nodes into the output.
  std::vector<double> output_weights{0.3, 0.5, 0.9};
  /// The XOR target for inputs (1, 1).
  double target = 0.0;

  /// The network as an MLP of sigmoid neurons: "layer 1 / neuron 1..3", "layer 2 / neuron 1".
  nn::MLP network() const;
};

}  // namespace backflow
