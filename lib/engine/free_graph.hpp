// Freeing a graph whose last handle is gone, shared by both engines: an explicit work list
// instead of recursion, so dropping the end of a chain of millions of nodes is safe.
#pragma once

#include <vector>

namespace backflow::detail {

/// `node` has no references left: destroys it, and every input whose last reference was
/// held by a node destroyed here. NodeT needs `inputs` (NodeT*, nullptr skipped) and a
/// `references` count; `destroy(node)` gives the memory back. `work` is an empty vector used
/// as the stack; callers pass one whose memory they keep between calls.
template <class NodeT, class Destroy>
void free_graph(NodeT* node, std::vector<NodeT*>& work, Destroy destroy) {
  work.push_back(node);
  while (!work.empty()) {
    NodeT* dead = work.back();
    work.pop_back();
    for (NodeT* input : dead->inputs) {
      if (input != nullptr && --input->references == 0) work.push_back(input);
    }
    destroy(dead);
  }
}

}  // namespace backflow::detail
