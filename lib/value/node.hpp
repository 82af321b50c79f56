// The node behind a Value: one 48-byte record, kept in a chunk of 4,096 with a bitmap of its
// free slots (below; node_pool.cpp has the slow paths).
//
// A training step of micrograd's demo makes and frees about 65,800 nodes. A general-purpose
// allocator call per node (plus a control block, as with shared_ptr) costs more than the
// arithmetic; clearing the lowest free bit at this thread's cursor, and setting it again on
// free, costs a few instructions.
#pragma once

#include "scope_registry.hpp"

#include <backflow/value.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace backflow::detail {

/// Bits in Node::flags.
enum NodeFlag : std::uint8_t {
  flag_parameter = 1U << 0U,
  flag_constant = 1U << 1U,
  flag_has_extras = 1U << 2U,  ///< a label or an exponent is kept in the side table
};

// 48 bytes (checked in node_pool.cpp): what every traversal touches. Rarely used fields (a label, pow's exponent) live
// in a side table (node_extras.cpp), so the hot records pack tighter in cache.
struct Node {
  double data;
  double grad;
  Node* inputs[2];  ///< owned references; unused slots are nullptr
  std::uint32_t references;
  std::uint32_t scope;  ///< id from the scope registry, 0 = none
  Op op;
  std::uint8_t flags;
  std::uint32_t pending_consumers;  ///< scratch count, only non-zero during a traversal

  int input_count() const { return (inputs[0] != nullptr) + (inputs[1] != nullptr); }
};

// Nodes live in chunks of 4,096, each chunk aligned to 256 KiB so that a node's chunk is its
// address with the low bits cleared, and each with a bitmap of its free slots. Allocation
// takes the lowest free slot at or after this thread's cursor, so a graph built in one go is
// laid out in creation order; backward's passes, which walk it in roughly reverse creation
// order, then stream through memory instead of jumping around in it.
inline constexpr std::size_t nodes_per_chunk = 4096;
inline constexpr std::size_t words_per_chunk = nodes_per_chunk / 64;
inline constexpr std::uintptr_t chunk_alignment = 256 * 1024;

struct Chunk {
  Node nodes[nodes_per_chunk];
  // No count of free slots beside it: one more counter updated by every allocation and every
  // free makes each of them wait on the previous one's store.
  std::uint64_t free_slots[words_per_chunk];  ///< bit i of word w: slot 64 w + i is free
};

inline Chunk* chunk_of(Node* node) {
  return reinterpret_cast<Chunk*>(reinterpret_cast<std::uintptr_t>(node) & ~(chunk_alignment - 1));
}

/// Where this thread allocates next. constinit: reading it costs no lazy-initialisation check.
struct AllocationCursor {
  Chunk* chunk = nullptr;
  std::size_t word = 0;
};
inline constinit thread_local AllocationCursor cursor BACKFLOW_FAST_TLS;

/// Moves the cursor to a chunk with a free slot, making a new chunk if none has one, and
/// allocates there (node_pool.cpp).
Node* allocate_node_slow();

inline Node* allocate_node() {
  Chunk* chunk = cursor.chunk;
  if (chunk != nullptr) {
    for (std::size_t word = cursor.word; word < words_per_chunk; ++word) {
      const std::uint64_t bits = chunk->free_slots[word];
      if (bits != 0) {
        chunk->free_slots[word] = bits & (bits - 1);  // clear the lowest set bit
        cursor.word = word;
        return &chunk->nodes[word * 64 + static_cast<std::size_t>(std::countr_zero(bits))];
      }
    }
  }
  return allocate_node_slow();
}

/// Hands a dead node's slot back to its chunk.
inline void return_to_pool(Node* node) {
  Chunk* chunk = chunk_of(node);
  const auto slot = static_cast<std::size_t>(node - chunk->nodes);
  chunk->free_slots[slot / 64] |= std::uint64_t{1} << (slot % 64);
}

inline void retain(Node* node) { ++node->references; }

/// A fresh node with one reference, holding one reference to each input.
inline Node* make_node(double data, Op op, Node* a = nullptr, Node* b = nullptr) {
  Node* node = allocate_node();
  *node = Node{data, 0.0, {a, b}, 1, current_scope_id(), op, 0, 0};
  if (a != nullptr) retain(a);
  if (b != nullptr) retain(b);
  return node;
}

/// The side table of rarely used fields (node_extras.cpp).
struct NodeExtras {
  std::string label;
  double exponent = 0.0;  ///< Op::pow_const only
};
/// The extras of `node`, created on first use (sets flag_has_extras).
NodeExtras& extras_of(Node* node);
/// The extras of `node` if it has any, else nullptr.
const NodeExtras* find_extras(const Node* node);
/// Drops a dead node's extras.
void erase_extras(const Node* node);

/// pow's exponent for an Op::pow_const node, 0 for other ops.
inline double exponent_of(const Node* node) {
  if (node->op != Op::pow_const) return 0.0;
  const NodeExtras* extras = find_extras(node);
  return extras != nullptr ? extras->exponent : 0.0;
}

/// Frees every node whose last reference this was; iterative, so depth does not matter.
void free_unreferenced(Node* node);

/// This thread's stack for backward()'s traversal, kept between calls; nullptr once the
/// thread's thread_locals are destroyed (a backward() from a static object's destructor).
std::vector<Node*>* kept_traversal_stack();

inline void release(Node* node) {
  if (node != nullptr && --node->references == 0) free_unreferenced(node);
}

}  // namespace backflow::detail
