#include "report/chart_axes.hpp"

#include <algorithm>
#include <cmath>

#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

std::string format_with(const TickFormat& format, double value, double step) {
  if (format.percent) {
    // Percent ticks need two fewer decimals than the fraction they show.
    const std::string label = format_tick(value * 100.0, step * 100.0);
    return label + "%";
  }
  std::string label = format_tick(value, step);
  if (format.prefix.empty()) return label;
  if (!label.empty() && label[0] == '-') return "-" + format.prefix + label.substr(1);
  return format.prefix + label;
}

void draw_y_value_axis(SvgCanvas& canvas, const PlotArea& area, const Ticks& ticks,
                       const LinearScale& y, std::string_view label, const TickFormat& format) {
  canvas.open_group("axis y-axis");
  for (double v : ticks.values) {
    const double py = y(v);
    canvas.line(area.left, py, area.right, py, "grid", kGridColour);
    canvas.text(area.left - 8, py + 4, format_with(format, v, ticks.step), "tick-label", "end");
  }
  canvas.line(area.left, area.top, area.left, area.bottom, "domain", kInkColour);
  if (!label.empty()) {
    const double cx = 16;
    const double cy = (area.top + area.bottom) / 2;
    canvas.text(cx, cy, label, "axis-label", "middle", -90.0);
  }
  canvas.close_group();
}

void draw_x_value_axis(SvgCanvas& canvas, const PlotArea& area, const Ticks& ticks,
                       const LinearScale& x, std::string_view label, const TickFormat& format,
                       bool grid) {
  canvas.open_group("axis x-axis");
  for (double v : ticks.values) {
    const double px = x(v);
    if (grid) canvas.line(px, area.top, px, area.bottom, "grid", kGridColour);
    canvas.line(px, area.bottom, px, area.bottom + 5, "tick", kInkColour);
    canvas.text(px, area.bottom + 18, format_with(format, v, ticks.step), "tick-label", "middle");
  }
  canvas.line(area.left, area.bottom, area.right, area.bottom, "domain", kInkColour);
  if (!label.empty()) {
    canvas.text((area.left + area.right) / 2, area.bottom + 38, label, "axis-label", "middle");
  }
  canvas.close_group();
}

void draw_x_category_axis(SvgCanvas& canvas, const PlotArea& area,
                          const std::vector<std::string>& categories, std::string_view label) {
  canvas.open_group("axis x-axis");
  const size_t n = categories.size();
  if (n > 0) {
    const double band = area.width() / static_cast<double>(n);
    size_t longest = 1;
    for (const auto& c : categories) longest = std::max(longest, c.size());
    // ~7 units per character at 12px; show every k-th label so they fit.
    const double needed = static_cast<double>(longest) * 7.0 + 6.0;
    const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(needed / band)));
    for (size_t i = 0; i < n; ++i) {
      if (i % every != 0) continue;
      const double cx = area.left + band * (static_cast<double>(i) + 0.5);
      canvas.text(cx, area.bottom + 18, categories[i], "tick-label", "middle");
    }
  }
  canvas.line(area.left, area.bottom, area.right, area.bottom, "domain", kInkColour);
  if (!label.empty()) {
    canvas.text((area.left + area.right) / 2, area.bottom + 38, label, "axis-label", "middle");
  }
  canvas.close_group();
}

void draw_legend(SvgCanvas& canvas, double x, double y, const std::vector<std::string>& names,
                 const std::vector<std::string>& colours, bool line_style) {
  canvas.open_group("legend");
  double cursor = x;
  for (size_t i = 0; i < names.size() && i < colours.size(); ++i) {
    if (line_style) {
      canvas.line(cursor, y - 4, cursor + 18, y - 4, "legend-swatch", colours[i], 3.0);
    } else {
      canvas.rect(cursor + 4, y - 10, 12, 12, "legend-swatch", colours[i]);
    }
    canvas.text(cursor + 24, y, names[i], "legend-label");
    cursor += 24 + static_cast<double>(names[i].size()) * 7.0 + 18;
  }
  canvas.close_group();
}

void draw_chart_title(SvgCanvas& canvas, std::string_view title) {
  canvas.text(12, 22, title, "chart-title");
}

}  // namespace clv::report
