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
/// Throws std::runtime_error for a temporary file that could not be made beside
/// `destination` (errno `reason`), naming the user's `file` and the directory.
[[noreturn]] void refuse_new_file(const std::filesystem::path& file, const std::filesystem::path& destination,
                                  int reason);

/// Throws std::runtime_error naming the file when the directory it would go into does not
/// exist: the cheap part of check_writable(), for writers about to find out anyway.
void check_directory_exists(const std::filesystem::path& file);

/// Where a write to `file` goes, and what the new file keeps of the old one.
struct Destination {
  std::filesystem::path path;  ///< `file`, or the file a symbolic link there points to
  int keep_mode = -1;          ///< the permission bits of the file being replaced; -1: a new file
};
/// Follows a symbolic link at `file` (the link stays; its target gets the new contents)
/// and throws std::runtime_error naming the file when the write may not replace what is
/// there: a directory, a device, a FIFO or a socket (renaming over them would destroy
/// them), a file without write permission, another user's file in a sticky directory such
/// as /tmp, or a name longer than the file system allows.
Destination resolve_destination(const std::filesystem::path& file);

/// Renames `temporary` onto `destination`; on failure removes it and throws std::runtime_error
/// that names the file as the user did (`named_as`: a link to `destination`, or itself).
void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& destination,
                     const std::filesystem::path& named_as);

}  // namespace backflow::detail
