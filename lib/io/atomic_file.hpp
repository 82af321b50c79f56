// Files that appear whole or not at all: write next to the destination, then rename over it
// (a rename within one directory is atomic), so a failed render never leaves half a picture.
#pragma once

#include <filesystem>
#include <string_view>

namespace backflow::detail {

/// Throws std::runtime_error naming the file when its directory does not exist.
void check_directory_exists(const std::filesystem::path& file);

/// A fresh hidden name in the destination's directory: ".name.svg.tmp-1234-0".
std::filesystem::path temporary_beside(const std::filesystem::path& destination);

/// Renames `temporary` onto `destination`; on failure removes it and throws std::runtime_error.
void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& destination);

/// Writes `text` to `destination` through a temporary file.
void write_file_atomically(const std::filesystem::path& destination, std::string_view text);

}  // namespace backflow::detail
