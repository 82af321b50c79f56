// backflow/optim.hpp: optimizers that move parameters against their gradients.
#pragma once

#include <backflow/tensor.hpp>
#include <backflow/value.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace backflow {

/// Shared shape of every optimizer: a parameter list, a learning rate, step() and zero_grad().
/// Parameters may be scalar Values or Tensors; the update rules are written once for both.
class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Applies one update to every parameter from its current gradient.
  void step();
  /// Sets every parameter's gradient to 0 (call before the next backward()).
  void zero_grad();

  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }
  /// How many times step() has run.
  std::size_t steps() const { return steps_; }

 protected:
  Optimizer(std::vector<Value> values, std::vector<Tensor> tensors, double learning_rate);

  /// The update rule over one array of parameters (`state` is the optimizer's own memory
  /// for them, state_per_parameter() values per parameter). Scalar Values are updated as
  /// one gathered double array, each Tensor as its own float array.
  virtual void update(std::span<double> data, std::span<const double> grad, std::span<double> state) = 0;
  virtual void update(std::span<float> data, std::span<const float> grad, std::span<float> state) = 0;
  virtual std::size_t state_per_parameter() const = 0;

 private:
  std::vector<Value> values_;
  std::vector<double> value_state_;
  std::vector<Tensor> tensors_;
  std::vector<std::vector<float>> tensor_state_;
  double learning_rate_;
  std::size_t steps_ = 0;
};

/// Stochastic gradient descent: v = momentum * v + grad; p -= learning_rate * v.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Value> parameters, double learning_rate, double momentum = 0.0);
  SGD(std::vector<Tensor> parameters, double learning_rate, double momentum = 0.0);
  double momentum() const { return momentum_; }

 private:
  void update(std::span<double> data, std::span<const double> grad, std::span<double> state) override;
  void update(std::span<float> data, std::span<const float> grad, std::span<float> state) override;
  std::size_t state_per_parameter() const override { return 1; }
  double momentum_;
};

/// Adam's settings; the defaults are Keras' (learning rate 1e-3, epsilon 1e-7).
struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
};

/// Adam (Kingma & Ba): per-parameter step sizes from running means of the gradient and of
/// its square, with bias correction.
class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Value> parameters, AdamOptions options = {});
  explicit Adam(std::vector<Tensor> parameters, AdamOptions options = {});
  const AdamOptions& options() const { return options_; }

 private:
  void update(std::span<double> data, std::span<const double> grad, std::span<double> state) override;
  void update(std::span<float> data, std::span<const float> grad, std::span<float> state) override;
  std::size_t state_per_parameter() const override { return 2; }
  AdamOptions options_;
};

}  // namespace backflow
