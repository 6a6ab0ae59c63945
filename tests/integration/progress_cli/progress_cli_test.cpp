// `--progress json` and `--quiet` of the clv command: progress lines on
// stderr parse as JSON, done never goes back, each run ends with done ==
// total and an end event; --quiet leaves stderr empty on success.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using nlohmann::json;
constexpr auto clv = cli_test::run_clv;

const std::string kData = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/";

std::string temp(const std::string& name) {
  return testing::TempDir() + "/progress_cli_" + name;
}

// Every stderr line as JSON (a line that is not JSON fails the test).
std::vector<json> json_lines(const std::string& err) {
  std::vector<json> out;
  std::stringstream lines(err);
  std::string line;
  while (std::getline(lines, line)) {
    json j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

// The progress events of `stage`: at least one, done monotone, the last
// with done == total > 0; the whole output ends with {"event":"end","ok":true}.
std::vector<json> check_stage(const std::vector<json>& lines, const std::string& stage) {
  std::vector<json> events;
  for (const json& j : lines) {
    if (j.value("event", "") == "progress" && j.value("stage", "") == stage) events.push_back(j);
  }
  EXPECT_FALSE(events.empty()) << "no progress of stage " << stage;
  if (events.empty()) return events;
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_GE(events[i]["done"].get<uint64_t>(), events[i - 1]["done"].get<uint64_t>())
        << events[i - 1].dump() << " then " << events[i].dump();
  }
  const json& last = events.back();
  EXPECT_GT(last["done"].get<uint64_t>(), 0u) << last.dump();
  EXPECT_EQ(last["done"], last["total"]) << last.dump();
  EXPECT_FALSE(lines.empty());
  if (!lines.empty()) {
    EXPECT_EQ(lines.back().value("event", ""), "end");
    EXPECT_EQ(lines.back().value("ok", false), true);
  }
  return events;
}

// A transaction file of `rows` rows over 5000 customers.
std::string write_transactions(const std::string& name, int rows) {
  const std::string path = temp(name);
  std::ofstream out(path, std::ios::binary);
  out << "customer_id,timestamp,amount\n";
  for (int i = 0; i < rows; ++i) {
    out << "c" << (i * 7919) % 5000 << ",2024-" << (i % 12 < 9 ? "0" : "") << (1 + i % 12) << "-"
        << (10 + i % 17) << "," << (i % 500) << ".50\n";
  }
  return path;
}

TEST(ProgressCli, ImportReportsJsonLinesEndingWithDoneEqualTotal) {
  // 150k rows: reports at 64k and 128k rows besides the final one.
  const std::string file = write_transactions("import.csv", 150000);
  const std::string db = temp("import.db");
  std::remove(db.c_str());
  const CliRun r = clv("--progress json import transactions " + file + " --db " + db + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["inserted"], 150000) << "the result stays on stdout";
  const std::vector<json> events = check_stage(json_lines(r.err), "import");
  ASSERT_FALSE(events.empty());
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  EXPECT_EQ(events.back()["total"].get<uint64_t>(), static_cast<uint64_t>(in.tellg()))
      << "import counts input bytes";
  EXPECT_EQ(events.back()["unit"], "bytes");
  EXPECT_EQ(events.back()["items"], 150000) << "rows read";
}

TEST(ProgressCli, FitReportsLikelihoodPassesWithTheFlagAfterTheSubcommand) {
  const CliRun r =
      clv("fit --model pnbd --summary " + kData + "cdnow_customers_summary.csv --progress json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("converged yes"), std::string::npos) << r.out;  // the table on stdout
  const std::vector<json> events = check_stage(json_lines(r.err), "fit");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["unit"], "evaluations");
  // Far more than one pass and bounded by the optimizer's budget.
  EXPECT_GT(events.back()["done"].get<uint64_t>(), 5u);
  EXPECT_LT(events.back()["done"].get<uint64_t>(), 5000u * 8u);
}

TEST(ProgressCli, FitFromTheDatabaseReportsTheSummaryThenTheFit) {
  // CDNOW's 69,659 rows: the database summary reports once mid-way too.
  const std::string db = temp("fitdb.db");
  std::remove(db.c_str());
  const CliRun imported =
      clv("-q import transactions " + kData + "CDNOW_master.txt --db " + db +
          " --map timestamp=date,amount=dollar_value --rejects " + temp("fitdb.rejects.csv"));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const CliRun r =
      clv("--progress json fit --model bgnbd --db " + db + " --calibration-end 1997-09-30 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = json_lines(r.err);
  check_stage(lines, "summary");
  check_stage(lines, "fit");
}

TEST(ProgressCli, StreamingSummaryReportsBytesOfTheFile) {
  const std::string out = temp("summary.csv");
  const CliRun r = clv("summary --transactions " + kData +
                       "CDNOW_master.txt --format whitespace --map timestamp=date "
                       "--map amount=dollar_value --calibration-end 1997-09-30 --out " +
                       out + " --progress json --quiet");
  // --quiet wins over --progress json: nothing on stderr.
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const CliRun shown = clv("summary --transactions " + kData +
                           "CDNOW_master.txt --format whitespace --map timestamp=date "
                           "--map amount=dollar_value --calibration-end 1997-09-30 --out " +
                           out + " --progress json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  // Informational lines follow the progress lines; the JSON ones are checked.
  std::vector<json> lines;
  std::stringstream text(shown.err);
  std::string line;
  bool saw_info = false;
  while (std::getline(text, line)) {
    if (line.rfind("{", 0) == 0) {
      lines.push_back(json::parse(line));
    } else {
      saw_info = saw_info || line.rfind("time unit:", 0) == 0;
    }
  }
  EXPECT_TRUE(saw_info) << shown.err;
  // The end event comes last, after the informational lines.
  const std::vector<json> events = check_stage(lines, "summary");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["items"], 69659) << "CDNOW_master.txt has 69,659 rows";
}

TEST(ProgressCli, QuietImportPrintsNothingOnStderr) {
  const std::string file = write_transactions("quiet.csv", 1000);
  const std::string db = temp("quiet.db");
  std::remove(db.c_str());
  const CliRun r = clv("--quiet import transactions " + file + " --db " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("1000 transactions inserted"), std::string::npos) << r.out;
  // -q after the subcommand too; errors are still printed.
  const CliRun bad = clv("import transactions " + temp("missing.csv") + " --db " + db + " -q");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("clv: error"), std::string::npos) << bad.err;
}

TEST(ProgressCli, NoProgressWhenPipedByDefaultAndBadModesAreRefused) {
  const std::string file = write_transactions("auto.csv", 1000);
  const std::string db = temp("auto.db");
  std::remove(db.c_str());
  // stderr is a file here: auto draws nothing.
  const CliRun r = clv("import transactions " + file + " --db " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const CliRun bad = clv("--progress fancy import transactions " + file + " --db " + db);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--progress"), std::string::npos) << bad.err;
}

}  // namespace
