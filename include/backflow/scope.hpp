// backflow/scope.hpp: module scopes, so graph pictures can group nodes by the module
// ("layer 1 / neuron 3") that created them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace backflow {

/// Names a module once and hands out a small id; the same name always gives the same id.
/// Id 0 is the empty name (no module).
std::uint32_t scope_id(std::string_view name);

/// The name behind a scope id ("" for 0). Throws std::out_of_range for an id scope_id()
/// never returned.
std::string_view scope_name(std::uint32_t id);

/// While alive, every node created on this thread records `id` as its module scope.
/// Scopes nest: the innermost one wins, and the previous one returns on destruction.
class ScopeGuard {
 public:
  /// Makes `id` the current scope on this thread. Throws std::out_of_range for an id
  /// scope_id() never returned.
  explicit ScopeGuard(std::uint32_t id);
  /// Restores the scope that was current before.
  ~ScopeGuard();
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  std::uint32_t previous_;
};

}  // namespace backflow
