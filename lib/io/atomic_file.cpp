#include "atomic_file.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace backflow::detail {

void check_directory_exists(const std::filesystem::path& file) {
  const std::filesystem::path directory = file.parent_path().empty() ? "." : file.parent_path();
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    throw std::runtime_error(fmt::format("backflow: cannot write '{}': the directory '{}' does not exist",
                                         file.string(), directory.string()));
  }
}

std::filesystem::path temporary_beside(const std::filesystem::path& destination) {
  static std::atomic<unsigned> counter{0};
  const std::string name = fmt::format(".{}.tmp-{}-{}", destination.filename().string(), ::getpid(), counter++);
  return destination.parent_path() / name;
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

void write_file_atomically(const std::filesystem::path& destination, std::string_view text) {
  check_directory_exists(destination);
  const std::filesystem::path temporary = temporary_beside(destination);
  {
    std::ofstream file(temporary, std::ios::binary);
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
    file.close();
    if (!file) {
      const int reason = errno;
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error(fmt::format("backflow: cannot write '{}': {}", destination.string(), std::strerror(reason)));
    }
  }
  move_into_place(temporary, destination);
}

}  // namespace backflow::detail
