// save() and load(): one binary file per model.
//
//   "BACKFLOW"            8 bytes, magic
//   version               u32 (1)
//   inputs, layers        u32, u32
//   per layer             u32 units, u8 activation, u16 name length, name bytes
//   per layer             weights [inputs, units] then bias [units], float32
//   crc32                 u32, zlib's CRC-32 of every byte before it
// All integers and floats little-endian.
#include "model_file.hpp"

#include "../io/atomic_file.hpp"

#include <backflow/train.hpp>

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

namespace backflow {
namespace {

constexpr char magic[8] = {'B', 'A', 'C', 'K', 'F', 'L', 'O', 'W'};
constexpr std::uint32_t format_version = 1;
static_assert(std::endian::native == std::endian::little, "model files are written little-endian");

class Writer {
 public:
  template <class T>
  void put(T value) {
    const auto* bytes = reinterpret_cast<const char*>(&value);
    buffer_.insert(buffer_.end(), bytes, bytes + sizeof(T));
  }
  void put_bytes(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    buffer_.insert(buffer_.end(), bytes, bytes + size);
  }
  std::vector<char>& bytes() { return buffer_; }

 private:
  std::vector<char> buffer_;
};

class Reader {
 public:
  Reader(std::span<const char> bytes, std::size_t end, const std::filesystem::path& file)
      : bytes_(bytes), end_(end), file_(file) {}
  template <class T>
  T get(std::string_view what) {
    T value;
    std::memcpy(&value, take(sizeof(T), what), sizeof(T));
    return value;
  }
  const char* take(std::size_t size, std::string_view what) {
    if (size > end_ - position_) {
      throw std::runtime_error(fmt::format("backflow: {}: truncated: the file ends inside the {} (at byte {})",
                                           file_.string(), what, position_));
    }
    const char* at = bytes_.data() + position_;
    position_ += size;
    return at;
  }
  std::size_t position() const { return position_; }

