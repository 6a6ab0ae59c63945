// Histogram of per-customer values with nice bin edges; the long right tail
// is folded into the last bar and said so in the chart.
#include <algorithm>
#include <cmath>

#include "report/charts.hpp"
#include "report/distribution_stats.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string histogram_svg(const HistogramSpec& spec) {
  SvgCanvas canvas("histogram", spec.text.id, kChartWidth, kChartHeight, spec.text.title,
                   spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  const PlotArea area = plot_area(kChartWidth, kChartHeight);
  const HistogramBins bins = histogram_bins(spec.values, spec.target_bins, spec.clip_quantile);

  double max_count = 0.0;
  for (double c : bins.counts) max_count = std::max(max_count, c);
  const Ticks y_ticks = nice_ticks(0.0, max_count, 5);
  const LinearScale y(y_ticks.lo, y_ticks.hi, area.bottom, area.top);
  draw_y_value_axis(canvas, area, y_ticks, y, "customers", {});

  const double hi = bins.lo + bins.width * static_cast<double>(bins.counts.size());
  const Ticks x_ticks = nice_ticks(bins.lo, hi, 6);
  const LinearScale x(bins.lo, hi, area.left, area.right);
  Ticks visible = x_ticks;
  visible.values.erase(
      std::remove_if(visible.values.begin(), visible.values.end(),
                     [&](double v) { return v < bins.lo - 1e-9 || v > hi + 1e-9; }),
      visible.values.end());
  draw_x_value_axis(canvas, area, visible, x, spec.x_label, spec.x_format, false);

  const std::string colour = series_colour(0);
  canvas.open_group("series");
  for (size_t i = 0; i < bins.counts.size(); ++i) {
    const double left = bins.lo + bins.width * static_cast<double>(i);
    const double right = left + bins.width;
    const bool last = i + 1 == bins.counts.size();
    std::string tooltip =
        format_with(spec.x_format, left, bins.width) + " to " +
        (last && bins.clipped_count > 0 ? "max" : format_with(spec.x_format, right, bins.width)) +
        ": " + format_number(bins.counts[i], 0) + " customers";
    canvas.rect(x(left) + 0.5, y(0.0), x(right) - x(left) - 1.0, y(bins.counts[i]) - y(0.0),
                "mark bar", colour, tooltip);
  }
  canvas.close_group();
  if (bins.clipped_count > 0) {
    canvas.text(area.right, 46,
                format_number(bins.clipped_count, 0) + " customers above " +
                    format_with(spec.x_format, bins.clipped_above, bins.width) +
                    " are counted in the last bar",
                "annotation", "end");
  }
  return canvas.finish();
}

}  // namespace clv::report
