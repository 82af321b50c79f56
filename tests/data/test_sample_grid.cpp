// The 2x2 sample picture: its layout, its label digits, and the PNG file it is written to.
#include "../skip_unless_required.hpp"
#include "idx_fixtures.hpp"

#include <backflow/data.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using backflow::GrayImage;
using backflow::ImageSet;

namespace {

/// Four 28x28 images: image n has every pixel n / 4 (0, 0.25, 0.5, 0.75); labels 7, 2, 1, 0.
ImageSet four_digits() {
  ImageSet set;
  set.count = 4;
  set.rows = 28;
  set.cols = 28;
  for (std::size_t n = 0; n < 4; ++n) set.pixels.insert(set.pixels.end(), 28 * 28, static_cast<float>(n) / 4.0F);
  set.labels = {7, 2, 1, 0};
  return set;
}

std::uint32_t big_endian_at(const fixtures::Bytes& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24U) | (std::uint32_t{bytes[offset + 1]} << 16U) |
         (std::uint32_t{bytes[offset + 2]} << 8U) | bytes[offset + 3];
}

}  // namespace

TEST_CASE("the grid: 2x2 images enlarged 4 times, an 8-pixel gap, a label band of 5x4 pixels") {
  const GrayImage grid = backflow::render_sample_grid(four_digits(), 0, 4);
  // width: gap + 112 + gap + 112 + gap; height: two cells of 112 + gap + 20, and three gaps
  CHECK(grid.width == 8 + 112 + 8 + 112 + 8);
  CHECK(grid.height == 8 + (112 + 8 + 20) + 8 + (112 + 8 + 20) + 8);
  CHECK(grid.pixels.size() == grid.width * grid.height);
  CHECK(grid.pixels[0] == 255);                                 // white page
  CHECK(grid.pixels[8 * grid.width + 8] == 0);                  // image 0 is black
  CHECK(grid.pixels[8 * grid.width + 8 + 120] == 64);           // image 1: 0.25 * 255, rounded
  CHECK(grid.pixels[(8 + 148) * grid.width + 8 + 120] == 191);  // image 3: 0.75 * 255
}

TEST_CASE("each label is drawn in black under its image") {
  const GrayImage grid = backflow::render_sample_grid(four_digits(), 0, 4);
  const auto dark_pixels_in_band = [&](std::size_t left, std::size_t top) {
    std::size_t dark = 0;
    for (std::size_t y = top; y < top + 20; ++y) {
      for (std::size_t x = left; x < left + 112; ++x) dark += grid.pixels[y * grid.width + x] == 0 ? 1 : 0;
    }
    return dark;
  };
  // In the 3x5 font "7" lights 7 cells, "1" lights 8, each cell 4x4 pixels.
  CHECK(dark_pixels_in_band(8, 8 + 112 + 8) == 7 * 16);
  CHECK(dark_pixels_in_band(8, 8 + 140 + 8 + 112 + 8) == 8 * 16);
}

TEST_CASE("fewer than four images left: the other cells stay empty") {
  const GrayImage grid = backflow::render_sample_grid(four_digits(), 3, 1);
  CHECK(grid.pixels[2 * grid.width + 2] == 191);
  CHECK(grid.pixels[2 * grid.width + 2 + 30] == 255);
  CHECK_THROWS_AS(backflow::render_sample_grid(four_digits(), 4), std::invalid_argument);
  CHECK_THROWS_AS(backflow::render_sample_grid(four_digits(), 0, 0), std::invalid_argument);
}

TEST_CASE("write_sample_grid writes a PNG of the right size, and nothing else") {
  fixtures::ScratchDirectory directory;
  const auto file = directory / "samples.png";
  try {
    backflow::write_sample_grid(four_digits(), 0, file);
  } catch (const backflow::DataError& error) {
    CHECK(std::string(error.what()).find("built without libpng") != std::string::npos);
    fixtures::skip_unless_required("built without libpng");
    return;
  }
  const fixtures::Bytes png = fixtures::read_file(file);
  REQUIRE(png.size() > 33);
  const fixtures::Bytes signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  CHECK(std::equal(signature.begin(), signature.end(), png.begin()));
  CHECK(std::string(png.begin() + 12, png.begin() + 16) == "IHDR");
  CHECK(big_endian_at(png, 16) == 248);                                                  // width
  CHECK(big_endian_at(png, 20) == 304);                                                  // height
  CHECK(png[24] == 8);                                                                   // bit depth
  CHECK(png[25] == 0);                                                                   // color type: grayscale
  CHECK(std::distance(std::filesystem::directory_iterator(directory.path()), {}) == 1);  // no temporary file left
}

TEST_CASE("a PNG whose directory is missing is refused, naming the file") {
  fixtures::ScratchDirectory directory;
  const auto file = directory / "no-such-directory" / "samples.png";
  CHECK_THROWS_WITH_AS(backflow::write_sample_grid(four_digits(), 0, file), doctest::Contains("samples.png"),
                       backflow::DataError);
  CHECK(std::distance(std::filesystem::directory_iterator(directory.path()), {}) == 0);
}

TEST_CASE("a PNG that cannot be renamed into place leaves no temporary file behind") {
  // The destination is a directory with a file in it: the encoding and the temporary file
  // succeed, the rename over the directory fails.
  fixtures::ScratchDirectory directory;
  const auto file = directory / "samples.png";
  std::filesystem::create_directory(file);
  fixtures::write_file(file / "keep", {1, 2, 3});
  try {
    backflow::write_sample_grid(four_digits(), 0, file);
    FAIL("writing over a non-empty directory should fail");
  } catch (const backflow::DataError& error) {
    const std::string message = error.what();
    if (message.find("built without libpng") != std::string::npos) {
      fixtures::skip_unless_required("built without libpng");
      return;
    }
    CHECK(message.find("cannot write") != std::string::npos);
    CHECK(message.find("samples.png") != std::string::npos);
  }
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    names.push_back(entry.path().filename().string());
  }
  CHECK(names == std::vector<std::string>{"samples.png"});  // the directory, and no ".samples.png.tmp-..."
  CHECK(fixtures::read_file(file / "keep") == fixtures::Bytes{1, 2, 3});
}