 private:
  std::span<const char> bytes_;
  std::size_t end_;
  std::size_t position_ = 0;
  const std::filesystem::path& file_;
};

// crc32_z takes a size_t length: crc32's uInt would wrap on a model over 4 GiB.
std::uint32_t crc_of(const char* data, std::size_t size) {
  return static_cast<std::uint32_t>(crc32_z(0L, reinterpret_cast<const Bytef*>(data), size));
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error(fmt::format("backflow: {}: {}", file.string(), what));
}

}  // namespace

void save(const Sequential& model, const std::filesystem::path& file) {
  Writer out;
  out.put_bytes(magic, sizeof magic);
  out.put(format_version);
  out.put(static_cast<std::uint32_t>(model.inputs()));
  out.put(static_cast<std::uint32_t>(model.layers().size()));
  for (const Dense& layer : model.layers()) {
    out.put(static_cast<std::uint32_t>(layer.units()));
    out.put(static_cast<std::uint8_t>(layer.activation()));
    out.put(static_cast<std::uint16_t>(layer.name().size()));
    out.put_bytes(layer.name().data(), layer.name().size());
  }
  for (const Dense& layer : model.layers()) {
    out.put_bytes(layer.weights().data().data(), layer.weights().size() * sizeof(float));
    out.put_bytes(layer.bias().data().data(), layer.bias().size() * sizeof(float));
  }
  out.put(crc_of(out.bytes().data(), out.bytes().size()));

  // Written beside the destination, then renamed: the old file stays whole until the new one is.
  write_file_atomically(file, std::string_view(out.bytes().data(), out.bytes().size()));
}

Sequential load(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) fail(file, "is a directory, not a model file");
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    const int reason = errno;  // what open() said: no such file, permission denied, ...
    fail(file, fmt::format("cannot open the model file: {}", std::strerror(reason)));
  }
  // The magic bytes first: something that is no model is refused after reading them, even
  // when it would never end (--load /dev/zero).
  std::vector<char> bytes(sizeof magic);
  stream.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(stream.gcount()));
  if (bytes.size() == sizeof magic && std::memcmp(bytes.data(), magic, sizeof magic) == 0) {
    bytes.insert(bytes.end(), std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  return detail::parse_model(bytes, file);
}

namespace detail {

Sequential parse_model(std::span<const char> bytes, const std::filesystem::path& file) {
  // The magic first, as far as the file goes: a short file of something else (a 6-byte
  // "<html>") is not a model at all, not a truncated one.
  if (!bytes.empty() && std::memcmp(bytes.data(), magic, std::min(bytes.size(), sizeof magic)) != 0) {
    fail(file, "not a backflow model (wrong magic bytes)");
  }
  if (bytes.size() < sizeof magic + 4 * sizeof(std::uint32_t))
    fail(file, fmt::format("truncated: only {} bytes", bytes.size()));

  const std::size_t body = bytes.size() - sizeof(std::uint32_t);
  Reader in(bytes, body, file);
  in.take(sizeof magic, "magic");
  const auto version = in.get<std::uint32_t>("version");
  if (version != format_version) {
    fail(file, fmt::format("model format version {}, but this backflow reads version {}", version, format_version));
  }
  std::uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + body, sizeof stored_crc);
  const bool crc_ok = stored_crc == crc_of(bytes.data(), body);

  const auto inputs = in.get<std::uint32_t>("header");
  const auto layer_count = in.get<std::uint32_t>("header");
  if (inputs == 0 || layer_count == 0 || layer_count > 10'000) {
    fail(file, fmt::format("corrupt header: {} inputs, {} layers", inputs, layer_count));
  }
  std::vector<DenseSpec> specs;
  std::vector<std::string> names;
  std::size_t fan_in = inputs;
  std::size_t expected_floats = 0;
  for (std::uint32_t i = 0; i < layer_count; ++i) {
    const auto units = in.get<std::uint32_t>("layer table");
    const auto activation = in.get<std::uint8_t>("layer table");
    const auto name_size = in.get<std::uint16_t>("layer table");
    names.emplace_back(in.take(name_size, "layer table"), name_size);
    if (units == 0 || activation > static_cast<std::uint8_t>(LayerActivation::softmax)) {
      fail(file,
           fmt::format("corrupt layer table: layer {} has {} units, activation code {}", i + 1, units, activation));
    }
    specs.push_back({units, static_cast<LayerActivation>(activation)});
    // The weights follow the table, so the rest of the file bounds them. Checked by division
    // before adding, so that sizes from a damaged header cannot overflow and pass.
    const std::size_t room = (body - in.position()) / sizeof(float);
    if (expected_floats > room || units > (room - expected_floats) / (fan_in + 1)) {
      fail(file, fmt::format("corrupt or truncated: layer {} ({} inputs x {} units) needs more weights than the "
                             "{} bytes left in the file",
                             i + 1, fan_in, units, body - in.position()));
    }
    expected_floats += (fan_in + 1) * units;
    fan_in = units;
  }
  const std::size_t weight_bytes = body - in.position();
  if (weight_bytes != expected_floats * sizeof(float)) {
    fail(file, fmt::format("{}: the layers need {} bytes of weights but the file has {}",
                           weight_bytes < expected_floats * sizeof(float) ? "truncated" : "corrupt",
                           expected_floats * sizeof(float), weight_bytes));
  }
  if (!crc_ok) fail(file, "corrupt: the checksum does not match the contents");

  Sequential model(inputs, specs);
  for (std::size_t i = 0; i < model.layers().size(); ++i) {
    for (const Tensor& p : model.layers()[i].parameters()) {
      std::memcpy(p.data().data(), in.take(p.size() * sizeof(float), "weights"), p.size() * sizeof(float));
      // Training never saves such a model (fit stops on a NaN loss): the file was made elsewhere.
      if (!std::ranges::all_of(p.data(), [](float w) { return std::isfinite(w); })) {
        fail(file, fmt::format("layer {} holds NaN or infinite weights", i + 1));
      }
    }
  }
  return model;
}

}  // namespace detail
}  // namespace backflow
