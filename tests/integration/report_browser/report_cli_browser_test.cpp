// The report the real `clv report` writes for CDNOW (summary and fits made
// by the CLI from the transaction log, purchases per period read back from
// it), opened in headless Chromium: all nine charts render with the marks
// their data implies.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "browser_support.hpp"

namespace fs = std::filesystem;

namespace {

using namespace clv::testing::browser;

const std::string kCdnow = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/CDNOW_sample.txt";
const std::string kFormat =
    " --format whitespace --no-header --map customer_id=2 --map timestamp=3 --map amount=5";

int sh(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t marks(const SvgElement& svg, const std::string& mark) {
  return count(svg.content, "class=\"" + mark + "\"") + count(svg.content, "class=\"" + mark + " ");
}

TEST(ReportCliBrowser, CdnowReportFromTheCommandLineRendersEveryChart) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " is absent (Debian package chromium)";
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("clv_report_cli_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profile");
  const std::string clv = CLV_CLI_PATH;
  const std::string quiet = " >/dev/null 2>>" + (dir / "err.txt").string();
  const auto run = [&](const std::string& args) { return sh(clv + " " + args + quiet); };
  const std::string summary = (dir / "summary.csv").string();
  ASSERT_EQ(run("summary --transactions " + kCdnow + kFormat +
                " --calibration-end 1997-09-30 --holdout-end 1998-06-30 --out " + summary),
            0)
      << read_file(dir / "err.txt");
  ASSERT_EQ(
      run("fit --model bgnbd --summary " + summary + " --out " + (dir / "bgnbd.json").string()), 0);
  ASSERT_EQ(run("fit --model gg --summary " + summary + " --out " + (dir / "gg.json").string()), 0);
  {
    std::ofstream customers(dir / "customers.csv");
    customers << "customer_id,sector,segment,region\n";
    const char* segments[] = {"premium", "regular", "value"};
    for (int id = 1; id <= 2357; ++id) {
      customers << fmt::format("{:04d},retail,{},north\n", id, segments[id % 3]);
    }
    std::ofstream(dir / "s.toml") << "[run]\nsummary = \"" << summary << R"("
count_params = "bgnbd.json"
spend_params = "gg.json"
customers = "customers.csv"
horizon = 52
margin = 0.3

[[scenario]]
name = "Offer to the 300 most valuable at-risk"
target = { top_by_value_at_risk = 300 }
retention_offer = { hazard_ratio = { value = 0.7, low90 = 0.5, high90 = 0.9 }, cost_per_customer = 2 }

[[scenario]]
name = "Purchase rate +10% in the top decile"
target = { clv_decile = 1 }
purchase_rate = { factor = { value = 1.1, low90 = 1.02, high90 = 1.18 } }
)";
  }
  const fs::path html = dir / "report.html";
  ASSERT_EQ(run("report --summary " + summary + " --params " + (dir / "bgnbd.json").string() +
                " --spend-params " + (dir / "gg.json").string() + " --customers " +
                (dir / "customers.csv").string() + " --scenarios " + (dir / "s.toml").string() +
                " --run-dir " + dir.string() + " --draws 20 --margin 0.3 --currency '$'" +
                " --calibration-end 1997-09-30 --holdout-end 1998-06-30 --transactions " + kCdnow +
                kFormat + " --out " + html.string()),
            0)
      << read_file(dir / "err.txt");

  const fs::path dom_path = dir / "dom.html", log_path = dir / "chromium.log";
  ASSERT_EQ(run_chromium(dir / "profile", "--dump-dom " + shell_quote("file://" + html.string()),
                         dom_path, log_path),
            0)
      << read_file(log_path);
  const std::string dom = read_file(dom_path);
  EXPECT_NE(dom.find("data-rendered=\"ok\" data-chart-count=\"9\""), std::string::npos)
      << dom.substr(0, 400);

  struct Expected {
    const char* id;
    const char* kind;
    const char* mark;
    size_t marks;  // 0 = at least one
  };
  // 78 weeks; frequency groups 0..6 and 7+; 3 segments; 2 scenarios.
  const Expected expected[] = {
      {"chart-purchases", "line", "mark point", 2 * 78},
      {"chart-purchases-period", "line", "mark point", 2 * 78},
      {"chart-calibration", "grouped-bar", "mark bar", 2 * 8},
      {"chart-alive", "heat-map", "mark cell", 0},
      {"chart-clv-histogram", "histogram", "mark bar", 0},
      {"chart-clv-concentration", "concentration", "mark point", 10},
      {"chart-churn-segments", "grouped-bar", "mark bar", 3},
      {"chart-churn-drivers", "signed-bar", "mark bar", 3},
      {"chart-scenarios", "forest", "mark interval", 2},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.id);
    SvgElement svg;
    ASSERT_TRUE(find_svg(dom, e.id, svg));
    EXPECT_NE(svg.open_tag.find(std::string("data-chart=\"") + e.kind + "\""), std::string::npos);
    EXPECT_NE(svg.open_tag.find("data-rendered=\"ok\""), std::string::npos) << svg.open_tag;
    if (e.marks == 0) {
      EXPECT_GT(marks(svg, e.mark), 0u);
    } else {
      EXPECT_EQ(marks(svg, e.mark), e.marks);
    }
  }
  // The calibration/holdout split is drawn in both tracking charts.
  for (const char* id : {"chart-purchases", "chart-purchases-period"}) {
    SvgElement svg;
    ASSERT_TRUE(find_svg(dom, id, svg));
    EXPECT_NE(svg.content.find("end of calibration"), std::string::npos) << id;
  }
  // The summary table states the calibration totals: actual = sum of x.
  EXPECT_NE(dom.find("Repeat purchases in calibration: actual / model"), std::string::npos);
  EXPECT_NE(dom.find("2457 / "), std::string::npos);
  EXPECT_EQ(dom.find("Warning: the transactions"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
