// SVG line charts: what they draw, what they refuse, and ranges too narrow for round ticks.
#include <backflow/plot.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>

using backflow::PlotOptions;
using backflow::Series;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("a chart has one polyline per series, every finite point, and escaped text") {
  PlotOptions options;
  options.title = "loss <of> \"XOR\" & more";
  const std::vector<Series> series{{"lr 0.1", {0, 1, 2, 3}, {1.0, 0.5, NAN, 0.2}},
                                   {"lr <1>", {0, 1, 2, 3}, {0.9, 0.8, 0.7, 0.6}}};
  const std::string svg = backflow::svg_line_plot(series, options);
  CHECK(svg.starts_with("<svg "));
  CHECK(svg.ends_with("</svg>\n"));
  CHECK(count_of(svg, "<polyline") == 2);
  CHECK(svg.find("loss &lt;of&gt; &quot;XOR&quot; &amp; more") != std::string::npos);
  CHECK(svg.find("lr &lt;1&gt;") != std::string::npos);
  // The NaN point is left out: 3 points in the first line, 4 in the second.
  const std::size_t first = svg.find("points=\"");
  const std::size_t second = svg.find("points=\"", first + 1);
  const std::string first_points = svg.substr(first, svg.find('"', first + 8) - first);
  const std::string second_points = svg.substr(second, svg.find('"', second + 8) - second);
  CHECK(count_of(first_points, ",") == 3);
  CHECK(count_of(second_points, ",") == 4);
}

TEST_CASE("a chart refuses what it cannot draw, saying why") {
  const PlotOptions plain;
  CHECK_THROWS_WITH_AS(backflow::svg_line_plot({{"a", {0, 1}, {1}}}, plain),
                       "backflow: plot: series 'a' has 2 x values but 1 y values", std::invalid_argument);
  CHECK_THROWS_AS(backflow::svg_line_plot({{"a", {1, 1}, {1, 2}}}, plain), std::invalid_argument);  // one x
  CHECK_THROWS_AS(backflow::svg_line_plot({{"a", {0, 1}, {NAN, NAN}}}, plain), std::invalid_argument);
  PlotOptions log_scale;
  log_scale.log_y = true;
  CHECK_THROWS_AS(backflow::svg_line_plot({{"a", {0, 1}, {1, 0}}}, log_scale), std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::svg_line_plot({{"a", {-1e308, 1e308}, {0, 1}}}, plain),
                       doctest::Contains("span more than a double holds"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::svg_line_plot({{"a", {0, 1}, {-1e308, 1e308}}}, plain),
                       doctest::Contains("span more than a double holds"), std::invalid_argument);
  PlotOptions tiny;
  tiny.width = 200;  // the margins alone are 230 wide: the chart would be -30
  CHECK_THROWS_WITH_AS(backflow::svg_line_plot({{"a", {0, 1}, {0, 1}}}, tiny),
                       doctest::Contains("200 x 400 pixels is too small; the least is 270 x 130"),
                       std::invalid_argument);
  tiny.width = backflow::min_width;
  tiny.height = backflow::min_height;
  CHECK(backflow::svg_line_plot({{"a", {0, 1}, {0, 1}}}, tiny).ends_with("</svg>\n"));
}

TEST_CASE("flat and nearly flat curves of any size are drawn, not looped over forever") {
  const PlotOptions plain;
  const double one_ulp_above_one = std::nextafter(1.0, 2.0);
  const double huge = 1e20;
  const std::vector<std::vector<Series>> cases{
      {{"flat to the last bit", {0, 1}, {1.0, one_ulp_above_one}}},
      {{"flat at 1e20", {0, 1}, {huge, huge}}},
      {{"x one ulp apart", {huge, std::nextafter(huge, 2 * huge)}, {0, 1}}},
      {{"tiny", {0, 1e-300}, {-1e-300, 1e-300}}},
      {{"the smallest doubles", {0, 5e-324}, {0, 1}}},  // a fifth of the span rounds to 0
  };
  for (const auto& chart : cases) {
    CAPTURE(chart.front().name);
    const std::string svg = backflow::svg_line_plot(chart, plain);
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(count_of(svg, "<polyline") == 1);        // the curve is there
    CHECK(count_of(svg, "<line ") >= 2 * 2 + 1);   // at least two ticks per axis, and the legend
    CHECK(count_of(svg, "<line ") <= 2 * 12 + 2);  // but a few, not thousands
    CHECK(svg.find("nan") == std::string::npos);   // no coordinate that is not a number
    CHECK(svg.find("inf") == std::string::npos);
  }
}
