#include <backflow/nn.hpp>

#include <stdexcept>
#include <string>

namespace backflow::nn {

std::string_view activation_name(Activation activation) {
  switch (activation) {
    case Activation::linear: return "linear";
    case Activation::sigmoid: return "sigmoid";
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
  }
  return "?";
}

Activation parse_activation(std::string_view name) {
  for (Activation a : {Activation::linear, Activation::sigmoid, Activation::relu, Activation::tanh}) {
    if (name == activation_name(a)) return a;
  }
  throw std::invalid_argument("backflow: unknown activation '" + std::string(name) +
                              "' (choose linear, sigmoid, relu or tanh)");
}

Value activate(Activation activation, const Value& x) {
  switch (activation) {
    case Activation::linear: return x;
    case Activation::sigmoid: return x.sigmoid();
    case Activation::relu: return x.relu();
    case Activation::tanh: return x.tanh();
  }
  return x;
}

}  // namespace backflow::nn
