// backflow/tensor.hpp: float32 n-dimensional arrays with the same reverse-mode autodiff as
// Value: every op on Tensors that need gradients records a node; backward() sweeps the
// graph in reverse topological order; gradients add up where paths meet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace backflow {

namespace detail {
struct TensorNode;
}

/// The size of each dimension, outermost first (row-major).
using Shape = std::vector<std::size_t>;

/// "[1024, 784]".
std::string to_string(const Shape& shape);

/// The operation that produced a tensor node.
enum class TensorOp : std::uint8_t {
  leaf,                   ///< an input, a parameter or a constant
  add,                    ///< a + b, with row broadcasting
  sub,                    ///< a - b, with row broadcasting
  mul,                    ///< a * b, with row broadcasting
  div,                    ///< a / b, with row broadcasting
  neg,                    ///< -a
  exp,                    ///< e ** a, elementwise
  log,                    ///< natural logarithm, elementwise
  relu,                   ///< max(a, 0), elementwise
  sigmoid,                ///< 1 / (1 + e ** -a), elementwise
  tanh,                   ///< hyperbolic tangent, elementwise
  matmul,                 ///< the matrix product a b
  dense,                  ///< fused activation(x W + b)
  sum,                    ///< the sum of all elements
  mean,                   ///< the mean of all elements
  sum_axis,               ///< sums along one axis
  mean_axis,              ///< means along one axis
  reshape,                ///< the same elements in a new shape
  transpose,              ///< a matrix with rows and columns swapped
  softmax,                ///< softmax along the last axis
  log_softmax,            ///< log softmax along the last axis
  softmax_cross_entropy,  ///< fused softmax and cross-entropy, mean over rows
  mse,                    ///< mean squared error
};

/// A short name for an op, as drawn in graph pictures: "matmul", "dense", "+", ...
std::string_view op_name(TensorOp op);

/// The elementwise nonlinearity of a fused dense op.
enum class DenseActivation : std::uint8_t { linear, relu, sigmoid, tanh };

/// A float32, contiguous, row-major n-dimensional array: a cheap copyable handle to a
/// shared graph node. A graph belongs to one thread at a time.
class Tensor {
 public:
  /// A scalar 0 (shape [1]).
  Tensor();
  /// A leaf with the given shape and values. Throws std::invalid_argument unless
  /// values.size() equals the shape's element count.
  Tensor(Shape shape, std::vector<float> values, bool requires_grad = false);
  /// A scalar leaf.
  Tensor(float value);  // NOLINT(google-explicit-constructor)

  /// A leaf of the given shape filled with zeros.
  static Tensor zeros(Shape shape, bool requires_grad = false);
  /// A leaf of the given shape with every element set to `value`.
  static Tensor full(Shape shape, float value, bool requires_grad = false);

  /// Another handle to the same node.
  Tensor(const Tensor& other) noexcept;
  /// Another handle to the same node; `other` stays valid and keeps sharing it.
  Tensor(Tensor&& other) noexcept;
  /// Makes this handle share other's node.
  Tensor& operator=(const Tensor& other) noexcept;
  /// Takes other's node; `other` gets this handle's old node and stays a valid handle.
  Tensor& operator=(Tensor&& other) noexcept;
  /// Releases this handle's share of the node.
  ~Tensor();

  /// The size of each dimension, outermost first.
  const Shape& shape() const;
  /// The number of dimensions.
  std::size_t rank() const { return shape().size(); }
  /// Number of elements.
  std::size_t size() const;
  /// The values, row-major. Writable for leaves (parameters, inputs). The span points into
  /// the node: keep a Tensor alive while using it (not `for (float v : relu(x).data())`).
  std::span<float> data() const;
  /// d(root)/d(this) after backward(); all zeros if no gradient reached it. A span into the
  /// node, like data().
  std::span<const float> grad() const;
  /// The single value of a one-element tensor; throws otherwise.
  float item() const;
  /// Element at a multi-dimensional index (bounds-checked).
  float at(std::initializer_list<std::size_t> index) const;

  /// Whether backward() computes a gradient for this tensor.
  bool requires_grad() const;
  /// Marks a leaf as needing a gradient (inputs usually don't; parameters do).
  Tensor& set_requires_grad(bool on);
  /// True for trainable parameters (Dense layers mark their weights and biases).
  bool is_parameter() const;
  /// Marks a leaf as a trainable parameter (and as requiring a gradient).
  Tensor& mark_parameter();

  /// The operation that produced this node.
  TensorOp op() const;
  /// The label given with set_label(), or "".
  std::string_view label() const;
  /// Gives this node a name (Dense layers name their parameters). Returns *this for chaining.
  Tensor& set_label(std::string_view label);
  /// The module the node was created in ("dense_1"), or "".
  std::string_view scope() const;
  /// The nodes this one was computed from (empty for leaves).
  std::vector<Tensor> inputs() const;
  /// A number that identifies the node (not the handle) while it lives.
  std::uintptr_t id() const;
  /// The activation of a dense node.
  DenseActivation dense_activation() const;
  /// The axis of a sum_axis / mean_axis node.
  std::size_t axis() const;

  /// Reverse-mode autodiff from this one-element tensor: seeds its gradient with 1.
  /// Leaves accumulate across calls (as with Value); interior nodes hold the latest call's.
  void backward() const;
  /// Sets this tensor's gradient to zero.
  void zero_grad() const;

