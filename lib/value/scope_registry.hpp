// The scope a node records when it is made: read on every node creation, so it is a plain
// thread-local id rather than a string (constinit: no lazy-initialisation check per read).
#pragma once

#include "../engine/fast_tls.hpp"

#include <cstdint>

namespace backflow::detail {

inline constinit thread_local std::uint32_t current_scope BACKFLOW_FAST_TLS = 0;

inline std::uint32_t current_scope_id() { return current_scope; }

}  // namespace backflow::detail
