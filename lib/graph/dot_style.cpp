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

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string record_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '{' || c == '}' || c == '|' || c == '<' || c == '>' || c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace backflow::detail
