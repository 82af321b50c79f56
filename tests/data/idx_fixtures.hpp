// Small IDX files made on the spot: headers, gzip (with zlib), scratch directories.
#pragma once

#include "../scratch_directory.hpp"

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace fixtures {

using Bytes = std::vector<std::uint8_t>;

inline void append_big_endian(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

/// An IDX file: magic (0, 0, 0x08, dims.size()), the sizes big-endian, then `data`.
inline Bytes idx(const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes bytes{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t size : dims) append_big_endian(bytes, size);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

/// `count` images of rows x cols whose pixel i of image n is (n * 7 + i) % 256.
inline Bytes images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  Bytes data;
  for (std::uint32_t n = 0; n < count; ++n) {
    for (std::uint32_t i = 0; i < rows * cols; ++i) data.push_back(static_cast<std::uint8_t>((n * 7 + i) % 256));
  }
  return idx({count, rows, cols}, data);
}

inline Bytes labels(const Bytes& values) { return idx({static_cast<std::uint32_t>(values.size())}, values); }

/// `bytes` as a gzip file (one member), compressed by zlib.
inline Bytes gzip(const Bytes& bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  Bytes out(deflateBound(&stream, static_cast<uLong>(bytes.size())) + 32);
  stream.next_in = const_cast<Bytef*>(bytes.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

inline void write_file(const std::filesystem::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

inline Bytes read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Sets (or, with nullopt, unsets) an environment variable until the end of the scope.
class EnvironmentVariable {
 public:
  EnvironmentVariable(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~EnvironmentVariable() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  EnvironmentVariable(const EnvironmentVariable&) = delete;
  EnvironmentVariable& operator=(const EnvironmentVariable&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// A complete dataset directory: 3 training and 2 test images of 4x4, labels 0-4.
inline void write_tiny_dataset(const std::filesystem::path& directory, bool compressed = false,
                               bool kaggle_names = false) {
  std::filesystem::create_directories(directory);
  const auto name = [&](std::string stem) {
    if (kaggle_names) stem.replace(stem.find("-idx"), 1, ".");
    return directory / (compressed ? stem + ".gz" : stem);
  };
  const auto file = [&](const Bytes& bytes) { return compressed ? gzip(bytes) : bytes; };
  write_file(name("train-images-idx3-ubyte"), file(images(3, 4, 4)));
  write_file(name("train-labels-idx1-ubyte"), file(labels({0, 1, 2})));
  write_file(name("t10k-images-idx3-ubyte"), file(images(2, 4, 4)));
  write_file(name("t10k-labels-idx1-ubyte"), file(labels({3, 4})));
}

}  // namespace fixtures