  /// Internal: wraps a node and takes over one reference to it.
  static Tensor adopt(detail::TensorNode* node) noexcept;
  /// Internal: the node behind the handle.
  detail::TensorNode* node() const noexcept { return node_; }

 private:
  struct Adopt {};
  Tensor(Adopt, detail::TensorNode* node) noexcept : node_(node) {}
  detail::TensorNode* node_;
};

// Elementwise arithmetic. Shapes must match, or one operand (either side) may be a row
// ([n] or [1, n] against [m, n]; generally [1, ..., 1, n] against any shape of two or more
// dimensions ending in n) or a single element, with no more dimensions than the other
// operand; that operand is broadcast, and its gradient sums over the copies. Other shapes
// throw, naming the op and both shapes.
/// Elementwise sum; either operand may be a row or a single element, broadcast.
Tensor operator+(const Tensor& a, const Tensor& b);
/// Elementwise difference; either operand may be a row or a single element, broadcast.
Tensor operator-(const Tensor& a, const Tensor& b);
/// Elementwise product; either operand may be a row or a single element, broadcast.
Tensor operator*(const Tensor& a, const Tensor& b);
/// Elementwise quotient; either operand may be a row or a single element, broadcast.
Tensor operator/(const Tensor& a, const Tensor& b);
/// Elementwise negation.
Tensor operator-(const Tensor& a);

/// Elementwise e ** x.
Tensor exp(const Tensor& x);
/// Elementwise natural logarithm.
Tensor log(const Tensor& x);
/// Elementwise max(x, 0).
Tensor relu(const Tensor& x);
/// Elementwise logistic sigmoid, 1 / (1 + e ** -x).
Tensor sigmoid(const Tensor& x);
/// Elementwise hyperbolic tangent.
Tensor tanh(const Tensor& x);

/// [m, k] x [k, n] -> [m, n].
Tensor matmul(const Tensor& a, const Tensor& b);
/// activation(x W + b) in one node: x [m, k], W [k, n], b [n]. One pass adds the bias and
/// applies the activation; backward applies the activation's derivative and sums the bias
/// gradient in one pass too, into a scratch buffer that the thread keeps between steps.
Tensor dense(const Tensor& x, const Tensor& weights, const Tensor& bias, DenseActivation activation);

/// Sum of all elements, shape [1].
Tensor sum(const Tensor& x);
/// Mean of all elements, shape [1].
Tensor mean(const Tensor& x);
/// Sum over one axis of a 2-D tensor [m, n]: axis 0 gives [n], axis 1 gives [m].
Tensor sum(const Tensor& x, std::size_t axis);
/// Mean over one axis of a 2-D tensor [m, n]: axis 0 gives [n], axis 1 gives [m].
Tensor mean(const Tensor& x, std::size_t axis);

/// The same values with another shape of the same size (a copy; the input is unchanged).
Tensor reshape(const Tensor& x, Shape shape);
/// Rows and columns of a 2-D tensor swapped.
Tensor transpose(const Tensor& x);

/// Softmax along the last axis of a 2-D tensor (each row sums to 1).
Tensor softmax(const Tensor& logits);
/// log(softmax) along the last axis of a 2-D tensor, computed stably.
Tensor log_softmax(const Tensor& logits);
/// mean over rows of -sum_j targets_ij log softmax(logits)_ij, fused and stable. When each
/// target row sums to 1 (one-hot or any distribution) the gradient is (softmax - targets) / rows.
Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& targets);
/// mean of (prediction - target)^2 over all elements.
Tensor mse(const Tensor& prediction, const Tensor& target);

/// While alive, tensor ops on this thread record no graph (evaluation / inference mode):
/// results are leaves without gradients, and no memory is kept for backward. They keep
/// the name of the op that made them, so printing and graph pictures still say "relu".
class NoGradGuard {
 public:
  /// Stops graph recording on this thread.
  NoGradGuard();
  /// Restores the recording setting that was in force before.
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// Every node `root` depends on, inputs first, root last (the reverse of backward's order).
std::vector<Tensor> topological_order(const Tensor& root);

/// Threads used by the tensor kernels (matmul, the dense layer's elementwise passes, batch
/// gathering, Adam): 1 to 1024; throws std::invalid_argument otherwise.
void set_num_threads(int threads);
/// The thread count set with set_num_threads(), else `BACKFLOW_NUM_THREADS`, else the
/// number of hardware threads. Throws std::invalid_argument when nothing was set and
/// `BACKFLOW_NUM_THREADS` is not a number from 1 to 1024.
int num_threads();
/// Whether matmul may skip the zeros of its left operand (on by default). On a CPU with
/// AVX2 or AVX-512 (or in a build without OpenBLAS), when 70-80% or more of it is zero
/// (MNIST digits: 81%; the limit depends on the vector width) and the product is large, a
/// kernel that multiplies only the non-zero entries replaces the dense one: the same sums
/// in another order, a fraction of the work. A right operand holding an infinity or NaN
/// always goes to the dense kernel, so 0 x infinity is NaN either way. Turning it off
/// measures the dense speed.
void set_zero_skipping(bool enabled);
/// The setting of set_zero_skipping().
bool zero_skipping();
/// The dense kernel ("OpenBLAS cblas_sgemm (...)" with OpenBLAS's build configuration, or
/// "portable blocked kernel") and the instruction set of the zero-skipping kernel.
std::string matmul_backend();

}  // namespace backflow
