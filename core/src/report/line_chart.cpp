// Line chart: one polyline per series over a shared numeric x axis, with a
// dot per value so that short series stay readable.
#include <algorithm>
#include <cmath>
#include <limits>

#include "report/charts.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string line_chart_svg(const LineChartSpec& spec) {
  SvgCanvas canvas("line", spec.text.id, kChartWidth, kChartHeight, spec.text.title,
                   spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  const PlotArea area = plot_area(kChartWidth, kChartHeight);

  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
  for (double v : spec.x) {
    x_lo = std::min(x_lo, v);
    x_hi = std::max(x_hi, v);
  }
  double y_lo = 0.0, y_hi = 0.0;  // bars of purchases start at zero
  for (const auto& s : spec.series) {
    for (double v : s.values) {
      if (!std::isfinite(v)) continue;
      y_lo = std::min(y_lo, v);
      y_hi = std::max(y_hi, v);
    }
  }
  const Ticks x_ticks = nice_ticks(x_lo, x_hi, 8);
  const Ticks y_ticks = nice_ticks(y_lo, y_hi, 5);
  // The x domain is the data range itself so that lines reach both edges.
  const bool have_x = std::isfinite(x_lo) && x_hi > x_lo;
  const LinearScale x(have_x ? x_lo : x_ticks.lo, have_x ? x_hi : x_ticks.hi, area.left,
                      area.right);
  const LinearScale y(y_ticks.lo, y_ticks.hi, area.bottom, area.top);

  draw_y_value_axis(canvas, area, y_ticks, y, spec.y_label, spec.y_format);
  Ticks visible_x = x_ticks;
  visible_x.values.erase(
      std::remove_if(visible_x.values.begin(), visible_x.values.end(),
                     [&](double v) { return have_x && (v < x_lo - 1e-9 || v > x_hi + 1e-9); }),
      visible_x.values.end());
  draw_x_value_axis(canvas, area, visible_x, x, spec.x_label, {}, false);

  if (spec.marker_x >= 0 && have_x && spec.marker_x >= x_lo && spec.marker_x <= x_hi) {
    const double px = x(spec.marker_x);
    canvas.line(px, area.top, px, area.bottom, "reference", kInkColour, 1.0, "4 3");
    canvas.text(px + 4, area.top + 12, spec.marker_label, "annotation");
  }

  std::vector<std::string> names, colours;
  for (size_t si = 0; si < spec.series.size(); ++si) {
    const Series& s = spec.series[si];
    const std::string colour = series_colour(static_cast<int>(si));
    names.push_back(s.name);
    colours.push_back(colour);
    std::vector<double> xs, ys;
    const size_t n = std::min(s.values.size(), spec.x.size());
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.values[i])) continue;
      xs.push_back(x(spec.x[i]));
      ys.push_back(y(s.values[i]));
    }
    canvas.open_group("series");
    canvas.polyline(xs.data(), ys.data(), xs.size(), "mark line", colour, 2.5, s.name,
                    s.dashed ? "6 4" : "");
    // Dots only when they do not merge into a blob.
    const double radius = n <= 60 ? 3.0 : 1.5;
    for (size_t i = 0, j = 0; i < n; ++i) {
      if (!std::isfinite(s.values[i])) continue;
      canvas.circle(xs[j], ys[j], radius, "mark point", colour,
                    s.name + ": " + format_tick(spec.x[i], x_ticks.step / 10) + " -> " +
                        format_with(spec.y_format, s.values[i], y_ticks.step / 100));
      ++j;
    }
    canvas.close_group();
  }
  draw_legend(canvas, area.left, 46, names, colours, true);
  return canvas.finish();
}

}  // namespace clv::report
