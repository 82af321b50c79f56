// The node behind a Value: one 64-byte record, drawn from a per-thread pool.
#pragma once

#include <backflow/value.hpp>

#include <cstdint>
#include <string>

namespace backflow::detail {

/// Bits in Node::flags.
enum NodeFlag : std::uint8_t {
  flag_parameter = 1U << 0U,
  flag_constant = 1U << 1U,
  flag_visited = 1U << 2U,  ///< scratch mark, only set during a traversal
};

struct Node {
  double data;
  double grad;
  Node* inputs[2];     ///< owned references; unused slots are nullptr
  double exponent;     ///< only for Op::pow_const
  std::string* label;  ///< owned, nullptr when unlabelled (most nodes)
  std::uint32_t references;
  std::uint32_t scope;  ///< id from the scope registry, 0 = none
  Op op;
  std::uint8_t flags;

  int input_count() const { return (inputs[0] != nullptr) + (inputs[1] != nullptr); }
  bool visited() const { return (flags & flag_visited) != 0; }
  void set_visited(bool on) {
    flags = on ? static_cast<std::uint8_t>(flags | flag_visited)
               : static_cast<std::uint8_t>(flags & ~flag_visited);
  }
};

/// A fresh node with one reference, holding one reference to each input.
Node* make_node(double data, Op op, Node* a = nullptr, Node* b = nullptr);

inline void retain(Node* node) { ++node->references; }

/// Frees every node whose last reference this was; iterative, so depth does not matter.
void free_unreferenced(Node* node);

inline void release(Node* node) {
  if (node != nullptr && --node->references == 0) free_unreferenced(node);
}

}  // namespace backflow::detail
