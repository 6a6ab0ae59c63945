// Horizontal signed bars from a zero line: items that raise the quantity
// extend right in vermillion, items that lower it extend left in blue, and
// each bar is labelled with its value (colour is never the only cue).
#include <algorithm>
#include <cmath>

#include "report/charts.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string signed_bar_chart_svg(const SignedBarSpec& spec) {
  const size_t n = std::min(spec.names.size(), spec.values.size());
  const double row_height = 30;
  const double height = std::max(kChartHeight * 0.6, 64 + 52 + row_height * static_cast<double>(n));
  size_t longest = 8;
  for (size_t i = 0; i < n; ++i) longest = std::max(longest, spec.names[i].size());
  const double left = std::min(240.0, 20.0 + 7.0 * static_cast<double>(longest));
  SvgCanvas canvas("signed-bar", spec.text.id, kChartWidth, height, spec.text.title,
                   spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  PlotArea area = plot_area(kChartWidth, height, left);
  area.top = 48;
  area.right -= 40;  // room for the value label of the longest positive bar

  double lo = 0.0, hi = 0.0;
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, spec.values[i]);
    hi = std::max(hi, spec.values[i]);
  }
  const Ticks ticks = nice_ticks(lo, hi, 6);
  const LinearScale x(ticks.lo, ticks.hi, area.left, area.right);
  draw_x_value_axis(canvas, area, ticks, x, spec.value_label, spec.value_format, true);
  const double zero = x(0.0);
  canvas.line(zero, area.top, zero, area.bottom, "reference", kInkColour, 1.5);

  const double band = n == 0 ? row_height : area.height() / static_cast<double>(n);
  canvas.open_group("series");
  for (size_t i = 0; i < n; ++i) {
    const double v = spec.values[i];
    const double cy = area.top + band * (static_cast<double>(i) + 0.5);
    const bool positive = v >= 0;
    const std::string label = format_with(spec.value_format, v, ticks.step / 100);
    canvas.text(area.left - 10, cy + 4, spec.names[i], "row-label", "end");
    canvas.rect(zero, cy - band * 0.35, x(v) - zero, band * 0.7,
                positive ? "mark bar positive" : "mark bar negative",
                positive ? kPositiveColour : kNegativeColour, spec.names[i] + ": " + label);
    canvas.text(x(v) + (positive ? 4 : -4), cy + 4, label, "bar-label", positive ? "start" : "end");
  }
  canvas.close_group();
  return canvas.finish();
}

}  // namespace clv::report
