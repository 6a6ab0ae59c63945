#include "report/charts.hpp"

#include <gtest/gtest.h>

#include "chart_test_support.hpp"

namespace clv::report {
namespace {

using testing::count_marks;
using testing::count_occurrences;
using testing::has_non_finite;

ChartText text(const char* kind) {
  return {std::string("t-") + kind, "Title <&>", "Desc"};
}

void expect_well_formed(const std::string& svg, const char* kind) {
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find(std::string("data-chart=\"") + kind + "\""), std::string::npos);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("<title id="), std::string::npos);
  EXPECT_NE(svg.find("<desc id="), std::string::npos);
  EXPECT_NE(svg.find("Title &lt;&amp;&gt;"), std::string::npos);  // escaped
  EXPECT_EQ(svg.find("Title <&>"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_FALSE(has_non_finite(svg)) << svg;
  // Every opened element is closed (the generator writes no self-closing
  // tags except <line .../> and <stop .../>).
  EXPECT_EQ(count_occurrences(svg, "<g "), count_occurrences(svg, "</g>"));
  EXPECT_EQ(count_occurrences(svg, "<rect "), count_occurrences(svg, "</rect>"));
  EXPECT_EQ(count_occurrences(svg, "<text "), count_occurrences(svg, "</text>"));
}

TEST(LineChart, OneLinePerSeriesAndOnePointPerValue) {
  LineChartSpec spec;
  spec.text = text("line");
  spec.x = {0, 1, 2, 3, 4, 5, 6};
  spec.series = {{"actual", {0, 2, 5, 9, 12, 14, 17}, false},
                 {"model", {0, 2.2, 5.1, 8.7, 12, 14.4, 16.5}, true}};
  spec.marker_x = 3;
  spec.marker_label = "end of calibration";
  const std::string svg = line_chart_svg(spec);
  expect_well_formed(svg, "line");
  EXPECT_EQ(count_marks(svg, "line"), 2u);
  EXPECT_EQ(count_marks(svg, "point"), 14u);
  EXPECT_NE(svg.find("stroke-dasharray=\"6 4\""), std::string::npos);  // model is dashed
  EXPECT_NE(svg.find("end of calibration"), std::string::npos);
}

TEST(LineChart, DegenerateDataStaysFinite) {
  LineChartSpec spec;
  spec.text = text("line");
  const std::string empty = line_chart_svg(spec);
  expect_well_formed(empty, "line");
  EXPECT_EQ(count_marks(empty, "point"), 0u);

  spec.x = {5};
  spec.series = {{"only", {3}, false}};
  const std::string single = line_chart_svg(spec);
  expect_well_formed(single, "line");
  EXPECT_EQ(count_marks(single, "point"), 1u);

  spec.x = {0, 1, 2};
  spec.series = {{"flat", {0, 0, 0}, false}};
  expect_well_formed(line_chart_svg(spec), "line");
}

TEST(GroupedBarChart, OneBarPerCategoryAndSeries) {
  GroupedBarChartSpec spec;
  spec.text = text("grouped-bar");
  spec.categories = {"0", "1", "2", "3", "4", "5", "6", "7+"};
  spec.series = {{"actual", {0.2, 0.6, 1.1, 1.5, 2.1, 2.4, 2.9, 4.0}, false},
                 {"model", {0.25, 0.55, 1.0, 1.6, 2.0, 2.5, 3.1, 3.8}, false}};
  const std::string svg = grouped_bar_chart_svg(spec);
  expect_well_formed(svg, "grouped-bar");
  EXPECT_EQ(count_marks(svg, "bar"), 16u);
  EXPECT_NE(svg.find(">7+</text>"), std::string::npos);
}

TEST(GroupedBarChart, AllZeroAndEmpty) {
  GroupedBarChartSpec spec;
  spec.text = text("grouped-bar");
  spec.categories = {"a", "b"};
  spec.series = {{"s", {0, 0}, false}};
  const std::string zeros = grouped_bar_chart_svg(spec);
  expect_well_formed(zeros, "grouped-bar");
  EXPECT_EQ(count_marks(zeros, "bar"), 2u);
  spec.categories.clear();
  spec.series.clear();
  const std::string empty = grouped_bar_chart_svg(spec);
  expect_well_formed(empty, "grouped-bar");
  EXPECT_EQ(count_marks(empty, "bar"), 0u);
}

TEST(HeatMap, OneCellPerGridPointAndAColourLegend) {
  HeatMapSpec spec;
  spec.text = text("heat-map");
  spec.row_labels = {"0", "1", "2", "3"};
  spec.column_labels = {"0", "10", "20", "30", "39"};
  for (int i = 0; i < 20; ++i) spec.values.push_back(i / 19.0);
  spec.value_format.percent = true;
  const std::string svg = heat_map_svg(spec);
  expect_well_formed(svg, "heat-map");
  EXPECT_EQ(count_marks(svg, "cell"), 20u);
  EXPECT_NE(svg.find("<linearGradient"), std::string::npos);
  EXPECT_NE(svg.find("class=\"legend colour-scale\""), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#440154\""), std::string::npos);  // the 0 cell
  EXPECT_NE(svg.find("fill=\"#fde725\""), std::string::npos);  // the 1 cell
  EXPECT_NE(svg.find(">100%</text>"), std::string::npos);
}

TEST(HeatMap, ConstantRangeAndEmptyGrid) {
  HeatMapSpec spec;
  spec.text = text("heat-map");
  spec.row_labels = {"a"};
  spec.column_labels = {"b"};
  spec.values = {0.5};
  spec.min_value = spec.max_value = 0.5;  // zero span must not divide by zero
  expect_well_formed(heat_map_svg(spec), "heat-map");
  spec.row_labels.clear();
  spec.column_labels.clear();
  spec.values.clear();
  const std::string empty = heat_map_svg(spec);
  expect_well_formed(empty, "heat-map");
  EXPECT_EQ(count_marks(empty, "cell"), 0u);
}

TEST(Histogram, OneBarPerBinAndTailNote) {
  HistogramSpec spec;
  spec.text = text("histogram");
  for (int i = 0; i < 100; ++i) spec.values.push_back(i);
  spec.target_bins = 10;
  spec.clip_quantile = 1.0;
  const std::string svg = histogram_svg(spec);
  expect_well_formed(svg, "histogram");
  EXPECT_EQ(count_marks(svg, "bar"), 10u);
  EXPECT_EQ(svg.find("counted in the last bar"), std::string::npos);

  spec.values.push_back(1e7);
  spec.clip_quantile = 0.98;
  const std::string tail = histogram_svg(spec);
  expect_well_formed(tail, "histogram");
  EXPECT_NE(tail.find("1 customers above"), std::string::npos);
}

TEST(Histogram, EmptyAndConstant) {
  HistogramSpec spec;
  spec.text = text("histogram");
  const std::string empty = histogram_svg(spec);
  expect_well_formed(empty, "histogram");
  EXPECT_EQ(count_marks(empty, "bar"), 0u);
  spec.values = std::vector<double>(30, 12.5);
  const std::string constant = histogram_svg(spec);
  expect_well_formed(constant, "histogram");
  EXPECT_GE(count_marks(constant, "bar"), 1u);
}

TEST(ConcentrationChart, CurveAndTenDecilePoints) {
  ConcentrationSpec spec;
  spec.text = text("concentration");
  for (int i = 1; i <= 500; ++i) spec.values.push_back(i * i);
  const std::string svg = concentration_chart_svg(spec);
  expect_well_formed(svg, "concentration");
  EXPECT_EQ(count_marks(svg, "line"), 1u);
  EXPECT_EQ(count_marks(svg, "point"), 10u);
  // The top 10% of i^2 for i <= 500 hold 27.1% of the total.
  EXPECT_NE(svg.find("top 10% of customers hold 27.1% of value"), std::string::npos);
}

TEST(ConcentrationChart, ZeroTotalDrawsNoPoints) {
  ConcentrationSpec spec;
  spec.text = text("concentration");
  spec.values = {0, 0, 0};
  const std::string svg = concentration_chart_svg(spec);
  expect_well_formed(svg, "concentration");
  EXPECT_EQ(count_marks(svg, "point"), 0u);
}

TEST(ForestPlot, IntervalAndPointPerRowColouredBySign) {
  ForestPlotSpec spec;
  spec.text = text("forest");
  spec.value_label = "change in CLV";
  spec.rows = {{"win-back email", 1200, 400, 2100},
               {"price rise", -800, -1500, -90},
               {"loyalty tier", 150, -300, 700}};
  const std::string svg = forest_plot_svg(spec);
  expect_well_formed(svg, "forest");
  EXPECT_EQ(count_marks(svg, "interval"), 3u);
  EXPECT_EQ(count_marks(svg, "point"), 3u);
  EXPECT_NE(svg.find("stroke=\"#0072B2\""), std::string::npos);  // a sure gain
  EXPECT_NE(svg.find("stroke=\"#D55E00\""), std::string::npos);  // a sure loss
  EXPECT_NE(svg.find("stroke=\"#6b7280\""), std::string::npos);  // crosses zero
  expect_well_formed(forest_plot_svg({text("forest"), "x", {}, 0.0, {}}), "forest");
}

TEST(SignedBarChart, BarsCarrySignClassesAndValueLabels) {
  SignedBarSpec spec;
  spec.text = text("signed-bar");
  spec.value_label = "effect";
  spec.names = {"complaints", "tenure", "late deliveries", "discount"};
  spec.values = {0.42, -0.3, 0.12, -0.05};
  const std::string svg = signed_bar_chart_svg(spec);
  expect_well_formed(svg, "signed-bar");
  EXPECT_EQ(count_marks(svg, "bar"), 4u);
  EXPECT_EQ(testing::count_occurrences(svg, "class=\"mark bar positive\""), 2u);
  EXPECT_EQ(testing::count_occurrences(svg, "class=\"mark bar negative\""), 2u);
  EXPECT_NE(svg.find(">complaints</text>"), std::string::npos);
  SignedBarSpec zeros = spec;
  zeros.values = {0, 0, 0, 0};
  expect_well_formed(signed_bar_chart_svg(zeros), "signed-bar");
}

}  // namespace
}  // namespace clv::report
