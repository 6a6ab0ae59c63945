// Heat map: a grid of cells coloured on the viridis ramp with the value
// printed in each cell when it fits, plus a colour-scale legend bar.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/charts.hpp"
#include "report/palette.hpp"
#include "report/svg_text.hpp"

namespace clv::report {

namespace {

constexpr int kLegendStops = 9;

}  // namespace

std::string heat_map_svg(const HeatMapSpec& spec) {
  // Rows about 26 units tall so that the value labels fit in each cell.
  const double height =
      std::clamp(44.0 + 52.0 + 26.0 * static_cast<double>(spec.row_labels.size()), 240.0, 600.0);
  SvgCanvas canvas("heat-map", spec.text.id, spec.width, height, spec.text.title,
                   spec.text.description);
  draw_chart_title(canvas, spec.text.title);
  // Room on the right for the colour legend.
  PlotArea area = plot_area(spec.width, height);
  area.right -= 70;
  area.top = 44;

  const size_t rows = spec.row_labels.size();
  const size_t cols = spec.column_labels.size();
  const double span = spec.max_value - spec.min_value;
  const auto normalized = [&](double v) {
    return span > 0 && std::isfinite(span) ? (v - spec.min_value) / span : 0.5;
  };

  if (rows > 0 && cols > 0) {
    const double cell_w = area.width() / static_cast<double>(cols);
    const double cell_h = area.height() / static_cast<double>(rows);
    const bool show_values = cell_w >= 30 && cell_h >= 16;
    canvas.open_group("cells");
    for (size_t r = 0; r < rows; ++r) {
      // Row 0 at the bottom, as on a y axis.
      const double y0 = area.bottom - cell_h * static_cast<double>(r + 1);
      for (size_t c = 0; c < cols; ++c) {
        const size_t index = r * cols + c;
        const double v = index < spec.values.size() && std::isfinite(spec.values[index])
                             ? spec.values[index]
                             : spec.min_value;
        const double t = normalized(v);
        const double x0 = area.left + cell_w * static_cast<double>(c);
        const std::string label = format_with(spec.value_format, v, span / 100);
        canvas.rect(x0, y0, cell_w, cell_h, "mark cell", sequential_colour(t),
                    spec.row_axis_label + " " + spec.row_labels[r] + ", " + spec.column_axis_label +
                        " " + spec.column_labels[c] + ": " + label);
        if (show_values) {
          canvas.text(x0 + cell_w / 2, y0 + cell_h / 2 + 4,
                      format_with(spec.value_format, v, span / 10), "cell-label", "middle", 0.0,
                      text_colour_on_sequential(t));
        }
      }
    }
    canvas.close_group();

    // Row labels on the left, thinned like category labels.
    canvas.open_group("axis y-axis");
    const size_t every_row = std::max<size_t>(1, static_cast<size_t>(std::ceil(14.0 / cell_h)));
    for (size_t r = 0; r < rows; r += every_row) {
      const double cy = area.bottom - cell_h * (static_cast<double>(r) + 0.5);
      canvas.text(area.left - 8, cy + 4, spec.row_labels[r], "tick-label", "end");
    }
    canvas.text(16, (area.top + area.bottom) / 2, spec.row_axis_label, "axis-label", "middle",
                -90.0);
    canvas.close_group();
  }
  draw_x_category_axis(canvas, area, spec.column_labels, spec.column_axis_label);

  // Colour scale legend: a vertical gradient with min, middle and max.
  const double lx = area.right + 24, lw = 16, ly = area.top, lh = area.height();
  const std::string gradient_id = spec.text.id + "-scale";
  std::string defs =
      fmt::format("<defs><linearGradient id=\"{}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
                  escape_xml(gradient_id));
  for (int i = 0; i < kLegendStops; ++i) {
    const double t = static_cast<double>(i) / (kLegendStops - 1);
    defs += fmt::format("<stop offset=\"{}\" stop-color=\"{}\"/>", coord(t), sequential_colour(t));
  }
  defs += "</linearGradient></defs>";
  canvas.raw(defs);
  canvas.open_group("legend colour-scale");
  canvas.rect(lx, ly, lw, lh, "legend-bar", "url(#" + gradient_id + ")");
  const Ticks legend_ticks = nice_ticks(spec.min_value, spec.max_value, 4);
  const LinearScale ls(spec.min_value, spec.max_value, ly + lh, ly);
  for (double v : legend_ticks.values) {
    if (v < spec.min_value - 1e-12 || v > spec.max_value + 1e-12) continue;
    canvas.line(lx + lw, ls(v), lx + lw + 4, ls(v), "tick", kInkColour);
    canvas.text(lx + lw + 6, ls(v) + 4, format_with(spec.value_format, v, legend_ticks.step),
                "tick-label");
  }
  canvas.text(lx + lw / 2, ly - 8, spec.value_label, "legend-label", "middle");
  canvas.close_group();
  return canvas.finish();
}

}  // namespace clv::report
