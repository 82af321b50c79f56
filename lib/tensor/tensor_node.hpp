// The node behind a Tensor: shape, values, gradient, the inputs it was computed from, and
// whatever its op saved for backward.
#pragma once

#include <backflow/tensor.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace backflow::detail {

/// Recycled float arrays. Training repeats the same shapes every step; handing the same
/// arrays back saves the page faults and zeroing a fresh multi-megabyte allocation costs.
float* take_floats(std::size_t size);
void give_back_floats(float* values, std::size_t size);

/// An uninitialised float array: outputs that a kernel overwrites need no zeroing pass.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t size) : values_(take_floats(size)), size_(size) {}
  Buffer(Buffer&& other) noexcept
      : values_(std::exchange(other.values_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    std::swap(values_, other.values_);
    std::swap(size_, other.size_);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { give_back_floats(values_, size_); }

  float* data() const { return values_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<float> span() const { return {values_, size_}; }

 private:
  float* values_ = nullptr;
  std::size_t size_ = 0;
};

enum TensorFlag : std::uint8_t {
  tensor_requires_grad = 1U << 0U,
  tensor_parameter = 1U << 1U,
  tensor_grad_written = 1U << 2U,  ///< grad holds a value; otherwise it reads as zeros
};

struct TensorNode {
  Shape shape;
  Buffer data;
  Buffer grad;                          ///< allocated on first use
  Buffer saved;                         ///< op-specific (softmax_cross_entropy keeps its log-probabilities here)
  std::array<TensorNode*, 3> inputs{};  ///< owned references; dense uses all three
  std::string label;
  std::uint32_t references = 1;
  std::uint32_t pending_consumers = 0;
  std::uint32_t scope = 0;
  std::size_t axis = 0;
  TensorOp op = TensorOp::leaf;
  DenseActivation activation = DenseActivation::linear;
  std::uint8_t flags = 0;

  std::size_t size() const { return data.size(); }
  bool has(TensorFlag flag) const { return (flags & flag) != 0; }
  void set(TensorFlag flag, bool on) {
    flags = on ? static_cast<std::uint8_t>(flags | flag) : static_cast<std::uint8_t>(flags & ~flag);
  }
  bool requires_grad() const { return has(tensor_requires_grad); }
  /// A leaf has no inputs to pass gradients to: a tensor made by hand, a parameter, or the
  /// result of an op run under NoGradGuard (which keeps its op, for printing, but not its
  /// inputs). Backward accumulates into leaves across passes.
  bool is_leaf() const { return inputs[0] == nullptr; }
};

/// The number of elements a tensor of `shape` holds; throws when the product does not fit
/// in size_t (a wrapped count would make a tiny buffer for a huge shape).
std::size_t element_count(const Shape& shape);

/// A new node with one reference. When gradients are being recorded and any input needs a
/// gradient, the node keeps (and references) its inputs and needs a gradient too;
/// otherwise its inputs are not kept: it is a leaf that remembers its op for printing.
/// Ops hand it to a Tensor (Tensor::adopt) at once, before computing into it: that work
/// may throw, and a node nobody owns would leak, holding its inputs alive.
TensorNode* make_tensor_node(Shape shape, TensorOp op, std::initializer_list<TensorNode*> inputs);

void release(TensorNode* node);
inline void retain(TensorNode* node) { ++node->references; }

/// Whether ops record graphs on this thread (false inside NoGradGuard).
bool recording_gradients();

/// Where a gradient contribution goes: the first contribution of a backward pass writes,
/// later ones add. (Saves zeroing large gradient buffers before every pass.)
struct GradSink {
  float* values;
  bool accumulate;  ///< false: overwrite, this is the first contribution
};
/// The sink for `node`'s gradient; allocates the buffer on first use.
GradSink grad_sink(TensorNode* node);

/// Writes or adds contribution(i) for every element i of node's gradient.
template <class Contribution>
void add_to_grad(TensorNode* node, Contribution contribution) {
  const GradSink sink = grad_sink(node);
  const std::size_t n = node->size();
  if (sink.accumulate) {
    for (std::size_t i = 0; i < n; ++i) sink.values[i] += contribution(i);
  } else {
    for (std::size_t i = 0; i < n; ++i) sink.values[i] = contribution(i);
  }
}

/// The node's gradient as read by its backward rule (zeros if nothing was written).
const float* grad_of(TensorNode* node);

/// The op's backward rule: sends node's gradient to the inputs that need one.
void backward_rule(TensorNode* node);

/// Throws "backflow: OP: needs a 2-D tensor WHAT, got shape [..]" unless x is 2-D.
void require_matrix(std::string_view op, const Tensor& x, std::string_view what = "");

[[noreturn]] void shape_error(std::string_view op, const Shape& a, const Shape& b, std::string_view why);

}  // namespace backflow::detail
