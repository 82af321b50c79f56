// backflow/value.hpp: a scalar that remembers how it was computed.
//
// Every arithmetic operation on Values creates a new node in a dynamic computation graph.
// backward() walks that graph from the output to the inputs and fills in, for every node,
// the derivative of the output with respect to that node (reverse-mode autodiff).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backflow {

namespace detail {
struct Node;
}

/// The operation that produced a node. `leaf` nodes are inputs, parameters and constants.
enum class Op : std::uint8_t {
  leaf,       ///< an input, a parameter or a constant
  add,        ///< a + b
  sub,        ///< a - b
  mul,        ///< a * b
  div,        ///< a / b
  neg,        ///< -a
  pow_const,  ///< a ** p for a fixed double p
  pow,        ///< a ** b, both Values
  exp,        ///< e ** a
  log,        ///< natural logarithm of a
  tanh,       ///< hyperbolic tangent of a
  sigmoid,    ///< logistic sigmoid, 1 / (1 + e ** -a)
  relu,       ///< max(a, 0)
};

/// A short symbol for an op, as drawn in graph pictures: "+", "*", "tanh", ...
std::string_view op_name(Op op);

/// A scalar in the computation graph: a cheap, copyable handle to a shared node.
///
/// Copies share the node. A node is freed when its last handle and its last consumer are
/// gone; freeing a graph never recurses, so chains of millions of nodes are fine.
/// A graph belongs to the thread that built it: reference counts are not atomic, and the
/// last handle must be dropped on that thread, or on another after the building thread has
/// stopped creating Values and handed the graph over with synchronisation (join() it, or
/// pass the graph through a mutex or future), because freeing a node marks its slot free in
/// that thread's node chunks.
class Value {
 public:
  /// A new leaf holding `data` (implicit, so `Value x = -4.0;` works).
  Value(double data);  // NOLINT(google-explicit-constructor)
  /// A new leaf with a label that graph pictures show.
  Value(double data, std::string_view label);

  /// Another handle to the same node.
  Value(const Value& other) noexcept;
  /// Another handle to the same node; `other` stays valid and keeps sharing it.
  Value(Value&& other) noexcept;
  /// Makes this handle share other's node.
  Value& operator=(const Value& other) noexcept;
  /// Takes other's node; `other` gets this handle's old node and stays a valid handle.
  Value& operator=(Value&& other) noexcept;
  /// Releases this handle's share of the node.
  ~Value();

  /// The number this node holds.
  double data() const;
  /// d(root)/d(this node), as left by the last backward() from `root` (0 before any).
  double grad() const;
  /// Overwrites the number a leaf holds (what optimizers do to parameters). Nodes built
  /// from it keep their values; backward() reads the numbers held when it runs, so change
  /// a leaf between forward and backward only on purpose (as in micrograd).
  void set_data(double data) const;
  /// Overwrites the gradient (zero_grad() sets it to 0).
  void set_grad(double grad) const;

  /// The operation that produced this node.
  Op op() const;
  /// The exponent of a pow_const node (0 for other ops).
  double exponent() const;
  /// The label given with set_label(), or "".
  std::string_view label() const;
  /// Names this node in graph pictures. Returns *this for chaining.
  Value& set_label(std::string_view label);
  /// The module the node was created in ("layer 1 / neuron 3"), or "".
  std::string_view scope() const;
  /// True for trainable parameters (nn modules mark their weights and biases).
  bool is_parameter() const;
  /// Marks this leaf as a trainable parameter.
  Value& mark_parameter();
  /// True for leaves made from a plain double inside an expression, like the 2 in `x * 2`.
  bool is_constant() const;
  /// The nodes this one was computed from (empty for leaves).
  std::vector<Value> inputs() const;
  /// A number that identifies the node (not the handle) while it lives.
  std::uintptr_t id() const;

  /// Reverse-mode autodiff from this node.
  ///
  /// Seeds this node's gradient with 1 (d root / d root; a leaf root adds 1 to what it
  /// holds, like any leaf) and sends gradients backward to every node it depends on, in
  /// reverse topological order; a node reached along several paths gets the sum.
  /// Leaves accumulate: a second backward() without zero_grad() adds the same gradients
  /// again (like PyTorch's .grad). Interior nodes hold the gradient of the latest call.
  void backward() const;

