// The introduction's "plot 4 images as gray scale": a 2x2 grid of enlarged images, each with
// its label underneath, on a white page.
#include "bitmap_font.hpp"

#include <backflow/data.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace backflow {

namespace {

constexpr std::size_t grid_side = 2;  // 2x2 images
constexpr std::uint8_t page_shade = 255;
constexpr std::uint8_t label_shade = 0;

std::uint8_t to_byte(float value) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0F, 1.0F) * 255.0F));
}

}  // namespace

GrayImage render_sample_grid(const ImageSet& set, std::size_t first, std::size_t scale) {
  if (set.pixels.size() != set.count * set.rows * set.cols || set.labels.size() != set.count) {
    throw std::invalid_argument(fmt::format("backflow: sample grid: {} pixels and {} labels for {} images of {}x{}",
                                            set.pixels.size(), set.labels.size(), set.count, set.rows, set.cols));
  }
  if (first >= set.count) {
    throw std::invalid_argument(
        fmt::format("backflow: sample grid: image {} asked for, but the set has {}", first, set.count));
  }
  if (scale < 1 || scale > 16) {
    throw std::invalid_argument(fmt::format("backflow: sample grid: scale {} is not 1 to 16", scale));
  }
  // Each cell: the image, then a band as tall as the label digits with a gap above and below.
  const std::size_t gap = 2 * scale;
  const std::size_t image_width = set.cols * scale;
  const std::size_t image_height = set.rows * scale;
  const std::size_t cell_height = image_height + gap + detail::glyph_height * scale;

  GrayImage page;
  page.width = grid_side * image_width + (grid_side + 1) * gap;
  page.height = grid_side * cell_height + (grid_side + 1) * gap;
  page.pixels.assign(page.width * page.height, page_shade);

  for (std::size_t cell = 0; cell < grid_side * grid_side && first + cell < set.count; ++cell) {
    const std::size_t left = gap + (cell % grid_side) * (image_width + gap);
    const std::size_t top = gap + (cell / grid_side) * (cell_height + gap);
    const std::span<const float> image = set.image(first + cell);
    for (std::size_t y = 0; y < image_height; ++y) {
      for (std::size_t x = 0; x < image_width; ++x) {
        page.pixels[(top + y) * page.width + left + x] = to_byte(image[(y / scale) * set.cols + x / scale]);
      }
    }
    const std::size_t label = set.labels[first + cell];
    const std::size_t label_width = detail::text_width(label) * scale;
    const std::size_t label_left = left + (image_width > label_width ? (image_width - label_width) / 2 : 0);
    detail::draw_number(page, label_left, top + image_height + gap, label, scale, label_shade);
  }
  return page;
}

void write_sample_grid(const ImageSet& set, std::size_t first, const std::filesystem::path& png, std::size_t scale) {
  write_png(render_sample_grid(set, first, scale), png);
}

}  // namespace backflow
