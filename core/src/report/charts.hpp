// The chart kinds of the report. Each takes a plain description of what to
// draw and returns one <svg data-chart="<kind>"> element; the data is
// validated by the caller (report_data_check), and these functions cope
// with degenerate input (empty series, a single point, equal values) without
// producing NaN or dividing by zero.
//
// Marks per chart, which the tests count:
//   line:          one "mark line" per series, one "mark point" per finite value
//   grouped-bar:   one "mark bar" per category x series
//   heat-map:      one "mark cell" per grid cell
//   histogram:     one "mark bar" per bin
//   concentration: one "mark line" (the curve), one "mark point" per decile
//   forest:        one "mark interval" and one "mark point" per row
//   signed-bar:    one "mark bar" per item
#pragma once

#include <string>
#include <vector>

#include "report/chart_axes.hpp"

namespace clv::report {

struct ChartText {
  std::string id;           // unique in the document
  std::string title;        // drawn in the chart and used as <title>
  std::string description;  // <desc>: what the chart shows, for screen readers
};

struct Series {
  std::string name;
  std::vector<double> values;
  bool dashed = false;
};

struct LineChartSpec {
  ChartText text;
  std::string x_label, y_label;
  std::vector<double> x;
  std::vector<Series> series;  // each the same length as x
  TickFormat y_format;
  double marker_x = -1.0;  // vertical reference line when >= 0 and in range
  std::string marker_label;
};
std::string line_chart_svg(const LineChartSpec& spec);

struct GroupedBarChartSpec {
  ChartText text;
  std::string x_label, y_label;
  std::vector<std::string> categories;
  std::vector<Series> series;  // each one value per category
  TickFormat y_format;
};
std::string grouped_bar_chart_svg(const GroupedBarChartSpec& spec);

struct HeatMapSpec {
  ChartText text;
  std::string row_axis_label, column_axis_label, value_label;
  std::vector<std::string> row_labels;     // drawn bottom (first) to top (last)
  std::vector<std::string> column_labels;  // left to right
  std::vector<double> values;              // row-major
  double min_value = 0.0, max_value = 1.0;
  TickFormat value_format;
  double width = kChartWidth;  // wider for a full-width figure
};
std::string heat_map_svg(const HeatMapSpec& spec);

struct HistogramSpec {
  ChartText text;
  std::string x_label;
  std::vector<double> values;
  int target_bins = 24;
  double clip_quantile = 0.99;  // values above it are counted in the last bar
  TickFormat x_format;
};
std::string histogram_svg(const HistogramSpec& spec);

struct ConcentrationSpec {
  ChartText text;
  std::vector<double> values;  // per customer; total must be > 0
};
std::string concentration_chart_svg(const ConcentrationSpec& spec);

struct ForestRow {
  std::string name;
  double estimate = 0, lower = 0, upper = 0;
};
struct ForestPlotSpec {
  ChartText text;
  std::string value_label;
  std::vector<ForestRow> rows;
  double reference = 0.0;  // "no change" line
  TickFormat value_format;
  double width = kChartWidth;
};
std::string forest_plot_svg(const ForestPlotSpec& spec);

struct SignedBarSpec {
  ChartText text;
  std::string value_label;
  std::vector<std::string> names;
  std::vector<double> values;
  TickFormat value_format;
};
std::string signed_bar_chart_svg(const SignedBarSpec& spec);

}  // namespace clv::report
