// Tensor handles, leaves, node lifetime, and gradient bookkeeping.
#include "../engine/free_graph.hpp"
#include "../engine/topological_order.hpp"
#include "../value/scope_registry.hpp"
#include "tensor_node.hpp"

#include <backflow/scope.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace backflow {

using detail::TensorNode;

namespace detail {
namespace {

constinit thread_local bool no_grad = false;

// Scratch space kept per thread: release()'s work list and backward()'s traversal stack.
// A Tensor freed or a backward() run after it is gone (from a static object's destructor at
// exit: this thread's thread_locals die before the program's statics) must not touch it.
struct ThreadScratch {
  std::vector<TensorNode*> release;
  std::vector<TensorNode*> traversal;
  ~ThreadScratch() { gone = true; }
  static constinit thread_local bool gone;
};
constinit thread_local bool ThreadScratch::gone = false;
thread_local ThreadScratch thread_scratch;

}  // namespace

std::size_t element_count(const Shape& shape) {
  if (std::ranges::find(shape, std::size_t{0}) != shape.end()) return 0;  // whatever the other extents
  std::size_t count = 1;
  for (std::size_t extent : shape) {
    if (__builtin_mul_overflow(count, extent, &count)) {
      throw std::invalid_argument(
          fmt::format("backflow: a tensor of shape {} would hold more elements than fit in memory", to_string(shape)));
    }
  }
  return count;
}

bool recording_gradients() { return !no_grad; }

TensorNode* make_tensor_node(Shape shape, TensorOp op, std::initializer_list<TensorNode*> inputs) {
  const std::size_t size = element_count(shape);
  auto owned = std::make_unique<TensorNode>();  // freed if the buffer cannot be allocated
  owned->data = Buffer(size);
  TensorNode* node = owned.release();
  node->shape = std::move(shape);
  node->scope = current_scope_id();
  bool needs_grad = false;
  for (TensorNode* input : inputs) needs_grad = needs_grad || input->requires_grad();
  node->op = op;  // kept even without inputs: pictures and printing name it
  if (needs_grad && recording_gradients()) {
    node->set(tensor_requires_grad, true);
    std::size_t slot = 0;
    for (TensorNode* input : inputs) {
      retain(input);
      node->inputs[slot++] = input;
    }
  }
  return node;
}

void release(TensorNode* node) {
  if (node == nullptr || --node->references != 0) return;
  std::vector<TensorNode*> work;
  if (!ThreadScratch::gone) work = std::move(thread_scratch.release);
  free_graph(node, work, [](TensorNode* dead) { delete dead; });
  if (!ThreadScratch::gone) thread_scratch.release = std::move(work);
}

GradSink grad_sink(TensorNode* node) {
  if (node->grad.empty()) node->grad = Buffer(node->size());
  const bool accumulate = node->has(tensor_grad_written);
  node->set(tensor_grad_written, true);
  return {node->grad.data(), accumulate};
}

const float* grad_of(TensorNode* node) {
  if (!node->has(tensor_grad_written)) {
    if (node->grad.empty()) node->grad = Buffer(node->size());
    std::fill_n(node->grad.data(), node->size(), 0.0F);
    node->set(tensor_grad_written, true);
  }
  return node->grad.data();
}

void require_matrix(std::string_view op, const Tensor& x, std::string_view what) {
  if (x.rank() != 2) {
    throw std::invalid_argument(fmt::format("backflow: {}: needs a 2-D tensor{}{}, got shape {}", op,
                                            what.empty() ? "" : " ", what, to_string(x.shape())));
  }
}

void shape_error(std::string_view op, const Shape& a, const Shape& b, std::string_view why) {
  throw std::invalid_argument(
      fmt::format("backflow: {}: shapes {} and {} do not fit ({})", op, to_string(a), to_string(b), why));
}

}  // namespace detail

std::string to_string(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  return text + "]";
}

Tensor::Tensor() : Tensor(Shape{1}, std::vector<float>{0.0F}) {}

Tensor::Tensor(float value) : Tensor(Shape{1}, std::vector<float>{value}) {}

namespace {

/// `shape`, once it is known to hold `count` values: checked before any memory is set aside
/// for it (a mistyped shape of 2^40 elements must say so, not fail to allocate).
Shape shape_holding(Shape shape, std::size_t count) {
  const std::size_t expected = detail::element_count(shape);
  if (count != expected) {
    throw std::invalid_argument(
        fmt::format("backflow: Tensor: shape {} holds {} values but {} were given", to_string(shape), expected, count));
  }
  return shape;
}

}  // namespace

Tensor::Tensor(Shape shape, std::vector<float> values, bool requires_grad)
    : node_(detail::make_tensor_node(shape_holding(std::move(shape), values.size()), TensorOp::leaf, {})) {
  std::copy(values.begin(), values.end(), node_->data.data());
  set_requires_grad(requires_grad);
}

Tensor Tensor::zeros(Shape shape, bool requires_grad) { return full(std::move(shape), 0.0F, requires_grad); }

Tensor Tensor::full(Shape shape, float value, bool requires_grad) {
  Tensor t = adopt(detail::make_tensor_node(std::move(shape), TensorOp::leaf, {}));
  std::fill_n(t.node_->data.data(), t.size(), value);
  t.set_requires_grad(requires_grad);
  return t;
}

Tensor::Tensor(const Tensor& other) noexcept : node_(other.node_) { detail::retain(node_); }
Tensor::Tensor(Tensor&& other) noexcept : node_(other.node_) { detail::retain(node_); }

