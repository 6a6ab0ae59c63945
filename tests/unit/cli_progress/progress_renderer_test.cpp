// The CLI's progress renderer driven by a fake clock: rate limiting, the
// bar and JSON line formats, and the end of the output.
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "progress_renderer.hpp"

namespace {

using clv::Progress;
using clv::cli::ProgressMode;
using clv::cli::ProgressRenderer;

// A renderer writing to a temporary file, with a clock the test sets.
struct Harness {
  double now = 100.0;
  std::FILE* file = std::tmpfile();
  ProgressRenderer renderer;
  explicit Harness(ProgressMode mode)
      : renderer(
            mode, file, [this] { return now; }, 0.1) {}
  ~Harness() {
    renderer.end();  // before the file closes
    std::fclose(file);
  }
  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;) out.append(buf, n);
    return out;
  }
  std::vector<nlohmann::json> json_lines() {
    std::vector<nlohmann::json> out;
    const std::string all = text();
    size_t start = 0;
    for (size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(nlohmann::json::parse(all.substr(start, nl - start)));
    }
    EXPECT_EQ(start, all.size()) << "every JSON line ends with a newline";
    return out;
  }
};

TEST(ProgressRenderer, DrawsAtMostTenTimesASecondButAlwaysFirstAndFinal) {
  Harness h(ProgressMode::kJson);
  h.renderer.update({"import", 0, 1000, "bytes", 0});  // first of the stage: drawn
  h.now += 0.05;
  h.renderer.update({"import", 100, 1000, "bytes", 0});  // 50 ms later: skipped
  h.now += 0.04;
  h.renderer.update({"import", 200, 1000, "bytes", 0});  // 90 ms after the last line: skipped
  h.now += 0.02;
  h.renderer.update({"import", 300, 1000, "bytes", 0});  // 110 ms: drawn
  h.now += 0.01;
  h.renderer.update({"import", 1000, 1000, "bytes", 0});  // final: drawn at once
  h.now += 0.01;
  h.renderer.update({"fit", 1, 0, "evaluations", 0});  // a new stage: drawn at once
  h.now += 0.01;
  h.renderer.update({"fit", 2, 0, "evaluations", 0});  // skipped
  h.renderer.end();
  const auto lines = h.json_lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0]["done"], 0);
  EXPECT_EQ(lines[1]["done"], 300);
  EXPECT_EQ(lines[2]["done"], 1000);
  EXPECT_EQ(lines[2]["total"], 1000);
  EXPECT_EQ(lines[3]["stage"], "fit");
  EXPECT_EQ(lines[4]["event"], "end");
  EXPECT_EQ(h.renderer.lines_written(), 4u);
}

TEST(ProgressRenderer, ManyUpdatesInOneSecondGiveAboutTenLines) {
  Harness h(ProgressMode::kJson);
  for (int i = 0; i < 1000; ++i) {  // one update per millisecond for a second
    h.renderer.update({"summary", static_cast<uint64_t>(i), 5000, "bytes", 0});
    h.now += 0.001;
  }
  EXPECT_GE(h.renderer.lines_written(), 9u);
  EXPECT_LE(h.renderer.lines_written(), 11u);
}

TEST(ProgressRenderer, JsonLinesCarryStageCountsUnitAndElapsedTime) {
  Harness h(ProgressMode::kJson);
  h.now += 1.5;
  h.renderer.update({"import", 512, 2048, "bytes", 70000});
  h.now += 0.25;
  h.renderer.end(false);
  const auto lines = h.json_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event"], "progress");
  EXPECT_EQ(lines[0]["stage"], "import");
  EXPECT_EQ(lines[0]["done"], 512);
  EXPECT_EQ(lines[0]["total"], 2048);
  EXPECT_EQ(lines[0]["unit"], "bytes");
  EXPECT_EQ(lines[0]["items"], 70000);
  EXPECT_DOUBLE_EQ(lines[0]["elapsed"].get<double>(), 1.5);
  EXPECT_EQ(lines[1]["event"], "end");
  EXPECT_EQ(lines[1]["ok"], false);
  EXPECT_DOUBLE_EQ(lines[1]["elapsed"].get<double>(), 1.75);
  h.renderer.end();                                       // idempotent
  h.renderer.update({"import", 2048, 2048, "bytes", 0});  // ignored after the end
  EXPECT_EQ(h.json_lines().size(), 2u);
}

