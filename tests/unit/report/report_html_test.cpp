#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>

#include "chart_test_support.hpp"
#include "clv/error.hpp"
#include "clv/report.hpp"

namespace clv {
namespace {

using report::testing::count_marks;
using report::testing::count_occurrences;
using report::testing::has_non_finite;

ReportData full_data() {
  ReportData d;
  d.metadata.title = "Test <report>";
  d.metadata.model = "bgnbd";
  d.metadata.param_names = {"r", "alpha", "a", "b"};
  d.metadata.params = {0.243, 4.414, 0.793, 2.426};
  d.metadata.time_unit = TimeUnit::week();
  d.metadata.generated_at = "2026-11-23 20:00 UTC";
  d.summary = {{"customers", "2,357"}, {"log-likelihood", "-9582.4"}};
  PurchasesOverTime p;
  for (int w = 0; w <= 78; ++w) {
    p.period.push_back(w);
    p.actual.push_back(w * 60.0);
    p.fitted.push_back(w * 59.0);
  }
  p.calibration_end = 39;
  d.purchases = p;
  d.calibration =
      CalibrationHoldout{{"0", "1", "2", "3+"}, {0.2, 0.7, 1.2, 2.5}, {0.25, 0.6, 1.3, 2.4}};
  AliveHeatMap a;
  a.frequency_labels = {"0", "1", "2"};
  a.recency_labels = {"0", "13", "26", "39"};
  a.probability = {1, 1, 1, 1, 0.3, 0.5, 0.7, 0.9, 0.1, 0.3, 0.6, 0.95};
  d.alive = a;
  ClvDistribution c;
  for (int i = 0; i < 1000; ++i) c.clv.push_back(std::pow(1.01, i));
  c.currency = "$";
  d.clv = c;
  d.churn =
      ChurnRisk{{{"new", 0.4, 100}, {"loyal", 0.1, 300}}, {{"complaints", 0.5}, {"tenure", -0.2}}};
  d.scenarios = ScenarioComparison{{{"email", 100, 20, 180}, {"discount", -20, -60, 10}}};
  return d;
}

TEST(ReportHtml, FullReportHasEveryChartWithMarks) {
  const std::string html = render_report_html(full_data());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_FALSE(has_non_finite(html));
  for (const char* id : {"chart-purchases", "chart-purchases-period", "chart-calibration",
                         "chart-alive", "chart-clv-histogram", "chart-clv-concentration",
                         "chart-churn-segments", "chart-churn-drivers", "chart-scenarios"}) {
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_EQ(count_occurrences(html, "<svg "), 9u);
  EXPECT_EQ(count_marks(html, "cell"), 12u);
  EXPECT_EQ(count_marks(html, "interval"), 2u);
  EXPECT_EQ(count_occurrences(html, "class=\"note\""), 0u);
  // Self-contained: nothing is fetched from anywhere.
  EXPECT_EQ(html.find("http://", html.find("<body")), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  // Metadata and summary are shown, and the title is escaped.
  EXPECT_NE(html.find("<title>Test &lt;report&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("bgnbd"), std::string::npos);
  EXPECT_NE(html.find("week (7 days)"), std::string::npos);
  EXPECT_NE(html.find("4.414"), std::string::npos);
  EXPECT_NE(html.find("-9582.4"), std::string::npos);
  EXPECT_NE(html.find("data-rendered=\"pending\""), std::string::npos);
}

// The <svg> element with the given id.
std::string chart_svg(const std::string& html, const std::string& id) {
  const size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</svg>", at) - at);
}

TEST(ReportHtml, PurchasesAreDrawnCumulativeAndPerPeriodFromEitherView) {
  ReportData per_period;
  per_period.purchases = PurchasesOverTime{{1, 2, 3}, {1, 2, 3}, {2, 2, 2}, false, 2, ""};
  ReportData cumulative;
  cumulative.purchases = PurchasesOverTime{{1, 2, 3}, {1, 3, 6}, {2, 4, 6}, true, 2, ""};
  for (const ReportData& d : {per_period, cumulative}) {
    const std::string html = render_report_html(d);
    const std::string total = chart_svg(html, "chart-purchases");
    const std::string step = chart_svg(html, "chart-purchases-period");
    // Tooltips: "series: x -> value".
    EXPECT_NE(total.find("actual: 3.00 -&gt; 6.00<"), std::string::npos);
    EXPECT_NE(total.find("model: 3.00 -&gt; 6.00<"), std::string::npos);
    EXPECT_NE(step.find("actual: 3.00 -&gt; 3.00<"), std::string::npos);
    EXPECT_NE(step.find("model: 3.00 -&gt; 2.00<"), std::string::npos);
    for (const std::string* svg : {&total, &step}) {
      EXPECT_NE(svg->find("end of calibration"), std::string::npos);
      EXPECT_EQ(count_marks(*svg, "point"), 6u);
    }
  }
  // A shorter last period (half a week) is drawn as a rate per week.
  ReportData partial;
  partial.purchases = PurchasesOverTime{{1, 2, 2.5}, {1, 2, 1}, {2, 2, 1}, false, 2, ""};
  const std::string html = render_report_html(partial);
  EXPECT_NE(chart_svg(html, "chart-purchases-period").find("actual: 2.50 -&gt; 2.000<"),
            std::string::npos);
  EXPECT_NE(chart_svg(html, "chart-purchases").find("actual: 2.50 -&gt; 4.00<"), std::string::npos);
  EXPECT_NE(html.find("Shorter periods (split at the end of calibration or at the end of the "
                      "data) are shown as a rate per week."),
            std::string::npos);
  EXPECT_EQ(render_report_html(per_period).find("Shorter periods"), std::string::npos);
  // Without the data, the section says what it needs.
  const std::string empty = render_report_html(ReportData{});
  EXPECT_NE(empty.find("--calibration-end"), std::string::npos);
}

TEST(ReportHtml, DecileTableMatchesTheData) {
  ReportData d;
  d.clv = ClvDistribution{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, ""};  // total 55
  const std::string html = render_report_html(d);
  // Top 10% = 10/55 = 18.2%, top 50% = 40/55 = 72.7%.
  EXPECT_NE(html.find("<th class=\"num\">top 10%</th>"), std::string::npos);
  EXPECT_NE(
      html.find("share of value</th><td class=\"num\">18.2%</td><td class=\"num\">34.5%</td>"),
      std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">72.7%</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">median</th><td class=\"num\">5.50</td>"),
            std::string::npos);
}

TEST(ReportHtml, ScenarioTableShowsCostNetBenefitAndRoi) {
  ReportData d;
  ScenarioResult paid{"paid", 100, 20, 180};
  paid.delta_clv = ReportInterval{500, 420, 580};
  paid.cost = 400;
  paid.roi = ReportInterval{0.25, 0.05, 0.45};
  ScenarioResult free{"free", 30, -10, 70};
  free.delta_clv = ReportInterval{30, -10, 70};
  d.scenarios = ScenarioComparison{{paid, free}};
  const std::string html = render_report_html(d);
  EXPECT_NE(html.find("<th class=\"num\">net benefit</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>paid</td><td class=\"num\">500.00 (420.00 to 580.00)</td><td "
                      "class=\"num\">400.00</td><td class=\"num\">100.00</td><td "
                      "class=\"num\">20.00 to 180.00</td><td class=\"num\">0.25 (0.05 to "
                      "0.45)</td></tr>"),
            std::string::npos)
      << html;
  // No cost given: said so in cost, net benefit and ROI, never 0, inf or the
  // change in CLV repeated as a net benefit.
  EXPECT_NE(html.find("<td>free</td><td class=\"num\">30.00 (-10.00 to 70.00)</td><td "
                      "class=\"num\">no cost given</td><td class=\"num\">no cost given</td><td "
                      "class=\"num\">-</td><td class=\"num\">no cost given</td></tr>"),
            std::string::npos)
      << html;
  d.scenarios->scenarios[0].roi->upper = std::numeric_limits<double>::infinity();
  EXPECT_THROW(render_report_html(d), Error);
}

TEST(ReportHtml, AbsentSectionsBecomeNotes) {
  ReportData d;  // nothing but defaults
  const std::string html = render_report_html(d);
  EXPECT_EQ(count_occurrences(html, "<svg "), 0u);
  EXPECT_EQ(count_occurrences(html, "class=\"note\""), 8u);
  EXPECT_FALSE(has_non_finite(html));

  ReportData only_churn;
  only_churn.churn = ChurnRisk{{{"a", 0.2, 10}}, {}};
  const std::string partial = render_report_html(only_churn);
  EXPECT_EQ(count_occurrences(partial, "<svg "), 1u);
  EXPECT_NE(partial.find("Churn drivers: not available"), std::string::npos);
}

TEST(ReportHtml, NonPositiveTotalClvSkipsConcentration) {
  ReportData d;
  d.clv = ClvDistribution{{-5, 2, 1}, ""};
  const std::string html = render_report_html(d);
  EXPECT_NE(html.find("chart-clv-histogram"), std::string::npos);
  EXPECT_EQ(html.find("chart-clv-concentration"), std::string::npos);
  EXPECT_NE(html.find("total CLV is not positive"), std::string::npos);
}

TEST(ReportHtml, UserTextIsEscapedEverywhere) {
  ReportData d = full_data();
  const std::string evil = "<script>alert('x')</script>";
  d.metadata.model = evil;
  d.summary.push_back({evil, evil});
  d.churn->segments[0].segment = evil;
  d.churn->drivers[0].name = evil;
  d.scenarios->scenarios[0].name = evil;
  d.calibration->frequency_labels[0] = evil;
  const std::string html = render_report_html(d);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  // Only our own render-check script.
  EXPECT_EQ(count_occurrences(html, "<script>"), 1u);
}

void expect_invalid(const ReportData& d, const std::string& fragment) {
  try {
    render_report_html(d);
    ADD_FAILURE() << "expected an error mentioning " << fragment;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ReportHtml, InconsistentDataIsRejectedWithTheFieldNamed) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ReportData d = full_data();
  d.purchases->fitted.pop_back();
  expect_invalid(d, "purchases.fitted");

  d = full_data();
  d.clv->clv[3] = nan;
  expect_invalid(d, "clv.clv[3]");

  d = full_data();
  d.alive->probability[2] = 1.5;
  expect_invalid(d, "alive.probability[2]");

  d = full_data();
  d.alive->recency_labels.pop_back();
  expect_invalid(d, "alive.probability");

  d = full_data();
  d.scenarios->scenarios[1].lower = 0;  // above the estimate -20
  expect_invalid(d, "discount");

  d = full_data();
  d.scenarios->interval_level = 90;
  expect_invalid(d, "interval_level");

  d = full_data();
  d.churn->drivers[1].effect = std::numeric_limits<double>::infinity();
  expect_invalid(d, "churn.drivers[1]");

  d = full_data();
  d.metadata.params.pop_back();
  expect_invalid(d, "metadata.params");
}

TEST(WriteReport, WritesTheRenderedFile) {
  const std::string path = ::testing::TempDir() + "/clv_report_unit.html";
  const ReportData d = full_data();
  write_report(d, path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  EXPECT_EQ(buffer.str(), render_report_html(d));
  std::filesystem::remove(path);
}

TEST(WriteReport, UnwritablePathIsAnIoError) {
  try {
    write_report(full_data(), "/nonexistent-dir/for/sure/report.html");
    ADD_FAILURE() << "expected Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/for/sure/report.html"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace clv
