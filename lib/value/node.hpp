// The node behind a Value: one 64-byte record, drawn from a per-thread pool.
//
// A training step of micrograd's demo makes and frees about 65,000 nodes. A general-purpose
// allocator call per node (plus a control block, as with shared_ptr) costs more than the
// arithmetic; popping a free list costs a few instructions.
#pragma once

#include "scope_registry.hpp"

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

struct Node {  // 64 bytes: one cache line
  double data;
  double grad;
  Node* inputs[2];     ///< owned references; unused slots are nullptr
  double exponent;     ///< only for Op::pow_const
  std::string* label;  ///< owned, nullptr when unlabelled (most nodes)
  std::uint32_t references;
  std::uint32_t scope;  ///< id from the scope registry, 0 = none
  Op op;
  std::uint8_t flags;
  std::uint32_t pending_consumers;  ///< scratch count, only non-zero during a traversal

  int input_count() const { return (inputs[0] != nullptr) + (inputs[1] != nullptr); }
  bool visited() const { return (flags & flag_visited) != 0; }
  void set_visited(bool on) {
    flags = on ? static_cast<std::uint8_t>(flags | flag_visited)
               : static_cast<std::uint8_t>(flags & ~flag_visited);
  }
};

/// This thread's free nodes, as an array of pointers used as a stack. (A linked list through
/// the free nodes themselves would make every allocation wait for a cache miss to learn
/// where the next free node is; an array of pointers is read ahead by the hardware.)
struct FreeNodes {
  Node** top = nullptr;     ///< one past the last free node
  Node** bottom = nullptr;  ///< start of the array
  Node** end = nullptr;     ///< end of the array's capacity
};
inline constinit thread_local FreeNodes free_nodes;

/// Adds a chunk of fresh nodes to this thread's free nodes (node_pool.cpp).
void grow_pool();

inline void retain(Node* node) { ++node->references; }

/// A fresh node with one reference, holding one reference to each input.
inline Node* make_node(double data, Op op, Node* a = nullptr, Node* b = nullptr) {
  if (free_nodes.top == free_nodes.bottom) grow_pool();
  Node* node = *--free_nodes.top;
  *node = Node{data, 0.0, {a, b}, 0.0, nullptr, 1, current_scope_id(), op, 0, 0};
  if (a != nullptr) retain(a);
  if (b != nullptr) retain(b);
  return node;
}

/// Makes room in this thread's free array for one more node (node_pool.cpp).
void grow_free_array();

/// Hands a dead node back to this thread's pool.
inline void return_to_pool(Node* node) {
  if (free_nodes.top == free_nodes.end) grow_free_array();  // only for nodes made by other threads
  *free_nodes.top++ = node;
}

/// Frees every node whose last reference this was; iterative, so depth does not matter.
void free_unreferenced(Node* node);

inline void release(Node* node) {
  if (node != nullptr && --node->references == 0) free_unreferenced(node);
}

}  // namespace backflow::detail
