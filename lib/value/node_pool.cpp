// Where nodes come from and go back to: chunks with a bitmap of free slots (node.hpp has the
// fast paths), and the iterative freeing of graphs.
#include "node.hpp"

#include "../engine/free_graph.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace backflow::detail {

static_assert(sizeof(Node) == 48, "the hot node record should stay at 48 bytes");
static_assert(sizeof(Chunk) <= chunk_alignment, "a chunk must fit in its alignment");

namespace {

// Chunks belong to the process: a node made on one thread stays valid memory wherever it is
// freed. They are never released, not even at exit: a Value in a static container made
// before the first chunk is destroyed after any static registry would be, and freeing it
// must still find its node.
struct ChunkRegistry {
  std::mutex mutex;
  std::vector<Chunk*> all;
};

bool has_free_slot(const Chunk& chunk) {
  return std::any_of(std::begin(chunk.free_slots), std::end(chunk.free_slots),
                     [](std::uint64_t bits) { return bits != 0; });
}

Chunk* new_chunk() {
  static auto& registry = *new ChunkRegistry;
  void* memory = std::aligned_alloc(chunk_alignment, chunk_alignment);
  if (memory == nullptr) throw std::bad_alloc();
  auto* chunk = static_cast<Chunk*>(memory);
  std::fill(std::begin(chunk->free_slots), std::end(chunk->free_slots), ~std::uint64_t{0});
  std::lock_guard lock(registry.mutex);
  registry.all.push_back(chunk);
  return chunk;
}

// This thread's chunks, in address order, and scratch space for free_unreferenced and for
// backward()'s traversal.
struct ThreadNodes {
  std::vector<Chunk*> chunks;
  std::vector<Node*> unreferenced;
  std::vector<Node*> traversal;
  // A Value destroyed after this (a static one at exit) must not touch it.
  ~ThreadNodes() { gone = true; }
  static constinit thread_local bool gone BACKFLOW_FAST_TLS;
};
constinit thread_local bool ThreadNodes::gone BACKFLOW_FAST_TLS = false;
thread_local ThreadNodes thread_nodes BACKFLOW_FAST_TLS;

}  // namespace

Node* allocate_node_slow() {
  std::vector<Chunk*>& chunks = thread_nodes.chunks;
  // The next chunk after the cursor's (in address order) that has room, wrapping around
  // once; a new chunk when all are full.
  const auto here = std::find(chunks.begin(), chunks.end(), cursor.chunk);
  const std::size_t start = here == chunks.end() ? 0 : static_cast<std::size_t>(here - chunks.begin()) + 1;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    Chunk* candidate = chunks[(start + i) % chunks.size()];
    if (has_free_slot(*candidate)) {
      cursor = {candidate, 0};
      return allocate_node();
    }
  }
  Chunk* chunk = new_chunk();
  chunks.insert(std::upper_bound(chunks.begin(), chunks.end(), chunk), chunk);
  cursor = {chunk, 0};
  return allocate_node();
}

std::vector<Node*>* kept_traversal_stack() { return ThreadNodes::gone ? nullptr : &thread_nodes.traversal; }

void free_unreferenced(Node* node) {
  // The work list's memory is kept between calls; a local handle to it lets the compiler
  // keep it in registers.
  std::vector<Node*> work;
  if (!ThreadNodes::gone) work = std::move(thread_nodes.unreferenced);
  free_graph(node, work, [](Node* dead) {
    if ((dead->flags & flag_has_extras) != 0) erase_extras(dead);
    return_to_pool(dead);
  });
  if (!ThreadNodes::gone) thread_nodes.unreferenced = std::move(work);
}

}  // namespace backflow::detail