  /// A new node: this ** exponent for a fixed exponent (op pow_const). As std::pow: a
  /// negative base with a non-integer exponent gives NaN. The gradient of x ** 0 is 0.
  Value pow(double exponent) const;
  /// A new node: this ** exponent, with gradients for both (op pow). The exponent's
  /// gradient, a ** b ln a, is NaN for a negative base and taken as 0 at a base of 0 when
  /// b >= 0 (as in PyTorch); with b < 0 there it is infinite.
  Value pow(const Value& exponent) const;
  /// A new node: e ** this.
  Value exp() const;
  /// A new node: the natural logarithm of this.
  Value log() const;
  /// A new node: the hyperbolic tangent of this.
  Value tanh() const;
  /// A new node: the logistic sigmoid of this, 1 / (1 + e ** -this).
  Value sigmoid() const;
  /// A new node: max(this, 0).
  Value relu() const;

  // Compound assignment builds a new node and rebinds this handle; the old node is left
  // untouched in whatever graph already uses it, so `c += c + 1` is well defined. It also
  // means `p -= lr * p.grad()` does not update a parameter: the handle moves to a new node
  // and the model keeps the old one. Update in place with set_data() or an optimizer.
  /// Rebinds this handle to the new node `*this + other`.
  Value& operator+=(const Value& other);
  /// Rebinds this handle to the new node `*this - other`.
  Value& operator-=(const Value& other);
  /// Rebinds this handle to the new node `*this * other`.
  Value& operator*=(const Value& other);
  /// Rebinds this handle to the new node `*this / other`.
  Value& operator/=(const Value& other);
  /// Rebinds this handle to the new node `*this + constant`.
  Value& operator+=(double constant);
  /// Rebinds this handle to the new node `*this - constant`.
  Value& operator-=(double constant);
  /// Rebinds this handle to the new node `*this * constant`.
  Value& operator*=(double constant);
  /// Rebinds this handle to the new node `*this / constant`.
  Value& operator/=(double constant);

  /// Internal: wraps a node and takes over one reference to it.
  static Value adopt(detail::Node* node) noexcept;
  /// Internal: the node behind the handle.
  detail::Node* node() const noexcept { return node_; }

 private:
  struct Adopt {};
  Value(Adopt, detail::Node* node) noexcept : node_(node) {}
  detail::Node* node_;
};

/// A new node `a + b`.
Value operator+(const Value& a, const Value& b);
/// A new node `a - b`.
Value operator-(const Value& a, const Value& b);
/// A new node `a * b`.
Value operator*(const Value& a, const Value& b);
/// A new node `a / b`.
Value operator/(const Value& a, const Value& b);
/// A new node `-a`.
Value operator-(const Value& a);

// A plain double on either side becomes a constant leaf.
/// A new node `a + b`, with b a constant leaf.
Value operator+(const Value& a, double b);
/// A new node `a + b`, with a a constant leaf.
Value operator+(double a, const Value& b);
/// A new node `a - b`, with b a constant leaf.
Value operator-(const Value& a, double b);
/// A new node `a - b`, with a a constant leaf.
Value operator-(double a, const Value& b);
/// A new node `a * b`, with b a constant leaf.
Value operator*(const Value& a, double b);
/// A new node `a * b`, with a a constant leaf.
Value operator*(double a, const Value& b);
/// A new node `a / b`, with b a constant leaf.
Value operator/(const Value& a, double b);
/// A new node `a / b`, with a a constant leaf.
Value operator/(double a, const Value& b);

/// Same as base.pow(exponent): a fixed exponent.
Value pow(const Value& base, double exponent);
/// Same as base.pow(exponent): a Value exponent. In pow(2.0, x) the 2.0 becomes a new
/// leaf like any other, so it gets a gradient (ln 2 * 2 ** x) too.
Value pow(const Value& base, const Value& exponent);
/// Same as x.exp().
Value exp(const Value& x);
/// Same as x.log().
Value log(const Value& x);
/// Same as x.tanh().
Value tanh(const Value& x);
/// Same as x.sigmoid().
Value sigmoid(const Value& x);
/// Same as x.relu().
Value relu(const Value& x);

/// Every node `root` depends on, inputs before the nodes computed from them, root last.
/// backward() visits them in exactly the reverse of this order.
std::vector<Value> topological_order(const Value& root);

/// Sets the gradient of every node in root's graph to 0.
void zero_grad(const Value& root);

/// Where a NaN or an infinity first appeared in a graph.
struct NonFiniteReport {
  Value node;           ///< the first node (in forward order) that is not finite
  std::string message;  ///< e.g. "log produced -inf from input(s) 0 (label 'loss')": the op, its
                        ///< value, its inputs' values, and the node's own label if it has one
};

/// Finds the first node, in forward order, whose value is NaN or infinite while all of
/// its inputs are finite: the op where things went wrong. std::nullopt when all are finite.
std::optional<NonFiniteReport> find_first_nonfinite(const Value& root);

}  // namespace backflow
