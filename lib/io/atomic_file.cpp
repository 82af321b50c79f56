#include "atomic_file.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace backflow {
namespace detail {
namespace {

/// Writes `text` to the file open as `descriptor` and closes it, waiting until the bytes are
/// on the disk, so the rename that follows never installs a file whose contents exist only
/// in memory. Returns 0, or the errno of the call that failed.
int write_durably(int descriptor, std::string_view text) {
  int reason = 0;
  std::size_t written = 0;
  while (written < text.size() && reason == 0) {
    const ssize_t count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count > 0) {
      written += static_cast<std::size_t>(count);
    } else if (count == 0) {
      reason = EIO;  // a regular file that takes nothing would loop forever
    } else if (errno != EINTR) {
      reason = errno;
    }
  }
  if (reason == 0 && ::fsync(descriptor) != 0) reason = errno;
  // close() may report a delayed write error (NFS): it counts too.
  if (::close(descriptor) != 0 && reason == 0) reason = errno;
  return reason;
}

}  // namespace

TemporaryFile create_temporary_beside(const std::filesystem::path& destination) {
  static std::atomic<unsigned> counter{0};
  // A name can be taken: a run that was killed mid-write left its temporary behind, and a
  // new process (in a container, PID 1 again) counts the same names. Skip those; never
  // remove them, they are not ours.
  constexpr int attempts = 1000;
  // At most 200 bytes of the name: a name near the file system's 255-byte limit must not
  // become a temporary name past it ("File name too long" for a name that is fine).
  const std::string name = destination.filename().string().substr(0, 200);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    TemporaryFile file{destination.parent_path() / fmt::format(".{}.tmp-{}-{}", name, ::getpid(), counter++), -1};
    file.descriptor = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (file.descriptor >= 0) return file;
    if (errno != EEXIST) return file;
  }
  errno = EEXIST;
  return {destination.parent_path() / ".tmp", -1};
}

void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& destination) {
  std::error_code error;
  std::filesystem::rename(temporary, destination, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(fmt::format("backflow: cannot write '{}': {}", destination.string(), error.message()));
  }
}

void check_directory_exists(const std::filesystem::path& file) {
  const std::filesystem::path directory = file.parent_path().empty() ? "." : file.parent_path();
  std::error_code error;
  if (std::filesystem::is_directory(directory, error)) return;
  const bool something_else = std::filesystem::exists(directory, error);
  throw std::runtime_error(fmt::format("backflow: cannot write '{}': '{}' {}", file.string(), directory.string(),
                                       something_else ? "is not a directory" : "does not exist (no such directory)"));
}

}  // namespace detail

void check_writable(const std::filesystem::path& file) {
  if (!file.has_filename()) {
    throw std::runtime_error(
        fmt::format("backflow: cannot write '{}': that names a directory, not a file", file.string()));
  }
  detail::check_directory_exists(file);
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    throw std::runtime_error(fmt::format("backflow: cannot write '{}': it is a directory", file.string()));
  }
  // Making (and removing) the file the real write would make first is the one test that
  // knows about permissions, read-only mounts and /proc.
  const detail::TemporaryFile probe = detail::create_temporary_beside(file);
  if (probe.descriptor < 0) {
    throw std::runtime_error(fmt::format("backflow: cannot write '{}': {}", file.string(), std::strerror(errno)));
  }
  ::close(probe.descriptor);
  std::filesystem::remove(probe.path, error);
}

void create_output_directory(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw std::runtime_error(
        fmt::format("backflow: cannot make the directory '{}': {}", directory.string(), error.message()));
  }
}

void write_file_atomically(const std::filesystem::path& destination, std::string_view bytes) {
  detail::check_directory_exists(destination);
  const detail::TemporaryFile temporary = detail::create_temporary_beside(destination);
  if (temporary.descriptor < 0) {
    throw std::runtime_error(
        fmt::format("backflow: cannot write '{}': {}", destination.string(), std::strerror(errno)));
  }
  if (const int reason = detail::write_durably(temporary.descriptor, bytes); reason != 0) {
    std::error_code ignored;
    std::filesystem::remove(temporary.path, ignored);
    throw std::runtime_error(
        fmt::format("backflow: cannot write '{}': {}", destination.string(), std::strerror(reason)));
  }
  detail::move_into_place(temporary.path, destination);
}

}  // namespace backflow
