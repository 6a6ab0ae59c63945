// Grouped bar chart: categories along x, one bar per series inside each
// category band, all bars starting from zero.
#include <algorithm>
#include <cmath>

#include "report/charts.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string grouped_bar_chart_svg(const GroupedBarChartSpec& spec) {
  SvgCanvas canvas("grouped-bar", spec.text.id, kChartWidth, kChartHeight, spec.text.title,
                   spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  const PlotArea area = plot_area(kChartWidth, kChartHeight);

  double lo = 0.0, hi = 0.0;
  for (const auto& s : spec.series) {
    for (double v : s.values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const Ticks ticks = nice_ticks(lo, hi, 5);
  const LinearScale y(ticks.lo, ticks.hi, area.bottom, area.top);
  draw_y_value_axis(canvas, area, ticks, y, spec.y_label, spec.y_format);
  draw_x_category_axis(canvas, area, spec.categories, spec.x_label);

  const size_t n_categories = spec.categories.size();
  const size_t n_series = std::max<size_t>(1, spec.series.size());
  std::vector<std::string> names, colours;
  if (n_categories > 0) {
    const double band = area.width() / static_cast<double>(n_categories);
    const double inner = band * 0.8;  // 10% padding on each side of a group
    const double bar = inner / static_cast<double>(n_series);
    const double zero = y(0.0);
    for (size_t si = 0; si < spec.series.size(); ++si) {
      const Series& s = spec.series[si];
      const std::string colour = series_colour(static_cast<int>(si));
      names.push_back(s.name);
      colours.push_back(colour);
      canvas.open_group("series");
      for (size_t ci = 0; ci < n_categories; ++ci) {
        const double v = ci < s.values.size() && std::isfinite(s.values[ci]) ? s.values[ci] : 0.0;
        const double x0 =
            area.left + band * static_cast<double>(ci) + band * 0.1 + bar * static_cast<double>(si);
        canvas.rect(x0 + 0.5, zero, bar - 1.0, y(v) - zero, "mark bar", colour,
                    s.name + ", " + spec.categories[ci] + ": " +
                        format_with(spec.y_format, v, ticks.step / 100));
      }
      canvas.close_group();
    }
  }
  // A single series is named by the axis label; a legend would only repeat it.
  if (names.size() > 1) draw_legend(canvas, area.left, 46, names, colours, false);
  return canvas.finish();
}

}  // namespace clv::report
