// A minimal SVG line chart: axes with ticks, one polyline per series, a legend.
#include "../io/atomic_file.hpp"

#include <backflow/plot.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace backflow {
namespace {

constexpr const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Round tick positions (1, 2 or 5 times a power of ten) covering [low, high].
std::vector<double> ticks(double low, double high) {
  const double span = high - low;
  // A span of a few ulps (a curve flat to the last bit) has no round numbers inside: label
  // the two ends instead.
  if (!(span > 1e-9 * std::max(std::abs(low), std::abs(high)))) return {low, high};
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  // Spans near the smallest double (5e-324) round raw or its power of ten to 0: no step.
  if (!(magnitude > 0.0 && std::isfinite(magnitude))) return {low, high};
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (span / step <= 6.0) break;
  }
  // Counted in whole steps rather than by adding step to t, which could stop moving t.
  const double first = std::ceil(low / step);
  std::vector<double> result;
  for (int k = 0; k <= 10; ++k) {
    const double t = (first + k) * step;
    if (t > high + step * 1e-9) break;
    result.push_back(t);
  }
  return result;
}

}  // namespace

std::string svg_line_plot(const std::vector<Series>& series, const PlotOptions& options) {
  // The margins hold the axis labels and the legend; the chart needs some room inside them.
  if (options.width < min_width || options.height < min_height) {
    throw std::invalid_argument(fmt::format("backflow: plot: {} x {} pixels is too small; the least is {} x {}",
                                            options.width, options.height, min_width, min_height));
  }
  double x_low = std::numeric_limits<double>::infinity();
  double x_high = -x_low;
  double y_low = x_low;
  double y_high = -x_low;
  for (const Series& s : series) {
    if (s.x.size() != s.y.size()) {
      throw std::invalid_argument(
          fmt::format("backflow: plot: series '{}' has {} x values but {} y values", s.name, s.x.size(), s.y.size()));
    }
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      if (options.log_y && s.y[i] <= 0.0) {
        throw std::invalid_argument(
            fmt::format("backflow: plot: series '{}' has y = {} on a log scale", s.name, s.y[i]));
      }
      const double y = options.log_y ? std::log10(s.y[i]) : s.y[i];
      x_low = std::min(x_low, s.x[i]);
      x_high = std::max(x_high, s.x[i]);
      y_low = std::min(y_low, y);
      y_high = std::max(y_high, y);
    }
  }
  if (!(x_low < x_high)) throw std::invalid_argument("backflow: plot: nothing to draw (no finite points, or one x)");
  if (!(y_low < y_high)) {  // a flat line: give it room around its value, whatever its size
    const double half = std::max(1.0, std::abs(y_low) * 0.01);
    y_low -= half;
    y_high += half;
  }
  const double pad = (y_high - y_low) * 0.05;
  y_low -= pad;
  y_high += pad;
  // Coordinates divide by the spans: an infinite one would put "nan" into the SVG.
  if (!std::isfinite(x_high - x_low) || !std::isfinite(y_high - y_low)) {
    throw std::invalid_argument(
        fmt::format("backflow: plot: the {} values span more than a double holds; scale them first",
                    std::isfinite(x_high - x_low) ? "y" : "x"));
  }

  const double left = 70, right = 160, top = 40, bottom = 50;
  const double plot_w = options.width - left - right;
  const double plot_h = options.height - top - bottom;
  auto px = [&](double x) { return left + (x - x_low) / (x_high - x_low) * plot_w; };
  auto py = [&](double y) { return top + (1.0 - (y - y_low) / (y_high - y_low)) * plot_h; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      options.width, options.height);
  svg += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2,
                     escape(options.title));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", left, top,
                     plot_w, plot_h);
  for (double t : ticks(x_low, x_high)) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4:g}</text>\n",
        px(t), top, top + plot_h, top + plot_h + 16, t);
  }
  for (double t : ticks(y_low, y_high)) {
    const double label = options.log_y ? std::pow(10.0, t) : t;
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.3g}</text>\n",
        left, py(t), left + plot_w, left - 6, py(t) + 4, label);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2,
                     options.height - 10, escape(options.x_label));
  svg += fmt::format("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">{1}</text>\n",
                     top + plot_h / 2, escape(options.y_label));
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const char* colour = palette[k % std::size(palette)];
    std::string points;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      points += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(options.log_y ? std::log10(s.y[i]) : s.y[i]));
    }
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", colour, points);
    const double legend_y = top + 14 + 18.0 * static_cast<double>(k);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"3\"/>"
        "<text x=\"{4}\" y=\"{5}\">{6}</text>\n",
        left + plot_w + 10, legend_y, left + plot_w + 30, colour, left + plot_w + 36, legend_y + 4, escape(s.name));
  }
  return svg + "</svg>\n";
}

void write_svg_line_plot(const std::filesystem::path& file, const std::vector<Series>& series,
                         const PlotOptions& options) {
  write_file_atomically(file, svg_line_plot(series, options));
}

}  // namespace backflow
