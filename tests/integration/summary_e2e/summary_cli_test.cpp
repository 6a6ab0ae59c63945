// Runs the real `clv summary` binary end to end.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(const std::string& args, const std::string& tag) {
  const std::string dir = testing::TempDir();
  const std::string cmd = std::string(CLV_CLI_PATH) + " summary " + args + " >" + dir + tag +
                          ".stdout 2>" + dir + tag + ".stderr";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SummaryCli, WhitespaceSampleWithHoldoutWritesCsvAndJson) {
  const std::string dir = testing::TempDir();
  const std::string out = dir + "cdnow_summary.csv";
  ASSERT_EQ(run(std::string("--transactions ") + CLV_SHARED_DATA_DIR +
                    "/cdnow/CDNOW_sample.txt --format whitespace --no-header --map customer_id=2 "
                    "--map timestamp=3 --map amount=5 --calibration-end 1997-09-30 --holdout-end "
                    "1998-06-30 --unit week --json --out " +
                    out,
                "ws"),
            0)
      << slurp(dir + "ws.stderr");
  EXPECT_NE(slurp(dir + "ws.stderr").find("time unit: week (7 days)"), std::string::npos);
  const auto report = nlohmann::json::parse(slurp(dir + "ws.stdout"));
  EXPECT_EQ(report["customers"], 2357);
  EXPECT_EQ(report["time_unit"]["name"], "week");
  EXPECT_EQ(report["time_unit"]["days"], 7.0);
  EXPECT_EQ(report["rows"]["rejected"], 0);
  EXPECT_EQ(report["complete"], true);

  std::ifstream csv(out);
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "# clv: unit=week days=7 calibration_end=1997-09-30");  // units travel
  std::getline(csv, line);
  EXPECT_EQ(
      line,
      "customer_id,frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,"
      "duration_holdout");
  std::getline(csv, line);
  EXPECT_EQ(line.substr(0, line.find(',')), "0001");
  int rows = 1;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 2357);
}

TEST(SummaryCli, RejectedRowsAreReportedAndWritten) {
  const std::string dir = testing::TempDir();
  const std::string input = dir + "bad_tx.csv";
  std::ofstream(input)
      << "customer_id,timestamp,amount\na,1997-01-01,1\na,not-a-date,2\nb,1997-01-02,x\n"
         "a,1997-02-01,3\n";
  ASSERT_EQ(run("--transactions " + input + " --calibration-end 1997-09-30 --json --out " + dir +
                    "bad_summary.csv --rejects " + dir + "bad_rejects.csv",
                "bad"),
            0);
  const auto report = nlohmann::json::parse(slurp(dir + "bad.stdout"));
  EXPECT_EQ(report["rows"]["rejected"], 2);
  EXPECT_EQ(report["complete"], false);
  EXPECT_EQ(report["first_rejects"][0]["line"], 3);
  EXPECT_NE(slurp(dir + "bad.stderr").find("2 rows were rejected"), std::string::npos);
  const std::string rejects = slurp(dir + "bad_rejects.csv");
  EXPECT_NE(rejects.find("3,\"invalid date"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("4,\"unparseable amount"), std::string::npos) << rejects;
}

TEST(SummaryCli, BadDateOrMissingColumnIsAnError) {
  const std::string dir = testing::TempDir();
  EXPECT_EQ(run(std::string("--transactions ") + CLV_SHARED_DATA_DIR +
                    "/cdnow/clvtools_cdnow.csv --calibration-end 1997-09-30 --out " + dir + "x.csv",
                "nocol"),
            2);
  EXPECT_NE(slurp(dir + "nocol.stderr").find("--map customer_id=COLUMN"), std::string::npos)
      << slurp(dir + "nocol.stderr");
  EXPECT_EQ(run(std::string("--transactions ") + CLV_SHARED_DATA_DIR +
                    "/cdnow/clvtools_cdnow.csv --calibration-end 1997-13-45 --out " + dir + "x.csv",
                "baddate"),
            2);
}

}  // namespace
