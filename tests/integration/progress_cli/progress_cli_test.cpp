// `--progress json` and `--quiet` of the clv command: progress lines on
// stderr parse as JSON, done never goes back, each run ends with done ==
// total and an end event; --quiet leaves stderr empty on success.
#include <cstdio>
#include <filesystem>
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

// The JSON lines of stderr, skipping informational lines.
std::vector<json> json_lines_of_mixed(const std::string& err) {
  std::vector<json> out;
  std::stringstream lines(err);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("{", 0) == 0) out.push_back(json::parse(line));
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

// Issue 16: the steps that showed no progress before.

// Index of the last progress event of `stage` (lines.size() when none).
size_t last_of(const std::vector<json>& lines, const std::string& stage) {
  size_t at = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].value("event", "") == "progress" && lines[i].value("stage", "") == stage) at = i;
  }
  return at;
}
size_t first_of(const std::vector<json>& lines, const std::string& stage) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].value("event", "") == "progress" && lines[i].value("stage", "") == stage) return i;
  }
  return lines.size();
}

// The import's last batch, normalization and commit: stage "commit" after
// every byte was read (import done == total first).
TEST(ProgressCli, ImportReportsItsCommitAfterTheBytes) {
  const std::string file = write_transactions("commit.csv", 70000);
  const std::string db = temp("commit.db");
  std::remove(db.c_str());
  const CliRun r = clv("import transactions " + file + " --db " + db + " --progress json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = json_lines(r.err);
  check_stage(lines, "import");
  const std::vector<json> commit = check_stage(lines, "commit");
  ASSERT_FALSE(commit.empty());
  EXPECT_EQ(commit.back()["unit"], "steps");
  EXPECT_EQ(commit.front()["done"], 0) << "the commit's start is shown";
  EXPECT_LT(last_of(lines, "import"), first_of(lines, "commit"));
}

// `clv fit --summary` reads the file first (stage "read", its bytes), then
// fits; the same for `clv score` and `clv predict`, which now take the
// options after the subcommand too.
TEST(ProgressCli, SummaryFileReadsAreReportedAndScorePredictTakeTheOptions) {
  const std::string summary = kData + "cdnow_customers_summary.csv";
  const uint64_t bytes = std::filesystem::file_size(summary);
  const std::string params = temp("read_pnbd.json");
  const CliRun fit =
      clv("fit --model pnbd --summary " + summary + " --out " + params + " --progress json");
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  std::vector<json> lines = json_lines(fit.err);
  std::vector<json> read = check_stage(lines, "read");
  ASSERT_FALSE(read.empty());
  EXPECT_EQ(read.back()["total"].get<uint64_t>(), bytes);
  EXPECT_EQ(read.back()["unit"], "bytes");
  EXPECT_LT(last_of(lines, "read"), first_of(lines, "fit"));

  const CliRun score =
      clv("score --params " + params + " --summary " + summary +
          " --horizon 39 --spend 10 --margin 0.3 --out " + temp("scores.csv") + " --progress json");
  ASSERT_EQ(score.exit_code, 0) << score.err;
  std::vector<json> score_lines;
  for (const json& j : json_lines_of_mixed(score.err)) score_lines.push_back(j);
  check_stage(score_lines, "read");
  const CliRun quiet_score = clv("score --params " + params + " --summary " + summary +
                                 " --horizon 39 --spend 10 --out " + temp("scores.csv") + " -q");
  ASSERT_EQ(quiet_score.exit_code, 0) << quiet_score.err;
  EXPECT_EQ(quiet_score.err, "");

  const CliRun predict = clv("predict --params " + params + " --t 52 --progress json");
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  // Nothing long to report: stderr holds JSON lines only (or nothing).
  const std::vector<json> predict_lines = json_lines(predict.err);
  if (!predict_lines.empty()) {
    EXPECT_EQ(predict_lines.back().value("event", ""), "end");
  }
  const CliRun quiet_predict = clv("predict --params " + params + " --t 52 --quiet");
  ASSERT_EQ(quiet_predict.exit_code, 0) << quiet_predict.err;
  EXPECT_EQ(quiet_predict.err, "");

  // pg: the options are accepted after `pg run` / `pg summary` (no usage
  // error); without a source the command gets as far as asking for one.
  for (const std::string& sub :
       {"summary --out " + temp("pg.csv"), std::string("run --model pnbd --horizon 1")}) {
    const CliRun pg = clv("pg " + sub + " --source-file " + temp("no_source.txt") +
                          " --calibration-end 2026-06-30 --progress json -q");
    EXPECT_NE(pg.exit_code, 0);
    EXPECT_EQ(pg.err.find("not expected"), std::string::npos) << pg.err;
    EXPECT_EQ(pg.err.find("--progress"), std::string::npos) << pg.err;
  }
}

// Dynamic covariate files are read with progress (stage "read", both files).
TEST(ProgressCli, DynamicCovariateFilesAreReportedWhileRead) {
  const std::string shared = std::string(CLV_SHARED_DATA_DIR) + "/apparel/";
  const CliRun r = clv("fit --model pnbd --transactions " + shared +
                       "apparelTrans.csv --map customer_id=Id --map timestamp=Date "
                       "--calibration-end 2006-12-31 --dynamic-covariates " +
                       shared +
                       "apparelDynCov.csv --covariate-date Cov.Date "
                       "--covariate-columns High.Season --json --progress json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = json_lines(r.err);
  const std::vector<json> read = check_stage(lines, "read");
  ASSERT_FALSE(read.empty());
  EXPECT_EQ(read.back()["total"].get<uint64_t>(),
            std::filesystem::file_size(shared + "apparelTrans.csv") +
                std::filesystem::file_size(shared + "apparelDynCov.csv"));
  EXPECT_LT(last_of(lines, "read"), first_of(lines, "fit"));
}

// After the churn scores: the fit check, storing the run and ranking are
// stage "churn"; the report reads the purchase history as stage "history".
TEST(ProgressCli, ChurnFinishAndTheReportsPurchaseHistoryAreReported) {
  const std::string db = temp("churn.db");
  std::remove(db.c_str());
  const CliRun imported =
      clv("-q import transactions " + kData + "CDNOW_master.txt --db " + db +
          " --map timestamp=date,amount=dollar_value --rejects " + temp("churn.rejects.csv"));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const CliRun churn = clv("churn --db " + db +
                           " --calibration-end 1997-09-30 --plain --horizon 26 --json "
                           "--progress json");
  ASSERT_EQ(churn.exit_code, 0) << churn.err;
  std::vector<json> lines = json_lines(churn.err);
  check_stage(lines, "score");
  const std::vector<json> finish = check_stage(lines, "churn");
  ASSERT_FALSE(finish.empty());
  EXPECT_EQ(finish.back()["unit"], "steps");
  EXPECT_LT(last_of(lines, "score"), first_of(lines, "churn"));

  const std::string summary = temp("churn_summary.csv"), params = temp("churn_bgnbd.json");
  ASSERT_EQ(
      clv("-q summary --db " + db + " --calibration-end 1997-09-30 --unit week --out " + summary)
          .exit_code,
      0);
  ASSERT_EQ(clv("-q fit --model bgnbd --summary " + summary + " --out " + params).exit_code, 0);
  const CliRun report =
      clv("report --summary " + summary + " --params " + params + " --db " + db +
          " --calibration-end 1997-09-30 --out " + temp("report.html") + " --progress json");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  lines = json_lines_of_mixed(report.err);
  check_stage(lines, "history");
  check_stage(lines, "report");
}

}  // namespace
