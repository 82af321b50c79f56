// The float-array recycler behind Buffer: large arrays that are freed go onto a list for
// their exact size, and the next request of that size takes one back.
#include "tensor_node.hpp"

#include <mutex>
#include <unordered_map>
#include <vector>

namespace backflow::detail {
namespace {

// Small arrays are cheap to get from malloc; only big ones are worth keeping.
constexpr std::size_t smallest_kept = 16 * 1024;      // floats (64 KiB)
constexpr std::size_t most_bytes_kept = 256u << 20U;  // 256 MiB in all

struct Pool {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<float*>> free_by_size;
  std::size_t bytes_kept = 0;
};

// Never destroyed, like the Graphviz context: a Tensor may be freed at exit after any
// static destructor has run (a static Tensor, another thread still working), and the pool
// must still be there. The arrays it keeps go back to the system with the process.
Pool& pool() {
  static Pool* const instance = new Pool();
  return *instance;
}

}  // namespace

float* take_floats(std::size_t size) {
  if (size >= smallest_kept) {
    Pool& p = pool();
    std::lock_guard lock(p.mutex);
    auto it = p.free_by_size.find(size);
    if (it != p.free_by_size.end() && !it->second.empty()) {
      float* values = it->second.back();
      it->second.pop_back();
      p.bytes_kept -= size * sizeof(float);
      return values;
    }
  }
  return new float[size];
}

void give_back_floats(float* values, std::size_t size) {
  if (values == nullptr) return;
  if (size >= smallest_kept) {
    Pool& p = pool();
    std::lock_guard lock(p.mutex);
    if (p.bytes_kept + size * sizeof(float) <= most_bytes_kept) {
      p.free_by_size[size].push_back(values);
      p.bytes_kept += size * sizeof(float);
      return;
    }
  }
  delete[] values;
}

}  // namespace backflow::detail
