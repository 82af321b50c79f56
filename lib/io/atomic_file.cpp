#include "atomic_file.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
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

/// The directory a file is in, "." for a bare name.
std::filesystem::path directory_of(const std::filesystem::path& file) {
  return file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
}

[[noreturn]] void refuse(const std::filesystem::path& file, std::string_view why) {
  throw std::runtime_error(fmt::format("backflow: cannot write '{}': {}", file.string(), why));
}

/// What `file` is, in a few words, when it is not a regular file or a directory.
std::string_view kind_of_special_file(mode_t mode) {
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

/// Refuses to follow the symbolic link `link` where Linux's protected_symlinks would: in a
/// sticky, world-writable directory (/tmp) a link planted by another user could point at any
/// file of ours (~/.bashrc), which the write would then replace.
void check_link_may_be_followed(const std::filesystem::path& file, const std::filesystem::path& link) {
  struct stat link_status {};
  struct stat parent {};
  if (::lstat(link.c_str(), &link_status) != 0 || ::stat(directory_of(link).c_str(), &parent) != 0) {
    refuse(file, fmt::format("cannot check the symbolic link '{}': {}", link.string(), std::strerror(errno)));
  }
  const bool shared_sticky = (parent.st_mode & S_ISVTX) != 0 && (parent.st_mode & S_IWOTH) != 0;
  if (shared_sticky && link_status.st_uid != ::geteuid() && link_status.st_uid != parent.st_uid) {
    refuse(file, fmt::format("'{}' is another user's symbolic link in a directory with the sticky bit (like /tmp); "
                             "following it could replace a file you never named",
                             link.string()));
  }
}

/// `file` with every symbolic link in its last component followed, as open() would.
std::filesystem::path follow_links(const std::filesystem::path& file) {
  std::filesystem::path path = file;
  for (int hop = 0; hop < 40; ++hop) {  // Linux's own limit; beyond it is a loop
    std::error_code error;
    if (!std::filesystem::is_symlink(std::filesystem::symlink_status(path, error))) return path;
    check_link_may_be_followed(file, path);
    const std::filesystem::path target = std::filesystem::read_symlink(path, error);
    if (error) refuse(file, error.message());
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  refuse(file, "too many levels of symbolic links");
}

}  // namespace

void refuse_new_file(const std::filesystem::path& file, const std::filesystem::path& destination, int reason) {
  refuse(file, fmt::format("cannot create a new file in '{}' (a file is written beside its destination, then renamed "
                           "over it): {}",
                           directory_of(destination).string(), std::strerror(reason)));
}

Destination resolve_destination(const std::filesystem::path& file) {
  if (!file.has_filename()) refuse(file, "that names a directory, not a file");
  Destination destination{follow_links(file), -1};
  const std::filesystem::path& path = destination.path;
  check_directory_exists(path);
  const std::filesystem::path directory = directory_of(path);
  const long name_max = ::pathconf(directory.c_str(), _PC_NAME_MAX);
  const std::size_t name_length = path.filename().string().size();
  if (name_max > 0 && name_length > static_cast<std::size_t>(name_max)) {
    refuse(file, fmt::format("the name is {} bytes long, and this file system allows {}", name_length, name_max));
  }
  struct stat existing {};
  if (::stat(path.c_str(), &existing) != 0) return destination;  // a new file
  if (S_ISDIR(existing.st_mode)) refuse(file, "it is a directory");
  if (!S_ISREG(existing.st_mode)) {
    refuse(file, fmt::format("it is {}; backflow replaces only regular files", kind_of_special_file(existing.st_mode)));
  }
  if (::access(path.c_str(), W_OK) != 0) refuse(file, "the file is read-only (no write permission); it is kept");
  // In a sticky directory (/tmp) only a file's owner, the directory's owner or root may
  // rename over it: a plain permission check of the directory would not say so.
  struct stat parent {};
  const uid_t user = ::geteuid();
  if (::stat(directory.c_str(), &parent) == 0 && (parent.st_mode & S_ISVTX) != 0 && user != 0 &&
      user != existing.st_uid && user != parent.st_uid) {
    refuse(file, "it belongs to another user, in a directory with the sticky bit (like /tmp)");
  }
  // The permission bits only: set-user-ID and the like are not for a file that now belongs
  // to whoever wrote it.
  destination.keep_mode = static_cast<int>(existing.st_mode & 0777);
  return destination;
}

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

void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& destination,
                     const std::filesystem::path& named_as) {
  std::error_code error;
  std::filesystem::rename(temporary, destination, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(fmt::format("backflow: cannot write '{}': {}", named_as.string(), error.message()));
  }
}

void check_directory_exists(const std::filesystem::path& file) {
  const std::filesystem::path directory = directory_of(file);
  std::error_code error;
  if (std::filesystem::is_directory(directory, error)) return;
  const bool something_else = std::filesystem::exists(directory, error);
  throw std::runtime_error(fmt::format("backflow: cannot write '{}': '{}' {}", file.string(), directory.string(),
                                       something_else ? "is not a directory" : "does not exist (no such directory)"));
}

}  // namespace detail

void check_writable(const std::filesystem::path& file) {
  const detail::Destination destination = detail::resolve_destination(file);
  // Making (and removing) the file the real write would make first is the one test that
  // knows about permissions, read-only mounts and /proc.
  const detail::TemporaryFile probe = detail::create_temporary_beside(destination.path);
  if (probe.descriptor < 0) detail::refuse_new_file(file, destination.path, errno);
  ::close(probe.descriptor);
  std::error_code ignored;
  std::filesystem::remove(probe.path, ignored);
}

void create_output_directory(const std::filesystem::path& directory) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(directory, error);
  if (std::filesystem::exists(status) && !std::filesystem::is_directory(status)) {
    throw std::runtime_error(
        fmt::format("backflow: cannot make the directory '{}': a file of that name is in the way", directory.string()));
  }
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw std::runtime_error(
        fmt::format("backflow: cannot make the directory '{}': {}", directory.string(), error.message()));
  }
}

void write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
  const detail::Destination destination = detail::resolve_destination(file);
  const detail::TemporaryFile temporary = detail::create_temporary_beside(destination.path);
  if (temporary.descriptor < 0) detail::refuse_new_file(file, destination.path, errno);
  // A replaced file keeps its permissions: a private (0600) model stays private.
  int reason = 0;
  if (destination.keep_mode >= 0 && ::fchmod(temporary.descriptor, static_cast<mode_t>(destination.keep_mode)) != 0) {
    reason = errno;
    ::close(temporary.descriptor);
  } else {
    reason = detail::write_durably(temporary.descriptor, bytes);
  }
  if (reason != 0) {
    std::error_code ignored;
    std::filesystem::remove(temporary.path, ignored);
    throw std::runtime_error(fmt::format("backflow: cannot write '{}': {}", file.string(), std::strerror(reason)));
  }
  detail::move_into_place(temporary.path, destination.path, file);
}

}  // namespace backflow
