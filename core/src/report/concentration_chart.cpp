// Concentration curve: customers ranked by value (highest first) on x, the
// cumulative share of total value they hold on y, against the diagonal of
// perfect equality. Dots mark each decile.
#include <algorithm>
#include <cmath>
#include <functional>

#include "report/charts.hpp"
#include "report/distribution_stats.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string concentration_chart_svg(const ConcentrationSpec& spec) {
  SvgCanvas canvas("concentration", spec.text.id, kChartWidth, kChartHeight, spec.text.title,
                   spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  const PlotArea area = plot_area(kChartWidth, kChartHeight);
  const Ticks ticks = nice_ticks(0.0, 1.0, 5);
  const LinearScale x(0.0, 1.0, area.left, area.right);
  const LinearScale y(0.0, 1.0, area.bottom, area.top);
  const TickFormat percent{true, ""};
  draw_y_value_axis(canvas, area, ticks, y, "share of total value", percent);
  draw_x_value_axis(canvas, area, ticks, x, "share of customers, highest value first", percent,
                    false);

  canvas.line(x(0), y(0), x(1), y(1), "reference", "#6b7280", 1.0, "4 3");
  canvas.text(x(0.62), y(0.55), "equal value per customer", "annotation", "start");

  std::vector<double> sorted = spec.values;
  if (!std::is_sorted(sorted.begin(), sorted.end(), std::greater<double>())) {
    std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  }
  double total = 0.0;
  for (double v : sorted) total += v;
  const auto curve = concentration_curve(sorted, total, 200);
  std::vector<double> xs, ys;
  for (const auto& [f, share] : curve) {
    xs.push_back(x(f));
    ys.push_back(y(share));
  }
  const std::string colour = series_colour(0);
  canvas.open_group("series");
  canvas.polyline(xs.data(), ys.data(), xs.size(), "mark line", colour, 2.5,
                  "cumulative share of value");
  if (!curve.empty()) {
    for (int d = 1; d <= 10; ++d) {
      const double f = d / 10.0;
      const double share = top_share(sorted, total, f);
      canvas.circle(x(f), y(share), 4.0, "mark point", colour,
                    "top " + format_percent(f, 0) + " of customers hold " + format_percent(share) +
                        " of value");
      if (d <= 3) {
        canvas.text(x(f) + 6, y(share) + 16, format_percent(share, 0), "point-label");
      }
    }
  }
  canvas.close_group();
  return canvas.finish();
}

}  // namespace clv::report