TEST(ProgressRenderer, BarLineShowsStagePercentAmountsRateAndEta) {
  // 50 of 100 bytes at 10 B/s: 5 s left; a 10-wide bar is half full.
  EXPECT_EQ(clv::cli::format_progress_bar({"import", 50, 100, "bytes", 0}, 10.0, 10),
            "import [#####-----]  50%  50 B/100 B  10 B/s  ETA 0:05");
  // Bytes scale by 1000 and counts get k/M; 3 000 000 left at 2000/s is 25 min.
  EXPECT_EQ(clv::cli::format_progress_bar({"summary", 1'000'000, 4'000'000, "rows", 0}, 2000.0, 4),
            "summary [#---]  25%  1.0M/4.0M rows  2.0k/s  ETA 25:00");
  // Unknown total: no bar, no percentage, no ETA.
  EXPECT_EQ(clv::cli::format_progress_bar({"fit", 42, 0, "evaluations", 0}, 21.0, 10),
            "fit  42 evaluations  21/s");
  // Rows read beside the bytes; no rate yet.
  EXPECT_EQ(clv::cli::format_progress_bar({"import", 1'500'000, 3'000'000, "bytes", 65536}, 0, 2),
            "import [#-]  50%  1.5 MB/3.0 MB (65.5k rows)");
  // Done: 100% and no ETA.
  EXPECT_EQ(clv::cli::format_progress_bar({"whatif", 201, 201, "draws", 0}, 50.0, 4),
            "whatif [####] 100%  201/201 draws  50/s");
}

TEST(ProgressRenderer, BarRedrawsOneLineAndEndsItWithANewline) {
  Harness h(ProgressMode::kBar);
  h.renderer.update({"import", 0, 100, "bytes", 0});
  h.now += 0.5;
  h.renderer.update({"import", 50, 100, "bytes", 0});
  std::string text = h.text();
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line, redrawn in place";
  EXPECT_EQ(text.rfind("\r", 0), 0u);
  EXPECT_NE(text.find("\x1b[K"), std::string::npos);  // what a longer line left is cleared
  EXPECT_NE(text.find("\rimport [#"), std::string::npos);
  EXPECT_NE(text.find("50%"), std::string::npos);
  EXPECT_NE(text.find("100 B/s"), std::string::npos) << text;  // 50 B in 0.5 s
  h.renderer.end();
  text = h.text();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find("event"), std::string::npos);
}

TEST(ProgressRenderer, NoneWritesNothingAndGivesNoCallback) {
  Harness h(ProgressMode::kNone);
  EXPECT_FALSE(static_cast<bool>(h.renderer.callback()));
  h.renderer.update({"import", 1, 2, "bytes", 0});
  h.renderer.end();
  EXPECT_EQ(h.text(), "");
}

TEST(ProgressRenderer, CallbackFeedsTheRenderer) {
  Harness h(ProgressMode::kJson);
  const clv::ProgressCallback cb = h.renderer.callback();
  ASSERT_TRUE(static_cast<bool>(cb));
  cb({"fit", 3, 3, "evaluations", 0});
  EXPECT_EQ(h.json_lines().at(0)["done"], 3);
}

TEST(ProgressMode, AutoIsABarOnATerminalOnlyAndQuietSilencesAll) {
  using clv::cli::resolve_progress_mode;
  EXPECT_EQ(resolve_progress_mode(ProgressMode::kAuto, false, true), ProgressMode::kBar);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::kAuto, false, false), ProgressMode::kNone);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::kJson, false, false), ProgressMode::kJson);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::kBar, false, false), ProgressMode::kBar);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::kJson, true, true), ProgressMode::kNone);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::kBar, true, true), ProgressMode::kNone);
  EXPECT_EQ(clv::cli::parse_progress_mode("json"), ProgressMode::kJson);
  EXPECT_EQ(clv::cli::parse_progress_mode("none"), ProgressMode::kNone);
  EXPECT_THROW(clv::cli::parse_progress_mode("fancy"), clv::Error);
}

}  // namespace
