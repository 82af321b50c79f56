// Where nodes come from and go back to: chunks of 4096 nodes, handed out through a per-thread
// array of free nodes and kept for reuse, which is what a training loop that rebuilds its
// graph every step wants.
#include "node.hpp"

#include "../engine/free_graph.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace backflow::detail {
namespace {

constexpr std::size_t nodes_per_chunk = 4096;

// Chunks belong to the process, not to a thread: a node made on one thread and freed on
// another stays valid memory. They are released at exit.
Node* new_chunk() {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Node[]>> chunks;
  std::lock_guard lock(mutex);
  chunks.push_back(std::make_unique<Node[]>(nodes_per_chunk));
  return chunks.back().get();
}

// The vector behind this thread's `free_nodes`. The inline fast paths only move
// free_nodes.top, so the vector's size is brought up to date before anything that may
// reallocate it, and free_nodes is re-pointed after.
struct FreeArray {
  std::vector<Node*> nodes;
  std::size_t nodes_made = 0;  // by this thread: how many could come back to it
  std::vector<Node*> unreferenced;  // free_unreferenced's work list, kept for its capacity

  void sync_size() { nodes.resize(static_cast<std::size_t>(free_nodes.top - free_nodes.bottom)); }
  void publish() {
    free_nodes.bottom = nodes.data();
    free_nodes.top = nodes.data() + nodes.size();
    free_nodes.end = nodes.data() + nodes.capacity();
  }
  // A Value destroyed after this (a static one at exit) finds no array: its node then just
  // stays in its chunk until the process ends.
  ~FreeArray() {
    free_nodes = {};
    gone = true;
  }
  static constinit thread_local bool gone;
};
constinit thread_local bool FreeArray::gone = false;
thread_local FreeArray free_array;

}  // namespace

void grow_pool() {
  free_array.sync_size();
  Node* chunk = new_chunk();
  free_array.nodes_made += nodes_per_chunk;
  // Room for every node this thread made to come back without reallocating.
  free_array.nodes.reserve(free_array.nodes_made);
  // Pushed in reverse, so nodes come out in address order: a graph built in one go sits
  // together in memory, and backward's sweeps stream through it.
  for (std::size_t i = nodes_per_chunk; i > 0; --i) free_array.nodes.push_back(&chunk[i - 1]);
  free_array.publish();
}

void grow_free_array() {
  if (FreeArray::gone) {  // see ~FreeArray
    thread_local Node* discard = nullptr;
    free_nodes.top = &discard;  // the one write return_to_pool makes lands here
    free_nodes.end = &discard + 1;
    return;
  }
  free_array.sync_size();
  free_array.nodes.reserve(free_array.nodes.capacity() * 2 + nodes_per_chunk);
  free_array.publish();
}

void free_unreferenced(Node* node) {
  std::vector<Node*> after_exit;
  std::vector<Node*>& work = FreeArray::gone ? after_exit : free_array.unreferenced;
  free_graph(node, work, [](Node* dead) {
    delete dead->label;
    return_to_pool(dead);
  });
}

}  // namespace backflow::detail
