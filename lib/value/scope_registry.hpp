// The scope a node records when it is made: read on every node creation, so it is a plain
// thread-local id rather than a string.
#pragma once

#include <cstdint>

namespace backflow::detail {

std::uint32_t current_scope_id();

}  // namespace backflow::detail
