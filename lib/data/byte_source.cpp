// Bytes from memory and from files; gzip is in gzip_source.cpp.
#include "byte_source.hpp"

#include <backflow/data.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace backflow::detail {

bool starts_like_gzip(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::size_t MemorySource::read(std::span<std::uint8_t> into) {
  const std::size_t count = std::min(into.size(), bytes_.size());
  std::copy_n(bytes_.begin(), count, into.begin());
  bytes_ = bytes_.subspan(count);
  return count;
}

FileSource::FileSource(const std::filesystem::path& file, std::string name) : name_(std::move(name)) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    throw DataError(fmt::format("backflow: {}: is a directory, not an IDX file", name_));
  }
  file_.reset(std::fopen(file.c_str(), "rb"));
  if (!file_) throw DataError(fmt::format("backflow: {}: cannot open: {}", name_, std::strerror(errno)));
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) throw DataError(fmt::format("backflow: {}: cannot read its size: {}", name_, error.message()));
  remaining_ = size;
}

std::size_t FileSource::read(std::span<std::uint8_t> into) {
  const std::size_t count = std::fread(into.data(), 1, into.size(), file_.get());
  if (count < into.size() && std::ferror(file_.get())) {
    throw DataError(fmt::format("backflow: {}: read error: {}", name_, std::strerror(errno)));
  }
  remaining_ -= std::min<std::uint64_t>(count, remaining_);
  return count;
}

std::vector<std::uint8_t> FileSource::peek(std::size_t count) {
  const long start = std::ftell(file_.get());
  std::vector<std::uint8_t> bytes(count);
  bytes.resize(std::fread(bytes.data(), 1, count, file_.get()));
  std::fseek(file_.get(), start, SEEK_SET);
  std::clearerr(file_.get());
  return bytes;
}

}  // namespace backflow::detail
