// The IDX reader on small files made here: good ones, raw and gzipped, and each kind of bad one
// with the message a user would see.
#include "idx_fixtures.hpp"

#include <backflow/data.hpp>

#include <doctest/doctest.h>

#include <string>

using backflow::DataError;
using backflow::read_idx;
using fixtures::Bytes;

namespace {

/// The message read_idx() throws for a file with these bytes.
std::string error_reading(const Bytes& bytes, const std::string& file_name = "file-idx3-ubyte") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / file_name, bytes);
  try {
    read_idx(directory / file_name);
  } catch (const DataError& error) {
    return error.what();
  }
  return "no error";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a raw IDX file gives its sizes and bytes") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "images", fixtures::images(2, 3, 4));
  const backflow::IdxArray array = read_idx(directory / "images");
  CHECK(array.dims == std::vector<std::uint32_t>{2, 3, 4});
  REQUIRE(array.bytes.size() == 24);
  CHECK(array.bytes[0] == 0);
  CHECK(array.bytes[13] == (7 + 1));  // image 1, pixel 1
}

TEST_CASE("a gzipped IDX file is recognised by its first bytes, not its name") {
  fixtures::ScratchDirectory directory;
  const Bytes raw = fixtures::images(5, 28, 28);
  fixtures::write_file(directory / "no-extension", fixtures::gzip(raw));
  const backflow::IdxArray array = read_idx(directory / "no-extension");
  CHECK(array.dims == std::vector<std::uint32_t>{5, 28, 28});
  CHECK(array.bytes == Bytes(raw.begin() + 16, raw.end()));
}

TEST_CASE("gzip files made of several members (cat a.gz b.gz) are read whole") {
  const Bytes raw = fixtures::labels({1, 2, 3, 4, 5, 6});
  Bytes joined = fixtures::gzip(Bytes(raw.begin(), raw.begin() + 7));
  const Bytes second = fixtures::gzip(Bytes(raw.begin() + 7, raw.end()));
  joined.insert(joined.end(), second.begin(), second.end());
  const backflow::IdxArray array = backflow::parse_idx(joined, "joined.gz");
  CHECK(array.bytes == Bytes{1, 2, 3, 4, 5, 6});
}

TEST_CASE("NUL bytes after the last gzip member are padding, as gunzip reads them") {
  const Bytes raw = fixtures::labels({1, 2, 3});
  Bytes padded = fixtures::gzip(raw);
  padded.insert(padded.end(), 512, 0);  // a tar block's worth
  CHECK(backflow::parse_idx(padded, "padded.gz").bytes == Bytes{1, 2, 3});
  // More padding than one 64 KiB read of the file.
  padded.insert(padded.end(), 100'000, 0);
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "padded.gz", padded);
  CHECK(read_idx(directory / "padded.gz").bytes == Bytes{1, 2, 3});
}

TEST_CASE("other bytes after the NUL padding are damage") {
  Bytes bad = fixtures::gzip(fixtures::labels({1, 2, 3}));
  bad.insert(bad.end(), 20, 0);
  bad.push_back('x');
  CHECK(contains(error_reading(bad), "damaged gzip data (other bytes follow the NUL padding"));
}

TEST_CASE("parse_idx reads memory, raw or gzipped") {
  const Bytes raw = fixtures::labels({9, 8, 7});
  CHECK(backflow::parse_idx(raw, "raw").bytes == Bytes{9, 8, 7});
  CHECK(backflow::parse_idx(fixtures::gzip(raw), "gz").bytes == Bytes{9, 8, 7});
}

TEST_CASE("the style guide's truncated file: numbers as people read them") {
  fixtures::ScratchDirectory directory;
  const auto file = directory / "train-images-idx3-ubyte";
  fixtures::write_file(file, fixtures::idx({60000, 28, 28}, {}));
  std::filesystem::resize_file(file, 12'582'912);  // sparse: no 12 MB written
  CHECK_THROWS_WITH_AS(read_idx(file),
                       ("backflow: " + file.string() +
                        ": truncated: the header promises 60000 images (47,040,016 bytes) but the file has 12,582,912; "
                        "download it again")
                           .c_str(),
                       DataError);
}

TEST_CASE("a truncated label file says how much is there") {
  Bytes bytes = fixtures::labels({1, 2, 3, 4});
  bytes.pop_back();
  const std::string message = error_reading(bytes);
  CHECK(contains(message, "truncated: the header promises 4 labels (12 bytes) but the file has 11"));
}

TEST_CASE("a file longer than its header says is refused") {
  Bytes bytes = fixtures::labels({1, 2});
  bytes.push_back(3);
  CHECK(contains(error_reading(bytes), "too long: the header promises 2 labels (10 bytes) but the file has 11"));
}

TEST_CASE("a gzipped file whose IDX data is short: what it decompresses to") {
  Bytes raw = fixtures::images(2, 2, 2);
  raw.resize(raw.size() - 3);
  CHECK(contains(error_reading(fixtures::gzip(raw)),
                 "truncated: the header promises 2 images (24 bytes) but it decompresses to only 21"));
}

