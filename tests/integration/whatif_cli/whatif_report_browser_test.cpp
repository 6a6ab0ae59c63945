// The report the real `clv whatif --report` writes, opened in headless
// Chromium (Debian's chromium package): every chart it has data for renders,
// and a screenshot is kept in ${CLV_BINARY_DIR}/artifacts/whatif_report.png.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace {

const std::string kSummary =
    std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary_with_transactions.csv";
// The raw transactions behind kSummary, for the tracking (purchases per period) charts.
const std::string kTransactions =
    " --transactions " + std::string(CLV_SHARED_DATA_DIR) +
    "/cdnow/CDNOW_sample.txt --format whitespace --no-header --map customer_id=2 "
    "--map timestamp=3 --map amount=5 --calibration-end 1997-09-30 --holdout-end 1998-06-30";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int sh(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int chromium(const fs::path& dir, const std::string& args) {
  return sh(
      "timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic "
      "--no-first-run --disable-background-networking --disable-component-update "
      "--disable-sync --disable-dev-shm-usage --hide-scrollbars --user-data-dir=" +
      (dir / "profile").string() + " " + args + " 2>" + (dir / "chromium.log").string());
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(WhatIfReportBrowser, RealCommandOutputRendersInChromium) {
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "/usr/bin/chromium is absent";
  const fs::path dir = fs::path(testing::TempDir()) / "whatif_browser";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string clv = CLV_CLI_PATH;
  ASSERT_EQ(sh(clv + " fit --model pnbd --summary " + kSummary + " --out " +
               (dir / "pnbd.json").string() + " >/dev/null 2>&1"),
            0);
  ASSERT_EQ(sh(clv + " fit --model gg --summary " + kSummary + " --out " +
               (dir / "gg.json").string() + " >/dev/null 2>&1"),
            0);
  {
    std::ofstream customers(dir / "customers.csv");
    customers << "customer_id,sector,segment,region\n";
    for (int id = 1; id <= 2357; ++id) {
      customers << id << ",retail,"
                << (id % 3 == 0   ? "premium"
                    : id % 3 == 1 ? "regular"
                                  : "value")
                << "," << (id % 2 ? "north" : "south") << "\n";
    }
    std::ofstream(dir / "s.toml") << "[run]\nsummary = \"" << kSummary << R"("
count_params = "pnbd.json"
spend_params = "gg.json"
customers = "customers.csv"
horizon = 52
discount_rate = 0.1
margin = 0.3

[[scenario]]
name = "Offer to the 300 most valuable at-risk"
target = { top_by_value_at_risk = 300 }
retention_offer = { hazard_ratio = { value = 0.7, low90 = 0.5, high90 = 0.9 }, cost_per_customer = 2 }

[[scenario]]
name = "Price +5% for regular"
target = { segment = "regular" }
price = { change = 0.05, elasticity = { value = -1.5, low90 = -2.5, high90 = -0.5 } }

[[scenario]]
name = "Purchase rate +10% in the top decile"
target = { clv_decile = 1 }
purchase_rate = { factor = { value = 1.1, low90 = 1.02, high90 = 1.18 } }
)";
  }
  const fs::path html = dir / "report.html";
  ASSERT_EQ(sh(clv + " whatif " + (dir / "s.toml").string() + " --draws 50 --report " +
               html.string() + kTransactions + " >/dev/null 2>" + (dir / "err.txt").string()),
            0)
      << slurp(dir / "err.txt");
  ASSERT_EQ(
      chromium(dir, "--dump-dom file://" + html.string() + " >" + (dir / "dom.html").string()), 0)
      << slurp(dir / "chromium.log");
  const std::string dom = slurp(dir / "dom.html");
  EXPECT_NE(dom.find("data-rendered=\"ok\""), std::string::npos);
  for (const char* id : {"chart-purchases", "chart-purchases-period", "chart-alive",
                         "chart-clv-histogram", "chart-clv-concentration", "chart-churn-segments",
                         "chart-churn-drivers", "chart-scenarios"}) {
    SCOPED_TRACE(id);
    const size_t at = dom.find(std::string("id=\"") + id + "\"");
    ASSERT_NE(at, std::string::npos);
    const size_t open = dom.rfind("<svg", at);
    EXPECT_NE(dom.substr(open, dom.find('>', at) - open).find("data-rendered=\"ok\""),
              std::string::npos);
  }
  // The transactions agree with the summary (same calibration repeat purchases).
  EXPECT_EQ(dom.find("Warning: the transactions"), std::string::npos);
  EXPECT_NE(dom.find("end of calibration"), std::string::npos);
  const size_t scen = dom.find("id=\"chart-scenarios\"");
  const std::string scenarios = dom.substr(scen, dom.find("</svg>", scen) - scen);
  EXPECT_EQ(count(scenarios, "class=\"mark interval"), 3u);
  for (const char* name : {"Offer to the 300", "Price +5%", "Purchase rate +10%"}) {
    EXPECT_NE(dom.find(name), std::string::npos) << name;
  }

  const fs::path artifacts = fs::path(CLV_BINARY_DIR) / "artifacts";
  fs::create_directories(artifacts);
  const fs::path png = artifacts / "whatif_report.png";
  fs::remove(png);
  ASSERT_EQ(chromium(dir, "--window-size=1280,4000 --screenshot=" + png.string() + " file://" +
                              html.string() + " >/dev/null"),
            0)
      << slurp(dir / "chromium.log");
  EXPECT_GT(fs::file_size(png), 50u * 1024u);
}

}  // namespace
