// The model file reader behind load(), on bytes already in memory: load() reads the file,
// and the fuzz target (tests/fuzz_model.cpp) feeds it arbitrary bytes.
#pragma once

#include <backflow/layers.hpp>

#include <filesystem>
#include <span>

namespace backflow::detail {

/// The model in `bytes`, as save() wrote it; `file` names it in error messages. Throws
/// std::runtime_error for anything else; never reads outside `bytes`.
Sequential parse_model(std::span<const char> bytes, const std::filesystem::path& file);

}  // namespace backflow::detail
