// What the library computes, reached from the CLI: `clv predict` (P(X(t)=k),
// E[X(t)] of a new customer, CLV with a fixed spend), `clv score --spend`,
// `clv fit --dynamic-covariates` (CLVTools' apparelDynCov) and `clv summary`
// of a file without an amount column (lifetimes' example_transactions).
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
using nlohmann::json;
constexpr auto clv = cli_test::run_clv;
const std::string kShared = std::string(CLV_SHARED_DATA_DIR);

std::string write(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/reach_" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kCdnowBgNbd =
    R"({"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}})";

TEST(ReachCli, PredictPrintsPmfAndExpectedPurchasesOfANewCustomer) {
  const std::string params = write("bgnbd.json", kCdnowBgNbd);
  const CliRun r = clv("predict --params " + params + " --t 39 --pmf 0..5 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["pmf"].size(), 6u);
  // FHL (2005) eq. 8 on the CDNOW estimates (Python reference).
  EXPECT_NEAR(j["pmf"][0]["probability"].get<double>(), 0.573786352096009, 1e-12);
  EXPECT_NEAR(j["pmf"][1]["probability"].get<double>(), 0.199395280835911, 1e-12);
  EXPECT_GT(j["expected_purchases_new"].get<double>(), 0.5);

  const CliRun table = clv("predict --params " + params + " --t 39 --pmf 2");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("0.08542976"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("E[X(t)]"), std::string::npos) << table.out;

  const CliRun bad = clv("predict --params " + params + " --t 39 --pmf 5..2");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--pmf '5..2'"), std::string::npos) << bad.err;
}

TEST(ReachCli, PredictGivesBgBbDistributionOfDonationsInSixPeriods) {
  const std::string params = write("bgbb.json", R"({"model": "bgbb", "params": {"alpha": 1.204,
      "beta": 0.750, "gamma": 0.657, "delta": 2.783}})");
  const CliRun r = clv("predict --params " + params + " --t 6 --pmf 0..6 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["time_unit"], "period");
  // FHS (2010) Figure 3: 3,456 of 11,104 donors expected with no donation.
  EXPECT_NEAR(j["pmf"][0]["probability"].get<double>() * 11104, 3455.76182120179, 1e-6);
  EXPECT_NEAR(j["pmf_mass"].get<double>(), 1.0, 1e-12);
}

TEST(ReachCli, ScoreWithAFixedSpendValuesEveryCustomer) {
  // clv score wants a converged fit: the published CDNOW estimates as one.
  const std::string params =
      write("bgnbd_score.json",
            R"({"model": "bgnbd", "converged": true, "time_unit": "week", "params": {"r": 0.243,
          "alpha": 4.414, "a": 0.793, "b": 2.426}})");
  const std::string summary = kShared + "/cdnow/cdnow_customers_summary.csv";
  const CliRun r = clv("score --params " + params + " --summary " + summary +
                       " --horizon 52 --spend 20 --margin 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::stringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "customer_id,p_alive,expected_purchases,expected_spend,clv");
  int rows = 0;
  while (std::getline(lines, line)) {
    double p = 0, e = 0, spend = 0, value = 0;
    const size_t comma = line.find(',');
    ASSERT_EQ(std::sscanf(line.c_str() + comma + 1, "%lf,%lf,%lf,%lf", &p, &e, &spend, &value), 4)
        << line;
    EXPECT_EQ(spend, 20);
    // No discounting: CLV = margin x spend x expected purchases.
    EXPECT_NEAR(value, 0.5 * 20 * e, 1e-7 * (1 + value)) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 2357);
  const CliRun both = clv("score --params " + params + " --summary " + summary +
                          " --horizon 52 --spend 20 --spend-params " + params);
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
  const CliRun negative =
      clv("score --params " + params + " --summary " + summary + " --horizon 52 --spend -3");
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.err.find("spend per purchase"), std::string::npos) << negative.err;
}

// The same fit as the library test tests/unit/churn/apparel_dynamic_test.cpp
// (LL -5752.623, docs/churn.md), from the two CSV files as CLVTools takes them.
TEST(ReachCli, FitsTimeVaryingCovariatesFromPerPeriodColumns) {
  const std::string out = testing::TempDir() + "/reach_dyncov.json";
  const CliRun r = clv("fit --model pnbd --transactions " + kShared +
                       "/apparel/apparelTrans.csv --map customer_id=Id --map timestamp=Date "
                       "--calibration-end 2006-12-31 --dynamic-covariates " +
                       kShared +
                       "/apparel/apparelDynCov.csv --covariate-date Cov.Date "
                       "--covariate-columns High.Season,Gender,Channel --json --out " +
                       out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["converged"], true);
  EXPECT_EQ(j["n_customers"], 600);
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -5752.623, 0.01);
  EXPECT_NEAR(j["params"]["purchase:High.Season"].get<double>(), 0.3111, 0.001);
  EXPECT_NEAR(j["params"]["r"].get<double>(), 2.1591, 0.002);
  EXPECT_FALSE(slurp(out).empty());

  // A covariate file that starts after the first purchases is refused with
  // its line.
  const std::string late = write("late_cov.csv", "Id,Cov.Date,High.Season\n1,2005-01-09,0\n");
  const std::string tx = write("late_tx.csv", "Id,Date\n1,2005-01-02\n1,2005-02-01\n");
  const CliRun bad = clv("fit --model pnbd --transactions " + tx +
                         " --map customer_id=Id --map timestamp=Date --calibration-end "
                         "2005-12-31 --dynamic-covariates " +
                         late + " --covariate-date Cov.Date");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("late_cov.csv:2"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("after the first purchase"), std::string::npos) << bad.err;
}

// lifetimes' example_transactions.csv has `date,id` and no amounts: the
// summary has frequency, recency and T and no monetary_value column.
TEST(ReachCli, SummarisesATransactionFileWithoutAmounts) {
  const std::string out = testing::TempDir() + "/reach_noamount.csv";
  const CliRun r = clv("summary --transactions " + kShared +
                       "/example_transactions/example_transactions.csv --map customer_id=id "
                       "--map timestamp=date --calibration-end 2014-12-31 --unit day --out " +
                       out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no amount column"), std::string::npos) << r.err;
  const json report = json::parse(r.out);
  EXPECT_EQ(report["customers"], 5000);
  EXPECT_EQ(report["has_amounts"], false);
  EXPECT_EQ(report["rows"]["rejected"], 0);
  std::stringstream lines(slurp(out));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("# clv: unit=", 0), 0u) << line;  // the unit travels with it
  std::getline(lines, line);
  EXPECT_EQ(line, "customer_id,frequency,recency,T");
  // 15,273 rows, 1,003 of them exact (customer, day) duplicates: 14,270
  // distinct purchase days of 5,000 customers, so sum(x) = 9,270.
  double total_x = 0;
  while (std::getline(lines, line)) {
    const auto first = line.find(',');
    total_x += std::stod(line.substr(first + 1));
  }
  EXPECT_EQ(total_x, 9270);

  // The summary fits as it is (no spend model needed).
  const CliRun fit = clv("fit --model bgnbd --summary " + out + " --time-unit day --json");
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_EQ(json::parse(fit.out)["converged"], true);
}

}  // namespace
