// Files that appear whole or not at all: write next to the destination, then rename over it
// (a rename within one directory is atomic), so a failed render never leaves half a picture.
// The public part, write_file_atomically and check_writable, is backflow/files.hpp.
#pragma once

#include <backflow/files.hpp>

#include <filesystem>

namespace backflow::detail {

/// A new file, open for writing, under a fresh hidden name in the destination's directory
/// (".name.svg.tmp-1234-0"), never one that exists already.
struct TemporaryFile {
  std::filesystem::path path;
  int descriptor;  ///< -1 when none could be made; errno says why
};
TemporaryFile create_temporary_beside(const std::filesystem::path& destination);

/// Throws std::runtime_error naming the file when the directory it would go into does not
/// exist: the cheap part of check_writable(), for writers about to find out anyway.
void check_directory_exists(const std::filesystem::path& file);

/// Renames `temporary` onto `destination`; on failure removes it and throws std::runtime_error.
void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& destination);

}  // namespace backflow::detail
