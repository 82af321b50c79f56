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
  /// Optimizers are used through this base class (fit takes an Optimizer&).
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Applies one update to every parameter from its current gradient.
  void step();
  /// Sets every parameter's gradient to 0 (call before the next backward()).
  void zero_grad();

  /// The step size that the next step() uses.
  double learning_rate() const { return learning_rate_; }
  /// Changes the step size from the next step() on (for schedules). Throws
  /// std::invalid_argument unless it is finite and >= 0.
  void set_learning_rate(double learning_rate);
  /// How many times step() has run.
  std::size_t steps() const { return steps_; }

 protected:
  /// Takes the scalar and the tensor parameters to update; their state starts at 0. Throws
  /// std::invalid_argument for a learning rate that is not finite and >= 0, or for a
  /// parameter listed twice, which step() would move twice (PyTorch warns that it will
  /// refuse this too). Each optimizer checks its own settings first.
  Optimizer(std::vector<Value> values, std::vector<Tensor> tensors, double learning_rate);

  /// The update rule over one array of parameters (`state` is the optimizer's own memory
  /// for them, state_per_parameter() values per parameter). Scalar Values are updated as
  /// one gathered double array, each Tensor as its own float array.
  virtual void update(std::span<double> data, std::span<const double> grad, std::span<double> state) = 0;
  /// The same update rule for one Tensor's float32 values.
  virtual void update(std::span<float> data, std::span<const float> grad, std::span<float> state) = 0;
  /// How many state values the rule keeps per parameter (SGD 1, Adam 2).
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
  /// SGD over scalar parameters; momentum 0 is plain gradient descent. Throws
  /// std::invalid_argument for a negative or non-finite momentum (and see Optimizer).
  SGD(std::vector<Value> parameters, double learning_rate, double momentum = 0.0);
  /// SGD over tensor parameters; momentum 0 is plain gradient descent. Throws as the
  /// overload for scalar parameters does.
  SGD(std::vector<Tensor> parameters, double learning_rate, double momentum = 0.0);
  /// The factor by which the velocity decays each step.
  double momentum() const { return momentum_; }

 private:
  void update(std::span<double> data, std::span<const double> grad, std::span<double> state) override;
  void update(std::span<float> data, std::span<const float> grad, std::span<float> state) override;
  std::size_t state_per_parameter() const override { return 1; }
  double momentum_;
};

/// Adam's settings; the defaults are Keras' (learning rate 1e-3, epsilon 1e-7).
struct AdamOptions {
  double learning_rate = 1e-3;  ///< the initial step size (set_learning_rate() changes it later)
  double beta1 = 0.9;           ///< decay rate of the running mean of the gradient
  double beta2 = 0.999;         ///< decay rate of the running mean of the squared gradient
  double epsilon = 1e-7;        ///< added to the root of the squared mean, against division by 0
};

/// Adam (Kingma & Ba): per-parameter step sizes from running means of the gradient and of
/// its square, with bias correction.
class Adam : public Optimizer {
 public:
  /// Adam over scalar parameters. Throws std::invalid_argument unless both betas are in
  /// [0, 1) and epsilon is finite and > 0 (and see Optimizer).
  explicit Adam(std::vector<Value> parameters, AdamOptions options = {});
  /// Adam over tensor parameters. Throws as the overload for scalar parameters does.
  explicit Adam(std::vector<Tensor> parameters, AdamOptions options = {});
  /// The settings given at construction (learning_rate() is the step size in use).
  const AdamOptions& options() const { return options_; }

 private:
  void update(std::span<double> data, std::span<const double> grad, std::span<double> state) override;
  void update(std::span<float> data, std::span<const float> grad, std::span<float> state) override;
  std::size_t state_per_parameter() const override { return 2; }
  AdamOptions options_;
};

}  // namespace backflow
