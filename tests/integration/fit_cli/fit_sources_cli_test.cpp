// `clv fit` on inputs other than a purchase summary file: the database
// (--db --calibration-end), sBG retention files, and BG/BB's period unit.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

std::string temp(const std::string& name) {
  return testing::TempDir() + "/fit_sources_" + name;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path) << text;
  return path;
}

// The CDNOW 1/10 sample (whitespace: id, id, yyyymmdd, cds, dollars) as a
// customer_id,timestamp,amount CSV that `clv import transactions` reads.
std::string cdnow_sample_csv() {
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) + "/cdnow/CDNOW_sample.txt");
  std::ostringstream csv;
  csv << "customer_id,timestamp,amount\n";
  std::string id, id2, date, cds, dollars;
  while (in >> id >> id2 >> date >> cds >> dollars) {
    csv << id2 << ',' << date.substr(0, 4) << '-' << date.substr(4, 2) << '-' << date.substr(6, 2)
        << ',' << dollars << '\n';
  }
  return write("cdnow_sample.csv", csv.str());
}

TEST(FitSourcesCli, FitFromDatabaseMatchesFitOnTheSummaryFile) {
  const std::string csv = cdnow_sample_csv(), db = temp("cdnow.db"), summary = temp("summary.csv");
  std::remove(db.c_str());
  CliRun r = clv("import transactions " + csv + " --db " + db + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = clv("summary --transactions " + csv + " --calibration-end 1997-09-30 --out " + summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  for (const char* model : {"bgnbd", "pnbd"}) {
    const CliRun from_file =
        clv(std::string("fit --model ") + model + " --summary " + summary + " --json");
    ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
    const CliRun from_db = clv(std::string("fit --model ") + model + " --db " + db +
                               " --calibration-end 1997-09-30 --unit week --json");
    ASSERT_EQ(from_db.exit_code, 0) << from_db.err;
    const auto a = nlohmann::json::parse(from_file.out), b = nlohmann::json::parse(from_db.out);
    EXPECT_EQ(b["n_customers"], a["n_customers"]);
    EXPECT_GT(b["n_customers"].get<double>(), 2000);  // the sample has 2,357 customers
    EXPECT_NEAR(b["log_likelihood"].get<double>(), a["log_likelihood"].get<double>(), 1e-6);
    for (const auto& [name, value] : a["params"].items()) {
      EXPECT_NEAR(b["params"][name].get<double>(), value.get<double>(), 1e-6 * value.get<double>())
          << model << " " << name;
    }
  }

  // Scoring from the database gives one row per customer, like the file.
  const std::string params = temp("bg.json");
  ASSERT_EQ(clv("fit --model bgnbd --summary " + summary + " --out " + params).exit_code, 0);
  const CliRun file_scores =
      clv("score --params " + params + " --summary " + summary + " --horizon 39");
  const CliRun db_scores = clv("score --params " + params + " --db " + db +
                               " --calibration-end 1997-09-30 --horizon 39");
  ASSERT_EQ(db_scores.exit_code, 0) << db_scores.err;
  EXPECT_EQ(std::count(db_scores.out.begin(), db_scores.out.end(), '\n'),
            std::count(file_scores.out.begin(), file_scores.out.end(), '\n'));
}

TEST(FitSourcesCli, DatabaseFitNeedsACalibrationEnd) {
  const CliRun r = clv("fit --model bgnbd --db " + temp("none.db"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--calibration-end"), std::string::npos) << r.err;
}

// Fader & Hardie (2007), "How to project customer retention", Table 1 data
// and the published MLEs.
TEST(FitSourcesCli, SbgSurvivorCurvesReproduceFaderHardie) {
  struct Case {
    const char* name;
    std::string curve;
    double alpha, beta;
  };
  const Case cases[] = {
      {"regular", "period,survivors\n0,1000\n1,869\n2,743\n3,653\n4,593\n5,551\n6,517\n7,491\n",
       0.668, 3.806},
      {"highend", "period,survivors\n0,1000\n1,631\n2,468\n3,382\n4,326\n5,289\n6,262\n7,241\n",
       0.704, 1.182},
  };
  for (const Case& c : cases) {
    const std::string file = write(std::string(c.name) + ".csv", c.curve);
    const CliRun r = clv("fit --model sbg --summary " + file + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["model"], "sbg");
    EXPECT_EQ(j["time_unit"], "period");
    EXPECT_EQ(j["n_customers"], 1000);
    EXPECT_EQ(j["converged"], true);
    EXPECT_NEAR(j["params"]["alpha"].get<double>(), c.alpha, 0.0015) << c.name;
    EXPECT_NEAR(j["params"]["beta"].get<double>(), c.beta, 0.0015 * c.beta / c.alpha) << c.name;
    EXPECT_GT(j["std_errors"]["alpha"].get<double>(), 0.0);
  }
}

TEST(FitSourcesCli, SbgPerCustomerRowsEqualTheSurvivorCurve) {
  // Regular segment: lost per period 131, 126, 90, 60, 42, 34, 26; 491 active after 7.
  const int lost[] = {131, 126, 90, 60, 42, 34, 26};
  std::string rows = "periods,churned,count\n";
  for (int t = 1; t <= 7; ++t)
    rows += std::to_string(t) + ",1," + std::to_string(lost[t - 1]) + "\n";
  rows += "7,0,491\n";
  const CliRun by_customer =
      clv("fit --model sbg --summary " + write("rows.csv", rows) + " --json");
  ASSERT_EQ(by_customer.exit_code, 0) << by_customer.err;
  const CliRun by_curve =
      clv("fit --model sbg --json --summary " +
          write("curve.csv",
                "period,survivors\n0,1000\n1,869\n2,743\n3,653\n4,593\n5,551\n6,517\n7,491\n"));
  ASSERT_EQ(by_curve.exit_code, 0) << by_curve.err;
  const auto a = nlohmann::json::parse(by_customer.out), b = nlohmann::json::parse(by_curve.out);
  EXPECT_NEAR(a["log_likelihood"].get<double>(), b["log_likelihood"].get<double>(), 1e-9);
  EXPECT_NEAR(a["params"]["alpha"].get<double>(), b["params"]["alpha"].get<double>(), 1e-6);
}

TEST(FitSourcesCli, SbgRejectsBadRetentionFiles) {
  CliRun r =
      clv("fit --model sbg --summary " + write("gap.csv", "period,survivors\n0,1000\n2,800\n"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("period"), std::string::npos) << r.err;
  r = clv("fit --model sbg --summary " + write("up.csv", "period,survivors\n0,1000\n1,1200\n"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("non-increasing"), std::string::npos) << r.err;
  r = clv("fit --model sbg --summary " + write("cols.csv", "x,t_x,T\n1,2,3\n"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("period,survivors"), std::string::npos) << r.err;
}

TEST(FitSourcesCli, BgBbReportsPeriods) {
  const CliRun r = clv("fit --model bgbb --json --summary " + std::string(CLV_SHARED_DATA_DIR) +
                       "/donations/donations.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["time_unit"], "period");
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -33225.6, 0.1);
}

}  // namespace
