// Value handles and the operators that build graph nodes.
#include "node.hpp"
#include "rules.hpp"

#include <backflow/scope.hpp>

#include <string>
#include <utility>

namespace backflow {

using detail::Node;

namespace {

Node* leaf_node(double data, std::uint8_t flags = 0) {
  Node* node = detail::make_node(data, Op::leaf);
  node->flags = flags;
  return node;
}

Value apply(Op op, const Value& a) {
  Node* in = a.node();
  return Value::adopt(detail::make_node(detail::forward(op, in->data, 0.0, 0.0), op, in));
}

Value apply(Op op, const Value& a, const Value& b) {
  Node* x = a.node();
  Node* y = b.node();
  return Value::adopt(detail::make_node(detail::forward(op, x->data, y->data, 0.0), op, x, y));
}

Value constant(double data) { return Value::adopt(leaf_node(data, detail::flag_constant)); }

}  // namespace

std::string_view op_name(Op op) {
  switch (op) {
    case Op::leaf: return "leaf";
    case Op::add: return "+";
    case Op::sub: return "-";
    case Op::mul: return "*";
    case Op::div: return "/";
    case Op::neg: return "neg";
    case Op::pow_const: return "pow";
    case Op::pow: return "pow";
    case Op::exp: return "exp";
    case Op::log: return "log";
    case Op::tanh: return "tanh";
    case Op::sigmoid: return "sigmoid";
    case Op::relu: return "relu";
  }
  return "?";
}

Value::Value(double data) : node_(leaf_node(data)) {}

Value::Value(double data, std::string_view label) : node_(leaf_node(data)) { set_label(label); }

Value::Value(const Value& other) noexcept : node_(other.node_) { detail::retain(node_); }

// A moved-from Value keeps a valid node (a fresh 0 leaf would allocate, so it shares instead).
Value::Value(Value&& other) noexcept : node_(other.node_) { detail::retain(node_); }

Value& Value::operator=(const Value& other) noexcept {
  detail::retain(other.node_);  // first, so self-assignment is safe
  detail::release(node_);
  node_ = other.node_;
  return *this;
}

Value& Value::operator=(Value&& other) noexcept {
  std::swap(node_, other.node_);  // other releases our old node when it goes
  return *this;
}

Value::~Value() { detail::release(node_); }

Value Value::adopt(detail::Node* node) noexcept { return Value(Adopt{}, node); }

double Value::data() const { return node_->data; }
double Value::grad() const { return node_->grad; }
void Value::set_data(double data) const { node_->data = data; }
void Value::set_grad(double grad) const { node_->grad = grad; }
Op Value::op() const { return node_->op; }
double Value::exponent() const { return detail::exponent_of(node_); }

std::string_view Value::label() const {
  const detail::NodeExtras* extras = detail::find_extras(node_);
  return extras != nullptr ? std::string_view(extras->label) : std::string_view();
}

Value& Value::set_label(std::string_view label) {
  detail::extras_of(node_).label = label;
  return *this;
}

std::string_view Value::scope() const { return scope_name(node_->scope); }
bool Value::is_parameter() const { return (node_->flags & detail::flag_parameter) != 0; }
bool Value::is_constant() const { return (node_->flags & detail::flag_constant) != 0; }

Value& Value::mark_parameter() {
  node_->flags = static_cast<std::uint8_t>(node_->flags | detail::flag_parameter);
  return *this;
}

std::vector<Value> Value::inputs() const {
  std::vector<Value> result;
  for (Node* input : node_->inputs) {
    if (input != nullptr) {
      detail::retain(input);
      result.push_back(Value::adopt(input));
    }
  }
  return result;
}

std::uintptr_t Value::id() const { return reinterpret_cast<std::uintptr_t>(node_); }

Value Value::pow(double exponent) const {
  Node* node = detail::make_node(detail::forward(Op::pow_const, node_->data, 0.0, exponent), Op::pow_const, node_);
  detail::extras_of(node).exponent = exponent;
  return Value::adopt(node);
}

Value Value::pow(const Value& exponent) const { return apply(Op::pow, *this, exponent); }
Value Value::exp() const { return apply(Op::exp, *this); }
Value Value::log() const { return apply(Op::log, *this); }
Value Value::tanh() const { return apply(Op::tanh, *this); }
Value Value::sigmoid() const { return apply(Op::sigmoid, *this); }
Value Value::relu() const { return apply(Op::relu, *this); }

Value& Value::operator+=(const Value& other) { return *this = *this + other; }
Value& Value::operator-=(const Value& other) { return *this = *this - other; }
Value& Value::operator*=(const Value& other) { return *this = *this * other; }
Value& Value::operator/=(const Value& other) { return *this = *this / other; }
Value& Value::operator+=(double constant) { return *this = *this + constant; }
Value& Value::operator-=(double constant) { return *this = *this - constant; }
Value& Value::operator*=(double constant) { return *this = *this * constant; }
Value& Value::operator/=(double constant) { return *this = *this / constant; }

Value operator+(const Value& a, const Value& b) { return apply(Op::add, a, b); }
Value operator-(const Value& a, const Value& b) { return apply(Op::sub, a, b); }
Value operator*(const Value& a, const Value& b) { return apply(Op::mul, a, b); }
Value operator/(const Value& a, const Value& b) { return apply(Op::div, a, b); }
Value operator-(const Value& a) { return apply(Op::neg, a); }

Value operator+(const Value& a, double b) { return a + constant(b); }
Value operator+(double a, const Value& b) { return constant(a) + b; }
Value operator-(const Value& a, double b) { return a - constant(b); }
Value operator-(double a, const Value& b) { return constant(a) - b; }
Value operator*(const Value& a, double b) { return a * constant(b); }
Value operator*(double a, const Value& b) { return constant(a) * b; }
Value operator/(const Value& a, double b) { return a / constant(b); }
Value operator/(double a, const Value& b) { return constant(a) / b; }

Value pow(const Value& base, double exponent) { return base.pow(exponent); }
Value pow(const Value& base, const Value& exponent) { return base.pow(exponent); }
Value exp(const Value& x) { return x.exp(); }
Value log(const Value& x) { return x.log(); }
Value tanh(const Value& x) { return x.tanh(); }
Value sigmoid(const Value& x) { return x.sigmoid(); }
Value relu(const Value& x) { return x.relu(); }

}  // namespace backflow
