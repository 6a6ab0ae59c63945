// The report's "Service by site" section in a real browser (headless
// Chromium): the ranked chart renders with one bar per site, the table and
// the literature's figures are there; a screenshot of the section is kept
// as an artifact (docs/service_report.png is one).
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "browser_support.hpp"
#include "clv/report.hpp"

namespace fs = std::filesystem;

namespace {

using namespace clv::testing::browser;

clv::ReportData service_report() {
  clv::ReportData d;
  d.metadata.title = "Service by site";
  clv::ServiceSection s;
  s.by = "site";
  s.rows = {{"hotel-rome", "south-eu", 162, 30.2, 0.18, 3.16, 1.9, 1244, 2, 2, ""},
            {"hotel-denver", "us-west", 286, 37.1, 0.18, 3.58, 0.8, 2936, 1, 1, ""},
            {"hotel-lisbon", "south-eu", 149, 21.5, 0.28, 3.27, 0.2, 962, 1, 2, ""},
            {"hotel-vienna", "north-eu", 427, 32.6, 0.25, 0.0, -0.4, 4226, 1, 1, ""},
            {"hotel-chicago", "us-east", 232, 25.0, 0.22, 2.93, -1.1, 1532, 1, 2, ""},
            {"online", "", 510, 12.0, 0.31, 3.40, -0.2, 2210, 0, 0,
             "'online' is a virtual channel, not a site of one region: not ranked within a "
             "region"}};
  s.total_attributable_churn = 6.3;
  s.figures = {
      "Bought again after an incident: 73% when resolved within the SLA; the service "
      "literature quotes 82%.",
      "Never bought again after a severity-5 or satisfaction-1 incident: 39%; the "
      "literature quotes 91%."};
  clv::ServiceWordOfMouth w;
  w.satisfied_label = "Satisfied customers (mean survey >= 4)";
  w.unhappy_label = "Unhappy customers (an open incident or mean survey <= 2)";
  w.satisfied = 612, w.unhappy = 148;
  w.told_satisfied_low = 9, w.told_satisfied_high = 12, w.told_unhappy = 20;
  w.prospects_won_low = 55.1, w.prospects_won_high = 73.4, w.prospects_lost = 29.6;
  w.value_won_low = 2755, w.value_won_high = 3672, w.value_lost = 1480;
  w.net_low = 1275, w.net_high = 2192;
  w.assumptions = {"1% of the people told become customers, or are lost as prospects.",
                   "One prospect is worth 50.00 (sector referral value)."};
  s.word_of_mouth = w;
  d.service = s;
  return d;
}

TEST(ServiceReportBrowser, RankedChartTableAndFiguresRender) {
  if (!fs::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is absent: apt-get install chromium to run the browser test";
  }
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("clv_service_browser_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profile");
  const fs::path report = dir / "report.html";
  clv::write_report(service_report(), report.string());
  const fs::path dom_path = dir / "dom.html", log_path = dir / "chromium.log";
  // One browser run: the DOM after scripts, and the screenshot.
  ASSERT_EQ(run_chromium(dir / "profile", "--dump-dom " + shell_quote("file://" + report.string()),
                         dom_path, log_path),
            0)
      << read_file(log_path);
  const std::string dom = read_file(dom_path);
  // The render check found the one chart laid out.
  EXPECT_NE(dom.find("data-rendered=\"ok\" data-chart-count=\"1\""), std::string::npos)
      << dom.substr(0, dom.find("<main"));
  SvgElement svg;
  ASSERT_TRUE(find_svg(dom, "chart-service", svg));
  EXPECT_NE(svg.open_tag.find("data-chart=\"signed-bar\""), std::string::npos) << svg.open_tag;
  EXPECT_NE(svg.open_tag.find("data-rendered=\"ok\""), std::string::npos) << svg.open_tag;
  EXPECT_EQ(count(svg.content, "class=\"mark bar"), 6u);
  // Ranked worst first: rome's bar label comes before chicago's.
  EXPECT_LT(svg.content.find("hotel-rome"), svg.content.find("hotel-chicago"));
  EXPECT_NE(dom.find("<h2>Service by site</h2>"), std::string::npos);
  EXPECT_NE(dom.find("2 of 2"), std::string::npos);  // rome's rank in south-eu
  EXPECT_NE(dom.find("quotes 91%"), std::string::npos);
  // The online shop: a row, a bar, but no rank, and the reason under the table.
  EXPECT_NE(dom.find("not ranked*"), std::string::npos);
  // (The DOM as Chromium serializes it: entities become characters.)
  EXPECT_NE(dom.find("* online: 'online' is a virtual channel"), std::string::npos);
  // The word-of-mouth block with its assumptions (issue 14).
  EXPECT_NE(dom.find("<h3>Word of mouth</h3>"), std::string::npos);
  EXPECT_NE(dom.find("won 55.1\u201373.4"), std::string::npos);
  EXPECT_NE(dom.find("\u22121,480.00"), std::string::npos);
  EXPECT_NE(dom.find("1,275.00 to 2,192.00"), std::string::npos);
  EXPECT_NE(dom.find("<li>One prospect is worth 50.00 (sector referral value).</li>"),
            std::string::npos);

  const fs::path artifacts = fs::path(CLV_BINARY_DIR) / "artifacts";
  fs::create_directories(artifacts);
  const fs::path png = artifacts / "service_report.png";
  fs::remove(png);
  ASSERT_EQ(run_chromium(dir / "profile",
                         "--window-size=1100,2300 --screenshot=" + shell_quote(png.string()) + " " +
                             shell_quote("file://" + report.string()),
                         dir / "shot.out", dir / "shot.log"),
            0)
      << read_file(dir / "shot.log");
  EXPECT_GT(fs::file_size(png), 10000u);
  fs::remove_all(dir);
}

TEST(ServiceReportBrowser, NonFiniteValuesAreRejectedNamingTheRow) {
  clv::ReportData d = service_report();
  d.service->rows[1].attributable_per_100 = std::nan("");
  try {
    clv::render_report_html(d);
    FAIL() << "a NaN reached the report";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("hotel-denver"), std::string::npos) << e.what();
  }
}

}  // namespace
