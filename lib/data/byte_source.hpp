// Readers that hand out bytes a piece at a time, from memory, a file, or through gzip, so the
// IDX reader can check a header before it reads (and allocates for) the data behind it.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace backflow::detail {

/// A sequence of bytes read front to back.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Fills `into` as far as the data goes; returns the count, less than into.size() only at the end.
  virtual std::size_t read(std::span<std::uint8_t> into) = 0;
  /// How many bytes are left, when that is known without reading them.
  virtual std::optional<std::uint64_t> remaining() const = 0;
};

/// True when `bytes` begin with gzip's magic number, 1f 8b.
bool starts_like_gzip(std::span<const std::uint8_t> bytes);

/// Bytes already in memory.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::size_t read(std::span<std::uint8_t> into) override;
  std::optional<std::uint64_t> remaining() const override { return bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;  // what is not read yet
};

/// A file on disk; `name` is how error messages call it.
class FileSource final : public ByteSource {
 public:
  FileSource(const std::filesystem::path& file, std::string name);
  std::size_t read(std::span<std::uint8_t> into) override;
  std::optional<std::uint64_t> remaining() const override { return remaining_; }
  /// The first `count` bytes (fewer if the file is shorter), without consuming them.
  std::vector<std::uint8_t> peek(std::size_t count);

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::string name_;
  std::uint64_t remaining_ = 0;
};

/// The decompressed contents of gzip data read from `compressed` (one or more gzip members,
/// perhaps followed by NUL bytes, as gunzip accepts). Throws DataError when the data is
/// damaged or ends early.
class GzipSource final : public ByteSource {
 public:
  GzipSource(ByteSource& compressed, std::string name);
  ~GzipSource() override;
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  std::size_t read(std::span<std::uint8_t> into) override;
  /// Unknown: the size stored in a gzip trailer is modulo 4 GiB and may lie.
  std::optional<std::uint64_t> remaining() const override { return std::nullopt; }

 private:
  bool refill();             // more compressed input; false at its end
  bool only_padding_left();  // after a member: true at the end of the input or NUL padding

  ByteSource& compressed_;
  std::string name_;
  z_stream stream_{};
  std::vector<std::uint8_t> input_;
  bool finished_ = false;  // the last member ended and no input follows
};

}  // namespace backflow::detail
