// Node allocation: a per-thread free list of fixed-size records.
//
// A training step of micrograd's demo makes and frees about 65,000 nodes. A general-purpose
// allocator call per node (plus a control block, as with shared_ptr) costs more than the
// arithmetic; popping a free list costs a few instructions.
#include "node.hpp"
#include "scope_registry.hpp"

#include <memory>
#include <vector>

namespace backflow::detail {
namespace {

class NodePool {
 public:
  Node* allocate() {
    if (free_list_ == nullptr) grow();
    Node* node = free_list_;
    free_list_ = node->inputs[0];  // a free node keeps the next free node in inputs[0]
    return node;
  }

  void deallocate(Node* node) {
    node->inputs[0] = free_list_;
    free_list_ = node;
  }

 private:
  static constexpr std::size_t nodes_per_chunk = 4096;

  void grow() {
    chunks_.push_back(std::make_unique<Node[]>(nodes_per_chunk));
    Node* chunk = chunks_.back().get();
    for (std::size_t i = 0; i < nodes_per_chunk; ++i) deallocate(&chunk[i]);
  }

  std::vector<std::unique_ptr<Node[]>> chunks_;
  Node* free_list_ = nullptr;
};

// One pool per thread: no locks on the hot path. Memory is kept for reuse until the thread
// ends, which is what a training loop wants.
thread_local NodePool pool;

}  // namespace

Node* make_node(double data, Op op, Node* a, Node* b) {
  Node* node = pool.allocate();
  *node = Node{data, 0.0, {a, b}, 0.0, nullptr, 1, current_scope_id(), op, 0};
  if (a != nullptr) retain(a);
  if (b != nullptr) retain(b);
  return node;
}

void free_unreferenced(Node* node) {
  // An explicit stack instead of recursion: dropping the end of a 2,000,000-node chain
  // frees the whole chain here, one node at a time.
  thread_local std::vector<Node*> unreferenced;
  const std::size_t bottom = unreferenced.size();  // re-entrant: keep what a caller left
  unreferenced.push_back(node);
  while (unreferenced.size() > bottom) {
    Node* dead = unreferenced.back();
    unreferenced.pop_back();
    for (Node* input : dead->inputs) {
      if (input != nullptr && --input->references == 0) unreferenced.push_back(input);
    }
    delete dead->label;
    pool.deallocate(dead);
  }
}

}  // namespace backflow::detail
