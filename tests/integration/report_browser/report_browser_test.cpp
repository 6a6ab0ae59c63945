// Loads a generated report in a real browser (headless Chromium from Debian's
// chromium package), reads back the DOM after scripts ran, and saves a
// screenshot as a test artifact in ${CLV_BINARY_DIR}/artifacts/report.png.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "browser_support.hpp"
#include "clv/report.hpp"
#include "sample_report_data.hpp"

namespace fs = std::filesystem;

namespace {

using namespace clv::testing::browser;

// Width and height from a PNG's IHDR chunk; false if not a PNG.
bool png_size(const std::string& png, uint32_t& width, uint32_t& height) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (png.size() < 24 || png.compare(0, 8, kSignature) != 0) return false;
  const auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  width = be32(16);
  height = be32(20);
  return true;
}

struct ExpectedChart {
  const char* id;
  const char* kind;
  const char* mark;  // class prefix of its marks
  size_t min_marks;
};

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) {
      GTEST_SKIP() << kChromium
                   << " is absent: install Debian's chromium package (apt-get install chromium) "
                      "to run the browser test";
    }
    dir_ = fs::path(::testing::TempDir()) / ("clv_report_browser_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "profile");
    report_ = dir_ / "report.html";
    clv::write_report(clv::testing::sample_report_data(), report_.string());
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path dir_, report_;
};

TEST_F(ReportBrowserTest, EveryChartRendersInChromium) {
  const fs::path dom_path = dir_ / "dom.html", log_path = dir_ / "chromium.log";
  const int status =
      run_chromium(dir_ / "profile", "--dump-dom " + shell_quote("file://" + report_.string()),
                   dom_path, log_path);
  ASSERT_EQ(status, 0) << "chromium --dump-dom failed; its log:\n" << read_file(log_path);
  const std::string dom = read_file(dom_path);
  ASSERT_FALSE(dom.empty()) << read_file(log_path);

  // The inline script ran and found every chart laid out with a non-zero box.
  EXPECT_NE(dom.find("data-rendered=\"ok\" data-chart-count=\"9\""), std::string::npos)
      << dom.substr(0, dom.find("<main"));
  const ExpectedChart expected[] = {
      {"chart-purchases", "line", "mark line", 2},
      {"chart-purchases", "line", "mark point", 2 * 79},
      {"chart-purchases-period", "line", "mark line", 2},
      {"chart-purchases-period", "line", "mark point", 2 * 79},
      {"chart-calibration", "grouped-bar", "mark bar", 16},
      {"chart-alive", "heat-map", "mark cell", 13 * 14},
      {"chart-clv-histogram", "histogram", "mark bar", 5},
      {"chart-clv-concentration", "concentration", "mark point", 10},
      {"chart-churn-segments", "grouped-bar", "mark bar", 3},
      {"chart-churn-drivers", "signed-bar", "mark bar", 6},
      {"chart-scenarios", "forest", "mark interval", 5},
  };
  for (const auto& chart : expected) {
    SCOPED_TRACE(chart.id);
    SvgElement svg;
    ASSERT_TRUE(find_svg(dom, chart.id, svg));
    EXPECT_NE(svg.open_tag.find(std::string("data-chart=\"") + chart.kind + "\""),
              std::string::npos)
        << svg.open_tag;
    EXPECT_NE(svg.open_tag.find("data-rendered=\"ok\""), std::string::npos) << svg.open_tag;
    const size_t marks = count(svg.content, std::string("class=\"") + chart.mark + "\"") +
                         count(svg.content, std::string("class=\"") + chart.mark + " ");
    EXPECT_GE(marks, chart.min_marks);
    if (std::string(chart.kind) != "histogram") {
      EXPECT_EQ(marks, chart.min_marks);  // exact for charts with a known mark count
    }
  }
}

TEST_F(ReportBrowserTest, ScreenshotIsSavedAsArtifact) {
  const fs::path artifacts = fs::path(CLV_BINARY_DIR) / "artifacts";
  fs::create_directories(artifacts);
  const fs::path png_path = artifacts / "report.png";
  fs::remove(png_path);
  const fs::path log_path = dir_ / "chromium-shot.log";
  const int status =
      run_chromium(dir_ / "profile",
                   "--window-size=1280,4000 --screenshot=" + shell_quote(png_path.string()) + " " +
                       shell_quote("file://" + report_.string()),
                   dir_ / "shot.out", log_path);
  ASSERT_EQ(status, 0) << read_file(log_path);
  ASSERT_TRUE(fs::exists(png_path)) << read_file(log_path);
  const std::string png = read_file(png_path);
  uint32_t width = 0, height = 0;
  ASSERT_TRUE(png_size(png, width, height)) << "not a PNG: " << png_path;
  EXPECT_EQ(width, 1280u);
  EXPECT_EQ(height, 4000u);
  // A blank 1280x4000 page compresses to a few kB; charts and text make it
  // far larger.
  EXPECT_GT(png.size(), 100u * 1024u) << "screenshot looks empty: " << png.size() << " bytes";
}

}  // namespace
