// Axes, grid lines and legends shared by every chart kind, so that all
// charts in a report look alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/scale.hpp"
#include "report/svg_canvas.hpp"

namespace clv::report {

inline constexpr double kChartWidth = 640;
inline constexpr double kChartHeight = 360;

// The standard plot rectangle: room for the title and legend above, tick
// labels and the axis label below and to the left.
inline PlotArea plot_area(double width, double height, double left_margin = 72) {
  return {left_margin, 64, width - 24, height - 52};
}

// How tick values are printed: plain numbers, percentages (value is a
// fraction) or money with a currency prefix.
struct TickFormat {
  bool percent = false;
  std::string prefix;  // e.g. "$"
};

std::string format_with(const TickFormat& format, double value, double step);

// Left value axis with horizontal grid lines across the plot area.
void draw_y_value_axis(SvgCanvas& canvas, const PlotArea& area, const Ticks& ticks,
                       const LinearScale& y, std::string_view label, const TickFormat& format);

// Bottom value axis; `grid` adds vertical grid lines.
void draw_x_value_axis(SvgCanvas& canvas, const PlotArea& area, const Ticks& ticks,
                       const LinearScale& x, std::string_view label, const TickFormat& format,
                       bool grid);

// Bottom category axis: one label centred under each band. Labels are
// thinned when they would overlap.
void draw_x_category_axis(SvgCanvas& canvas, const PlotArea& area,
                          const std::vector<std::string>& categories, std::string_view label);

// A row of coloured swatches with names, starting at (x, y). `line_style`
// draws short lines instead of squares (for line charts).
void draw_legend(SvgCanvas& canvas, double x, double y, const std::vector<std::string>& names,
                 const std::vector<std::string>& colours, bool line_style);

// Chart title drawn inside the SVG, so that a saved or copied chart keeps it.
void draw_chart_title(SvgCanvas& canvas, std::string_view title);

}  // namespace clv::report
