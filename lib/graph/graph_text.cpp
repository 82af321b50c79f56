// How the graph view names roles and writes numbers, shared by every engine's view.
#include <backflow/graph.hpp>

#include <fmt/format.h>

#include <cmath>

namespace backflow {

std::string_view role_name(NodeRole role) {
  switch (role) {
    case NodeRole::input: return "input";
    case NodeRole::parameter: return "parameter";
    case NodeRole::constant: return "constant";
    case NodeRole::intermediate: return "intermediate";
    case NodeRole::output: return "output";
  }
  return "?";
}

std::string format_number(double x) {
  const double size = std::fabs(x);
  // Fixed decimals read best (micrograd shows %.4f); very small or large numbers would
  // print as 0.0000 or a wall of digits, so they switch to scientific notation.
  if (x == 0.0) return "0.0000";    // -0.0 too: "-0.0000" would read as a negative gradient
  if (std::isnan(x)) return "NaN";  // not fmt's "nan" or "-nan": a NaN has no sign to show
  if (!std::isfinite(x) || (size >= 1e-3 && size < 1e5)) return fmt::format("{:.4f}", x);
  return fmt::format("{:.3e}", x);
}

}  // namespace backflow
