#include "bitmap_font.hpp"

#include <array>
#include <string>

namespace backflow::detail {

namespace {

// One row per entry, top to bottom; bit 2 is the left column.
constexpr std::array<std::array<std::uint8_t, glyph_height>, 10> glyphs = {{
    {0b111, 0b101, 0b101, 0b101, 0b111},  // 0
    {0b010, 0b110, 0b010, 0b010, 0b111},  // 1
    {0b111, 0b001, 0b111, 0b100, 0b111},  // 2
    {0b111, 0b001, 0b111, 0b001, 0b111},  // 3
    {0b101, 0b101, 0b111, 0b001, 0b001},  // 4
    {0b111, 0b100, 0b111, 0b001, 0b111},  // 5
    {0b111, 0b100, 0b111, 0b101, 0b111},  // 6
    {0b111, 0b001, 0b010, 0b010, 0b010},  // 7
    {0b111, 0b101, 0b111, 0b101, 0b111},  // 8
    {0b111, 0b101, 0b111, 0b001, 0b111},  // 9
}};

void fill_square(GrayImage& image, std::size_t x, std::size_t y, std::size_t size, std::uint8_t shade) {
  for (std::size_t row = y; row < y + size && row < image.height; ++row) {
    for (std::size_t col = x; col < x + size && col < image.width; ++col) image.pixels[row * image.width + col] = shade;
  }
}

}  // namespace

std::size_t text_width(std::size_t number) {
  const std::size_t digits = std::to_string(number).size();
  return digits * glyph_width + (digits - 1) * glyph_spacing;
}

void draw_number(GrayImage& image, std::size_t x, std::size_t y, std::size_t number, std::size_t scale,
                 std::uint8_t shade) {
  for (const char digit : std::to_string(number)) {
    const auto& glyph = glyphs[static_cast<std::size_t>(digit - '0')];
    for (std::size_t row = 0; row < glyph_height; ++row) {
      for (std::size_t col = 0; col < glyph_width; ++col) {
        const bool lit = ((glyph[row] >> (glyph_width - 1 - col)) & 1U) != 0;
        if (lit) fill_square(image, x + col * scale, y + row * scale, scale, shade);
      }
    }
    x += (glyph_width + glyph_spacing) * scale;
  }
}

}  // namespace backflow::detail
