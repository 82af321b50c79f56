// backflow/plot.hpp: small SVG line charts (activation functions, loss curves), so the
// tutorial's pictures are drawn by backflow itself.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace backflow {

/// One line of a chart: points (x[i], y[i]) and the name shown in the legend.
struct Series {
  std::string name;       ///< legend text
  std::vector<double> x;  ///< horizontal coordinates
  std::vector<double> y;  ///< vertical coordinates, one per x
};

/// Titles, size and scale of a chart.
struct PlotOptions {
  std::string title;    ///< drawn above the chart
  std::string x_label;  ///< under the horizontal axis
  std::string y_label;  ///< beside the vertical axis
  int width = 640;      ///< pixels
  int height = 400;     ///< pixels
  bool log_y = false;   ///< logarithmic vertical axis (for loss curves); values must be > 0
};

/// The narrowest chart (the margins take 230 pixels across).
inline constexpr int min_width = 270;
/// The lowest chart (the margins take 90 pixels down).
inline constexpr int min_height = 130;

/// The chart as SVG text. Throws std::invalid_argument when a series' x and y differ in
/// length, when there is nothing to draw, when log_y meets a value <= 0, when the values
/// span more than a double holds, or when the size is below min_width x min_height.
std::string svg_line_plot(const std::vector<Series>& series, const PlotOptions& options);

/// Writes svg_line_plot() to `file` (through a temporary file, then a rename).
void write_svg_line_plot(const std::filesystem::path& file, const std::vector<Series>& series,
                         const PlotOptions& options);

}  // namespace backflow
