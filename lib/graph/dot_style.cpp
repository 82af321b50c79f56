#include "dot_style.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace backflow::detail {

std::string_view fill_colour(NodeRole role) {
  switch (role) {
    case NodeRole::input: return "#cfe2ff";      // blue: data coming in
    case NodeRole::parameter: return "#ffe0b2";  // orange: what training changes
    case NodeRole::constant: return "#eeeeee";   // grey: fixed numbers
    case NodeRole::intermediate: return "#ffffff";
    case NodeRole::output: return "#c8e6c9";  // green: where backward starts
  }
  return "#ffffff";
}

ArrowStyle gradient_style(double grad, double largest_magnitude) {
  if (grad == 0.0 || !std::isfinite(grad) || largest_magnitude <= 0.0) return {1.0, "#9e9e9e", grad == 0.0};
  // sqrt keeps small gradients visible next to a large one.
  const double share = std::sqrt(std::min(1.0, std::fabs(grad) / largest_magnitude));
  const double hue = grad > 0 ? 0.0 : 0.6;  // red for positive, blue for negative (HSV)
  return {1.0 + 5.0 * share, fmt::format("{:.3f} {:.3f} 0.850", hue, 0.25 + 0.75 * share), false};
}

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD, in UTF-8

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;  // the range of the second byte, which rules out the bad forms
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// User text as Graphviz should show it: each byte that is not well-formed UTF-8 and each
// control character becomes U+FFFD (SVG is XML, which allows neither, and a NUL would end
// the label), a tab a space, and & is written &amp; so that Graphviz shows "&lt;" as typed
// rather than decoding it. Characters special to DOT are `escaped` with a backslash.
template <typename IsSpecial>
std::string dot_text(std::string_view text, IsSpecial escaped) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    const char c = text.front();
    // U+FFFE and U+FFFF are UTF-8 but not XML characters.
    const bool noncharacter =
        length == 3 && (text.substr(0, 3) == "\xEF\xBF\xBE" || text.substr(0, 3) == "\xEF\xBF\xBF");
    if (length > 1 && !noncharacter) {
      out += text.substr(0, length);
    } else if (length == 0 || noncharacter || (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') ||
               c == '\x7f') {
      out += replacement_character;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += ' ';
    } else if (c == '&') {
      out += "&amp;";
    } else {
      if (escaped(c)) out += '\\';
      out += c;
    }
    text.remove_prefix(noncharacter ? 3 : std::max<std::size_t>(length, 1));
  }
  return out;
}

}  // namespace

std::string quoted(std::string_view text) {
  return dot_text(text, [](char c) { return c == '"' || c == '\\'; });
}

std::string record_field(std::string_view text) {
  return dot_text(
      text, [](char c) { return c == '{' || c == '}' || c == '|' || c == '<' || c == '>' || c == '"' || c == '\\'; });
}

}  // namespace backflow::detail
