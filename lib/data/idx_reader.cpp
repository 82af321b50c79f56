// The IDX format (MNIST's): a 4-byte magic number (0, 0, element type, dimension count), one
// big-endian uint32 size per dimension, then the values in row-major order. This file checks
// all of that before trusting it, and says in plain words what a wrong file is instead.
#include "byte_source.hpp"
#include "text_format.hpp"

#include <backflow/data.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace backflow {

namespace {

constexpr std::uint8_t unsigned_byte_type = 0x08;  // the only element type MNIST uses
constexpr std::size_t max_dimensions = 4;
constexpr std::size_t read_chunk = std::size_t{1} << 20U;  // grow the array as data arrives

std::uint32_t big_endian(std::span<const std::uint8_t, 4> bytes) {
  return (std::uint32_t{bytes[0]} << 24U) | (std::uint32_t{bytes[1]} << 16U) | (std::uint32_t{bytes[2]} << 8U) |
         std::uint32_t{bytes[3]};
}

/// Reads until `into` is full or the data ends; returns the count read.
std::size_t read_fully(detail::ByteSource& source, std::span<std::uint8_t> into) {
  std::size_t count = 0;
  while (count < into.size()) {
    const std::size_t got = source.read(into.subspan(count));
    if (got == 0) break;
    count += got;
  }
  return count;
}

std::string_view element_type_name(std::uint8_t type) {
  switch (type) {
    case 0x09: return "int8";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "";
  }
}

bool starts_with(std::span<const std::uint8_t, 4> magic, std::string_view text) {
  return std::equal(text.begin(), text.end(), magic.begin(),
                    [](char letter, std::uint8_t byte) { return static_cast<std::uint8_t>(letter) == byte; });
}

/// Where the '<' of a web page is when `beginning` starts like one: '<', perhaps after a UTF-8
/// byte order mark and blank space ("\n<!DOCTYPE html>").
std::optional<std::size_t> markup_start(std::span<const std::uint8_t> beginning) {
  constexpr std::array<std::uint8_t, 3> byte_order_mark{0xEF, 0xBB, 0xBF};
  const bool marked = beginning.size() >= byte_order_mark.size() &&
                      std::equal(byte_order_mark.begin(), byte_order_mark.end(), beginning.begin());
  std::size_t at = marked ? byte_order_mark.size() : 0;
  const auto blank = [](std::uint8_t byte) { return byte == ' ' || byte == '\t' || byte == '\r' || byte == '\n'; };
  while (at < beginning.size() && blank(beginning[at])) ++at;
  if (at < beginning.size() && beginning[at] == '<') return at;
  return std::nullopt;
}

/// The bytes as C would write them in a string: "\n<!D", "\xEF\xBB\xBF<".
std::string escaped(std::span<const std::uint8_t> bytes) {
  std::string text;
  for (const std::uint8_t byte : bytes) {
    if (byte == '\n') {
      text += "\\n";
    } else if (byte == '\r') {
      text += "\\r";
    } else if (byte == '\t') {
      text += "\\t";
    } else if (byte < 0x20 || byte >= 0x7F || byte == '"' || byte == '\\') {
      text += "\\x" + detail::hexadecimal(byte, 2);
    } else {
      text += static_cast<char>(byte);
    }
  }
  return text;
}

/// Throws a DataError that names the file when `magic` is not a uint8 IDX header; known
/// mistakes (a gzip file, a saved web page, a byte-swapped header) are named as such.
/// `beginning` is the magic and, for a file that is not IDX, the bytes after it.
void check_magic(std::span<const std::uint8_t, 4> magic, std::span<const std::uint8_t> beginning, std::string_view name,
                 bool decompressed) {
  const std::uint32_t value = big_endian(magic);
  const auto fail = [&](std::string_view problem) { throw DataError(fmt::format("backflow: {}: {}", name, problem)); };
  if (magic[0] == 0 && magic[1] == 0 && magic[2] == unsigned_byte_type) {
    if (magic[3] == 0 || magic[3] > max_dimensions) {
      fail(fmt::format("an IDX header with {} dimensions; backflow reads 1 to {}", magic[3], max_dimensions));
    }
    return;
  }
  if (magic[0] == 0x1f && magic[1] == 0x8b) {
    fail(decompressed ? "still gzip-compressed after decompressing it once (it was compressed twice); "
                        "run gunzip on it"
                      : "still gzip-compressed; run gunzip on it");
  }
  if (const std::optional<std::size_t> start = markup_start(beginning)) {
    fail(
        fmt::format("an HTML/XML page, not IDX (it starts with \"{}\", magic {}): a download saved an "
                    "error page; download the file again",
                    escaped(beginning.first(std::min(beginning.size(), *start + 4))), value));
  }
  if (starts_with(magic, "vers")) {
    fail("a Git LFS pointer, not the data; run `git lfs pull`");
  }
  if (magic[0] >= 1 && magic[0] <= max_dimensions && magic[1] == unsigned_byte_type && magic[2] == 0 && magic[3] == 0) {
    const std::uint32_t swapped = (std::uint32_t{unsigned_byte_type} << 8U) | magic[0];
    fail(
        fmt::format("magic {} is {} read with its bytes reversed: the header was written "
                    "little-endian, but IDX is big-endian",
                    value, swapped));
  }
  if (magic[0] == 0 && magic[1] == 0 && !element_type_name(magic[2]).empty()) {
    fail(fmt::format("holds {} values (IDX type 0x{}); backflow reads uint8 IDX files (type 0x08)",
                     element_type_name(magic[2]), detail::hexadecimal(magic[2], 2)));
  }
  fail(fmt::format("not an IDX file: magic {} (0x{}), expected 2051 for images or 2049 for labels", value,
                   detail::hexadecimal(value, 8)));
}

/// "60000 x 28 x 28".
std::string sizes_text(const std::vector<std::uint32_t>& dims) {
  std::string text;
  for (const std::uint32_t size : dims) text += (text.empty() ? "" : " x ") + std::to_string(size);
  return text;
}

/// What the first dimension counts, for messages: "images", "labels" or "entries".
std::string_view what_is_counted(std::size_t dimensions) {
  return dimensions == 3 ? "images" : dimensions == 1 ? "labels" : "entries";
}

/// Reads one IDX array from `source`; `decompressed` says whether it came through gzip.
IdxArray read_idx_from(detail::ByteSource& source, std::string_view name, bool decompressed) {
  const std::string_view the_data = decompressed ? "it decompresses to" : "the file has";
  std::array<std::uint8_t, 4> magic{};
  if (const std::size_t got = read_fully(source, magic); got < magic.size()) {
    throw DataError(fmt::format("backflow: {}: too short for an IDX file: {} {} bytes", name, the_data, got));
  }
  // Every IDX file begins 0, 0. Of any other, read a little more to recognise a web page that
  // starts with blank lines; a read error there only leaves the guess to the magic.
  std::array<std::uint8_t, 64> beginning{};
  std::copy(magic.begin(), magic.end(), beginning.begin());
  std::size_t beginning_size = magic.size();
  if (magic[0] != 0 || magic[1] != 0) {
    try {
      beginning_size += read_fully(source, std::span(beginning).subspan(magic.size()));
    } catch (const DataError&) {
      beginning_size = magic.size();
    }
  }
  check_magic(magic, std::span(beginning).first(beginning_size), name, decompressed);

  IdxArray array;
  const std::size_t dimensions = magic[3];
  std::array<std::uint8_t, 4 * max_dimensions> sizes{};
  const std::size_t header_bytes = 4 + 4 * dimensions;
  if (const std::size_t got = read_fully(source, std::span(sizes).first(4 * dimensions)); got < 4 * dimensions) {
    throw DataError(
        fmt::format("backflow: {}: truncated: the header promises {} dimensions ({} bytes) but {} {}; "
                    "download it again",
                    name, dimensions, header_bytes, the_data, 4 + got));
  }
  std::uint64_t promised = 1;
  for (std::size_t i = 0; i < dimensions; ++i) {
    array.dims.push_back(big_endian(std::span(sizes).subspan(4 * i).first<4>()));
    // Each factor is below 2^32 and the running product at most 2^30, so this cannot overflow.
    promised *= array.dims.back();
    if (promised > max_idx_bytes) {
      throw DataError(
          fmt::format("backflow: {}: the header promises more than {} bytes of data (sizes {}); "
                      "the header is damaged, or this is not a dataset backflow can hold",
                      name, detail::with_thousands(max_idx_bytes), sizes_text(array.dims)));
    }
  }

  const auto size_problem = [&](std::uint64_t data_bytes, std::string_view how_many) {
    const std::string_view problem = data_bytes < promised ? "truncated" : "too long";
    return DataError(fmt::format(
        "backflow: {}: {}: the header promises {} {} ({} bytes) but {} {}{}; "
        "download it again",
        name, problem, array.dims[0], what_is_counted(dimensions), detail::with_thousands(header_bytes + promised),
        the_data, how_many, detail::with_thousands(header_bytes + data_bytes)));
  };
  // A plain file's length is known: compare before reading or allocating anything.
  const std::optional<std::uint64_t> available = source.remaining();
  if (available && *available != promised) throw size_problem(*available, "");

  array.bytes.reserve(std::min<std::uint64_t>(promised, available.value_or(read_chunk)));
  while (array.bytes.size() < promised) {
    const std::size_t have = array.bytes.size();
    const std::size_t want = std::min<std::uint64_t>(promised - have, read_chunk);
    array.bytes.resize(have + want);
    const std::size_t got = read_fully(source, std::span(array.bytes).subspan(have));
    array.bytes.resize(have + got);
    if (got < want) throw size_problem(array.bytes.size(), "only ");
  }
  // Reading one byte more also makes gzip verify its checksum at the end of the stream.
  std::array<std::uint8_t, 1> extra{};
  if (read_fully(source, extra) > 0) throw size_problem(promised + 1, "at least ");
  return array;
}

}  // namespace

IdxArray parse_idx(std::span<const std::uint8_t> bytes, std::string_view name) {
  detail::MemorySource memory(bytes);
  if (!detail::starts_like_gzip(bytes)) return read_idx_from(memory, name, false);
  detail::GzipSource decompressed(memory, std::string(name));
  return read_idx_from(decompressed, name, true);
}

IdxArray read_idx(const std::filesystem::path& file) {
  const std::string name = file.string();
  detail::FileSource raw(file, name);
  if (!detail::starts_like_gzip(raw.peek(2))) return read_idx_from(raw, name, false);
  detail::GzipSource decompressed(raw, name);
  return read_idx_from(decompressed, name, true);
}

}  // namespace backflow
