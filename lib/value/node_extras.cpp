// The side table for the fields few nodes use: labels (parameters, named inputs) and the
// exponent of pow(double). Keeping them out of Node keeps the hot records small.
#include "node.hpp"

#include <mutex>
#include <unordered_map>

namespace backflow::detail {
namespace {

struct Table {
  std::mutex mutex;  // nodes of different threads may carry extras at the same time
  std::unordered_map<const Node*, NodeExtras> extras;
};

// Never destroyed, like the node chunks (node_pool.cpp): a Value in a static container
// that is destroyed at exit may still erase its label here.
Table& table() {
  static auto* instance = new Table;
  return *instance;
}

}  // namespace

NodeExtras& extras_of(Node* node) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  node->flags = static_cast<std::uint8_t>(node->flags | flag_has_extras);
  return t.extras[node];  // unordered_map references stay valid until the entry is erased
}

const NodeExtras* find_extras(const Node* node) {
  if ((node->flags & flag_has_extras) == 0) return nullptr;
  Table& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.extras.find(node);
  return it != t.extras.end() ? &it->second : nullptr;
}

void erase_extras(const Node* node) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  t.extras.erase(node);
}

}  // namespace backflow::detail
