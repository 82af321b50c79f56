// Digits 0-9 in a 3x5 pixel font, for labels drawn into pictures without a font library.
#pragma once

#include <backflow/data.hpp>

#include <cstddef>
#include <cstdint>

namespace backflow::detail {

inline constexpr std::size_t glyph_width = 3;
inline constexpr std::size_t glyph_height = 5;
inline constexpr std::size_t glyph_spacing = 1;  // blank columns between two digits

/// Width in font pixels of `number` written in digits.
std::size_t text_width(std::size_t number);

/// Draws `number` with its top-left corner at (x, y), each font pixel a `scale` x `scale`
/// square of `shade`; pixels that fall outside the image are skipped.
void draw_number(GrayImage& image, std::size_t x, std::size_t y, std::size_t number, std::size_t scale,
                 std::uint8_t shade);

}  // namespace backflow::detail