TEST_CASE("a .gz file cut short is reported as a truncated download") {
  Bytes compressed = fixtures::gzip(fixtures::images(20, 28, 28));
  compressed.resize(compressed.size() / 2);
  CHECK(contains(error_reading(compressed), "the gzip data ends early (the .gz file is truncated)"));
}

TEST_CASE("a damaged .gz file is reported as damaged") {
  const Bytes good = fixtures::gzip(fixtures::images(3, 28, 28));
  SUBCASE("checksum does not match") {
    Bytes bad = good;
    bad[bad.size() - 8] ^= 0xFFU;  // the CRC-32 in the trailer
    CHECK(contains(error_reading(bad), "damaged gzip data (zlib: incorrect data check)"));
  }
  SUBCASE("the compressed data is garbage") {
    Bytes bad(good.begin(), good.begin() + 10);  // a valid gzip header
    bad.insert(bad.end(), 100, 0xFF);
    CHECK(contains(error_reading(bad), "damaged gzip data (zlib: invalid block type)"));
  }
}

TEST_CASE("a file gzipped twice is still gzip-compressed after one gunzip") {
  CHECK(contains(error_reading(fixtures::gzip(fixtures::gzip(fixtures::labels({1})))),
                 "still gzip-compressed after decompressing it once"));
}

TEST_CASE("an HTML or XML page saved instead of the data is named as such") {
  const std::string page = "<!DOCTYPE html><html><body>404 Not Found</body></html>";
  const std::string message = error_reading(Bytes(page.begin(), page.end()));
  CHECK(contains(message, "an HTML/XML page, not IDX"));
  CHECK(contains(message, "magic 1008813135"));
  const std::string xml = "<?xml version=\"1.0\"?><Error>AccessDenied</Error>";
  CHECK(contains(error_reading(Bytes(xml.begin(), xml.end())), "magic 1010792557"));
}

TEST_CASE("an HTML page after a blank line or a byte order mark is still named as HTML") {
  const std::string page = "\n<!DOCTYPE html><html><body>404 Not Found</body></html>";
  const std::string message = error_reading(Bytes(page.begin(), page.end()));
  CHECK(contains(message, "an HTML/XML page, not IDX (it starts with \"\\n<!DO\""));
  const std::string marked = "\xEF\xBB\xBF<html>";
  CHECK(contains(error_reading(Bytes(marked.begin(), marked.end())), "an HTML/XML page, not IDX"));
  const std::string indented = "  \r\n\t\t<html>";
  CHECK(contains(error_reading(Bytes(indented.begin(), indented.end())), "an HTML/XML page, not IDX"));
}

TEST_CASE("a header written little-endian is recognised") {
  const Bytes swapped{0x03, 0x08, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 42};
  const std::string message = error_reading(swapped);
  CHECK(contains(message, "magic 50855936 is 2051 read with its bytes reversed"));
  CHECK(contains(error_reading(Bytes{0x01, 0x08, 0, 0, 1, 0, 0, 0, 7}), "magic 17301504 is 2049"));
}

TEST_CASE("other wrong headers") {
  CHECK(contains(error_reading(Bytes{'P', 'K', 3, 4, 0, 0}), "not an IDX file: magic 1347093252 (0x504B0304)"));
  CHECK(contains(error_reading(Bytes{0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}), "holds float32 values (IDX type 0x0D)"));
  CHECK(contains(error_reading(Bytes{0, 0, 8, 0}), "an IDX header with 0 dimensions"));
  CHECK(contains(error_reading(Bytes{0, 0, 8, 9}), "an IDX header with 9 dimensions"));
  CHECK(contains(error_reading(Bytes{0, 0, 8, 3, 0, 0, 0, 2, 0, 0}),
                 "truncated: the header promises 3 dimensions (16 bytes) but the file has 10"));
  CHECK(contains(error_reading(Bytes{}), "too short for an IDX file: the file has 0 bytes"));
  CHECK(contains(error_reading(Bytes{0, 0, 8}), "too short for an IDX file: the file has 3 bytes"));
}

TEST_CASE("a header that promises gigabytes is refused before anything is allocated") {
  const Bytes bytes = fixtures::idx({0xFFFFFFFFU, 0xFFFFFFFFU, 0xFFFFFFFFU}, {1, 2, 3});
  CHECK(contains(error_reading(bytes), "the header promises more than 1,073,741,824 bytes of data"));
  // Under the limit but far more than a small .gz can hold: read until the data runs out.
  const Bytes big_promise = fixtures::gzip(fixtures::idx({1000, 1000, 1000}, {1, 2, 3}));
  CHECK(contains(error_reading(big_promise), "but it decompresses to only 19"));
}

TEST_CASE("missing files and directories say so") {
  fixtures::ScratchDirectory directory;
  try {
    read_idx(directory / "absent");
    FAIL("no error");
  } catch (const DataError& error) {
    CHECK(contains(error.what(), "absent: cannot open: No such file or directory"));
  }
  CHECK_THROWS_WITH_AS(read_idx(directory.path()), doctest::Contains("is a directory, not an IDX file"), DataError);
}