Tensor& Tensor::operator=(const Tensor& other) noexcept {
  detail::retain(other.node_);
  detail::release(node_);
  node_ = other.node_;
  return *this;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  std::swap(node_, other.node_);
  return *this;
}

Tensor::~Tensor() { detail::release(node_); }

Tensor Tensor::adopt(detail::TensorNode* node) noexcept { return Tensor(Adopt{}, node); }

const Shape& Tensor::shape() const { return node_->shape; }
std::size_t Tensor::size() const { return node_->size(); }
std::span<float> Tensor::data() const { return node_->data.span(); }

std::span<const float> Tensor::grad() const { return {detail::grad_of(node_), node_->size()}; }

float Tensor::item() const {
  if (size() != 1) {
    throw std::invalid_argument(
        fmt::format("backflow: item(): tensor of shape {} has {} elements, not 1", to_string(shape()), size()));
  }
  return node_->data.data()[0];
}

float Tensor::at(std::initializer_list<std::size_t> index) const {
  if (index.size() != rank()) {
    throw std::out_of_range(
        fmt::format("backflow: at(): {} indices for a tensor of shape {}", index.size(), to_string(shape())));
  }
  std::size_t offset = 0;
  std::size_t dim = 0;
  for (std::size_t i : index) {
    if (i >= shape()[dim]) {
      throw std::out_of_range(fmt::format("backflow: at(): index {} out of range for dimension {} of shape {}", i, dim,
                                          to_string(shape())));
    }
    offset = offset * shape()[dim++] + i;
  }
  return node_->data.data()[offset];
}

bool Tensor::requires_grad() const { return node_->requires_grad(); }

Tensor& Tensor::set_requires_grad(bool on) {
  node_->set(detail::tensor_requires_grad, on);
  return *this;
}

bool Tensor::is_parameter() const { return node_->has(detail::tensor_parameter); }

Tensor& Tensor::mark_parameter() {
  node_->set(detail::tensor_parameter, true);
  return set_requires_grad(true);
}

TensorOp Tensor::op() const { return node_->op; }
std::string_view Tensor::label() const { return node_->label; }

Tensor& Tensor::set_label(std::string_view label) {
  node_->label = label;
  return *this;
}

std::string_view Tensor::scope() const { return scope_name(node_->scope); }

std::vector<Tensor> Tensor::inputs() const {
  std::vector<Tensor> result;
  for (TensorNode* input : node_->inputs) {
    if (input != nullptr) {
      detail::retain(input);
      result.push_back(adopt(input));
    }
  }
  return result;
}

std::uintptr_t Tensor::id() const { return reinterpret_cast<std::uintptr_t>(node_); }
DenseActivation Tensor::dense_activation() const { return node_->activation; }
std::size_t Tensor::axis() const { return node_->axis; }

void Tensor::backward() const {
  if (size() != 1) {
    throw std::invalid_argument(
        fmt::format("backflow: backward(): the root must have one element (a loss), not shape {}", to_string(shape())));
  }
  if (!requires_grad()) {
    throw std::invalid_argument(
        "backflow: backward(): nothing here needs a gradient (no parameter or "
        "requires_grad input was used, or it was computed under NoGradGuard)");
  }
  detail::for_each_in_backward_order(
      node_,
      [](TensorNode* node) {
        // Interior gradients are this pass's; leaves accumulate across passes.
        if (!node->is_leaf()) node->set(detail::tensor_grad_written, false);
      },
      [root = node_](TensorNode* node) {
        if (node == root) {
          const detail::GradSink sink = detail::grad_sink(node);
          // Seed d(root)/d(root) = 1; a leaf root accumulates like any leaf.
          sink.values[0] = sink.accumulate && node->is_leaf() ? sink.values[0] + 1.0F : 1.0F;
        }
        if (!node->is_leaf() && node->has(detail::tensor_grad_written)) detail::backward_rule(node);
      },
      detail::ThreadScratch::gone ? nullptr : &detail::thread_scratch.traversal);
}

void Tensor::zero_grad() const { node_->set(detail::tensor_grad_written, false); }

std::vector<Tensor> topological_order(const Tensor& root) {
  std::vector<Tensor> result;
  for (TensorNode* node : detail::topological_order(root.node())) {
    detail::retain(node);
    result.push_back(Tensor::adopt(node));
  }
  return result;
}

std::string_view op_name(TensorOp op) {
  switch (op) {
    case TensorOp::leaf: return "leaf";
    case TensorOp::add: return "+";
    case TensorOp::sub: return "-";
    case TensorOp::mul: return "*";
    case TensorOp::div: return "/";
    case TensorOp::neg: return "neg";
    case TensorOp::exp: return "exp";
    case TensorOp::log: return "log";
    case TensorOp::relu: return "relu";
    case TensorOp::sigmoid: return "sigmoid";
    case TensorOp::tanh: return "tanh";
    case TensorOp::matmul: return "matmul";
    case TensorOp::dense: return "dense";
    case TensorOp::sum: return "sum";
    case TensorOp::mean: return "mean";
    case TensorOp::sum_axis: return "sum(axis)";
    case TensorOp::mean_axis: return "mean(axis)";
    case TensorOp::reshape: return "reshape";
    case TensorOp::transpose: return "transpose";
    case TensorOp::softmax: return "softmax";
    case TensorOp::log_softmax: return "log_softmax";
    case TensorOp::softmax_cross_entropy: return "softmax_cross_entropy";
    case TensorOp::mse: return "mse";
  }
  return "?";
}

NoGradGuard::NoGradGuard() : previous_(detail::no_grad) { detail::no_grad = true; }
NoGradGuard::~NoGradGuard() { detail::no_grad = previous_; }

}  // namespace backflow
