// Forest plot: one row per scenario, a horizontal interval with a dot at the
// point estimate, and a vertical "no change" reference line.
#include <algorithm>
#include <cmath>

#include "report/charts.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string forest_plot_svg(const ForestPlotSpec& spec) {
  const double row_height = 34;
  const double height =
      std::max(kChartHeight * 0.6, 64 + 52 + row_height * static_cast<double>(spec.rows.size()));
  size_t longest = 8;
  for (const auto& r : spec.rows) longest = std::max(longest, r.name.size());
  const double left = std::min(260.0, 20.0 + 7.0 * static_cast<double>(longest));
  const double width = spec.width;
  SvgCanvas canvas("forest", spec.text.id, width, height, spec.text.title, spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  PlotArea area = plot_area(width, height, left);
  area.top = 48;

  double lo = spec.reference, hi = spec.reference;
  for (const auto& r : spec.rows) {
    lo = std::min({lo, r.lower, r.estimate});
    hi = std::max({hi, r.upper, r.estimate});
  }
  const Ticks ticks = nice_ticks(lo, hi, 6);
  const LinearScale x(ticks.lo, ticks.hi, area.left, area.right);
  draw_x_value_axis(canvas, area, ticks, x, spec.value_label, spec.value_format, true);
  canvas.line(x(spec.reference), area.top, x(spec.reference), area.bottom, "reference", kInkColour,
              1.5);

  const double band =
      spec.rows.empty() ? row_height : area.height() / static_cast<double>(spec.rows.size());
  canvas.open_group("series");
  for (size_t i = 0; i < spec.rows.size(); ++i) {
    const ForestRow& r = spec.rows[i];
    const double cy = area.top + band * (static_cast<double>(i) + 0.5);
    const bool helps = r.lower > spec.reference;
    const bool hurts = r.upper < spec.reference;
    const std::string colour = hurts ? kPositiveColour : (helps ? kNegativeColour : "#6b7280");
    canvas.text(area.left - 10, cy + 4, r.name, "row-label", "end");
    const std::string tooltip = r.name + ": " + format_with(spec.value_format, r.estimate, 0.01) +
                                " (" + format_with(spec.value_format, r.lower, 0.01) + " to " +
                                format_with(spec.value_format, r.upper, 0.01) + ")";
    canvas.line(x(r.lower), cy, x(r.upper), cy, "mark interval", colour, 3.0);
    canvas.line(x(r.lower), cy - 6, x(r.lower), cy + 6, "whisker", colour, 2.0);
    canvas.line(x(r.upper), cy - 6, x(r.upper), cy + 6, "whisker", colour, 2.0);
    canvas.rect(x(r.estimate) - 5, cy - 5, 10, 10, "mark point", colour, tooltip);
  }
  canvas.close_group();
  return canvas.finish();
}

}  // namespace clv::report
