// gzip decompression with zlib's inflate, a buffer at a time, so that a small .gz file cannot
// make the reader decompress (or allocate) more than the IDX header asked for.
#include "byte_source.hpp"

#include <backflow/data.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <span>

namespace backflow::detail {

namespace {
constexpr std::size_t input_chunk = std::size_t{64} * 1024;
constexpr int gzip_window_bits = 16 + MAX_WBITS;  // 16+: expect a gzip header, not zlib's
}  // namespace

GzipSource::GzipSource(ByteSource& compressed, std::string name)
    : compressed_(compressed), name_(std::move(name)), input_(input_chunk) {
  if (inflateInit2(&stream_, gzip_window_bits) != Z_OK) throw std::bad_alloc();
}

GzipSource::~GzipSource() { inflateEnd(&stream_); }

bool GzipSource::refill() {
  const std::size_t count = compressed_.read(input_);
  stream_.next_in = input_.data();
  stream_.avail_in = static_cast<uInt>(count);
  return count > 0;
}

bool GzipSource::only_padding_left() {
  if (stream_.avail_in == 0 && !refill()) return true;
  if (*stream_.next_in != 0) return false;  // another member: inflate checks its header
  // NUL bytes after the last member are padding (tar and dd leave it; gunzip ignores it), but
  // only when nothing else follows.
  do {
    const std::span<const std::uint8_t> rest(stream_.next_in, stream_.avail_in);
    if (std::any_of(rest.begin(), rest.end(), [](std::uint8_t byte) { return byte != 0; })) {
      throw DataError(
          fmt::format("backflow: {}: damaged gzip data (other bytes follow the NUL padding after the last member); "
                      "download it again",
                      name_));
    }
    stream_.avail_in = 0;
  } while (refill());
  return true;
}

std::size_t GzipSource::read(std::span<std::uint8_t> into) {
  std::size_t produced = 0;
  while (produced < into.size() && !finished_) {
    if (stream_.avail_in == 0 && !refill()) {
      // No more input: fine only between members, which inflate reports as Z_STREAM_END.
      throw DataError(
          fmt::format("backflow: {}: the gzip data ends early (the .gz file is truncated); download it again", name_));
    }
    // inflate counts in uInt: hand it at most 1 GiB of room at a time.
    const std::size_t room = std::min<std::size_t>(into.size() - produced, std::size_t{1} << 30U);
    stream_.next_out = into.data() + produced;
    stream_.avail_out = static_cast<uInt>(room);
    const int status = inflate(&stream_, Z_NO_FLUSH);
    produced += room - stream_.avail_out;
    if (status == Z_STREAM_END) {
      // Another gzip member may follow (as `cat a.gz b.gz` makes).
      if (only_padding_left()) {
        finished_ = true;
      } else {
        inflateReset(&stream_);
      }
    } else if (status == Z_MEM_ERROR) {
      throw std::bad_alloc();
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      const char* reason = stream_.msg != nullptr ? stream_.msg : "unknown error";
      throw DataError(fmt::format("backflow: {}: damaged gzip data (zlib: {}); download it again", name_, reason));
    }
  }
  return produced;
}

}  // namespace backflow::detail
