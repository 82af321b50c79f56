// backflow/files.hpp: writing output files safely, the way backflow writes its own (models,
// graph pictures, plots, PNGs).
#pragma once

#include <filesystem>
#include <string_view>

namespace backflow {

/// Writes `bytes` to `destination` so that it appears whole or not at all: into a fresh
/// temporary file beside it, flushed to disk, then renamed over it (a rename within one
/// directory is atomic). A file already there is replaced only once the new one is
/// complete, and the new file keeps its permission bits (its owner becomes the writer). A
/// symbolic link is followed: the link stays and the file it points to is replaced (but
/// another user's link in a sticky, world-writable directory is refused). Throws
/// std::runtime_error naming the file and the reason on failure (see check_writable() for
/// what is refused), and leaves no temporary behind.
void write_file_atomically(const std::filesystem::path& destination, std::string_view bytes);

/// Throws std::runtime_error naming the file and the reason when `file` could not be written:
/// its directory is missing or refuses new files; the name is a directory's, or longer than
/// the file system allows; or what is there must not be replaced: a device, FIFO or socket,
/// a file without write permission, another user's file (or symbolic link) in a sticky
/// directory such as /tmp. Call it before long work whose result goes to `file`, so a
/// mistyped path costs nothing.
void check_writable(const std::filesystem::path& file);

/// Creates `directory` and any missing parents, for output files (as `mkdir -p`). Throws
/// std::runtime_error naming the directory and the reason when it cannot.
void create_output_directory(const std::filesystem::path& directory);

}  // namespace backflow
