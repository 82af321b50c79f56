// Interned module names: a node stores a 4-byte id, the name lives here once.
#include "scope_registry.hpp"

#include <backflow/scope.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace backflow {
namespace {

struct Registry {
  std::mutex mutex;
  std::deque<std::string> names{std::string()};  // deque: references stay valid as it grows
  std::unordered_map<std::string, std::uint32_t> ids{{std::string(), 0}};
};

// names.size(), readable without the lock and without reaching the registry: ScopeGuard
// checks its id on every module call (and may run during static destruction).
constinit std::atomic<std::uint32_t> scope_count{1};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

std::uint32_t scope_id(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto [it, inserted] = r.ids.try_emplace(std::string(name), static_cast<std::uint32_t>(r.names.size()));
  if (inserted) {
    r.names.emplace_back(name);
    scope_count.store(static_cast<std::uint32_t>(r.names.size()), std::memory_order_release);
  }
  return it->second;
}

std::string_view scope_name(std::uint32_t id) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (id >= r.names.size()) throw std::out_of_range("backflow: scope_name: unknown scope id");
  return r.names[id];
}

ScopeGuard::ScopeGuard(std::uint32_t id) : previous_(detail::current_scope) {
  // Refused here, not later when a picture asks for the name of a node made under it.
  if (id >= scope_count.load(std::memory_order_acquire)) {
    throw std::out_of_range("backflow: ScopeGuard: unknown scope id " + std::to_string(id) +
                            " (ids come from scope_id())");
  }
  detail::current_scope = id;
}

ScopeGuard::~ScopeGuard() { detail::current_scope = previous_; }

}  // namespace backflow
