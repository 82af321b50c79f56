// The look of the pictures in one place: colours by role, how gradients map to arrow width
// and colour, and the quoting DOT needs.
#pragma once

#include <backflow/graph.hpp>

#include <string>
#include <string_view>

namespace backflow::detail {

/// Fill colour of a value record.
std::string_view fill_colour(NodeRole role);
inline constexpr std::string_view module_fill = "#e8eaf6";
inline constexpr std::string_view group_fill = "#fff8e1";
inline constexpr std::string_view op_fill = "#f5f5f5";
inline constexpr std::string_view highlight_colour = "#d62728";
inline constexpr std::string_view pending_colour = "#c8c8c8";

/// Width and colour of an arrow carrying gradient `grad`, scaled against the largest
/// magnitude in the picture: red for positive, blue for negative, grey and dashed for 0.
struct ArrowStyle {
  double penwidth = 1.0;
  std::string colour;
  bool dashed = false;
};
ArrowStyle gradient_style(double grad, double largest_magnitude);

/// `text` as the inside of a DOT double-quoted string (" and \ escaped, newlines as \n, &
/// as &amp;, a tab as a space, control characters and bytes that are not UTF-8 as U+FFFD), so
/// that Graphviz shows it as written and its SVG stays well-formed XML.
std::string quoted(std::string_view text);
/// `text` as one field of a record label inside a DOT string: also escapes { } | < >.
std::string record_field(std::string_view text);

}  // namespace backflow::detail
