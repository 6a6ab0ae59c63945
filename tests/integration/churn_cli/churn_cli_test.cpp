// `clv churn` end to end: a simulated portfolio where unresolved incidents
// raise dropout, written as a summary CSV with covariate columns.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../../unit/churn/covariate_simulation.hpp"

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

std::string write_summary() {
  const double bp[2] = {-0.25, 0.0}, bd[2] = {0.6, -0.18};
  const auto data =
      clv::testing_support::simulate_incident_portfolio(1500, 0.9, 8.0, 0.8, 15.0, bp, bd, 26, 5);
  const std::string path = testing::TempDir() + "/churn_summary.csv";
  std::ofstream out(path);
  out << "customer_id,frequency,recency,T,unresolved,empathy\n";
  for (size_t i = 0; i < data.x.size(); ++i) {
    out << "c" << i << "," << data.x[i] << "," << data.t_x[i] << "," << data.T[i] << ","
        << data.raw.at(i, 0) << "," << data.raw.at(i, 1) << "\n";
  }
  return path;
}

TEST(ChurnCli, ScoresRanksAndStoresTheRun) {
  const std::string summary = write_summary();
  const std::string db = testing::TempDir() + "/churn_cli.db";
  std::remove(db.c_str());
  const CliRun r = clv("churn --summary " + summary +
                       " --covariates static:unresolved,static:empathy --horizon 26 --top 5 "
                       "--json --db " +
                       db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["customers"].size(), 5u);
  double previous = 1e300;
  for (const auto& c : j["customers"]) {
    const double risk = c["churn_risk"].get<double>();
    const double value = c["value_at_risk"].get<double>();
    EXPECT_LE(value, previous);  // highest value at risk first
    previous = value;
    EXPECT_GE(risk, 0.0);
    EXPECT_GE(c["p_alive"].get<double>(), 0.0);
    EXPECT_LE(c["p_alive"].get<double>(), 1.0);
    EXPECT_FALSE(c["drivers"].empty());
  }
  // Unresolved incidents raise dropout in the simulation: positive gamma.
  EXPECT_GT(j["model"]["gamma_dropout"][0].get<double>(), 0.0);

  SQLite::Database store(db);
  const int64_t run = j["run_id"].get<int64_t>();
  SQLite::Statement scores(store, "SELECT COUNT(*) FROM churn_scores WHERE run_id = ?");
  scores.bind(1, run);
  ASSERT_TRUE(scores.executeStep());
  EXPECT_EQ(scores.getColumn(0).getInt(), 1500);
  SQLite::Statement params(store, "SELECT COUNT(*) FROM run_parameters WHERE run_id = ?");
  params.bind(1, run);
  ASSERT_TRUE(params.executeStep());
  EXPECT_EQ(params.getColumn(0).getInt(), 8);
}

TEST(ChurnCli, ExplainsBadCovariateSpecs) {
  const std::string summary = write_summary();
  CliRun r =
      clv("churn --summary " + summary + " --covariates static:nosuch --horizon 26 --no-store");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
  r = clv("churn --summary " + summary + " --covariates bogus --horizon 26 --no-store");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("static:COLUMN"), std::string::npos) << r.err;
}

}  // namespace

namespace {

TEST(FitCovariatesCli, FitsParetoNbdWithStaticCovariates) {
  const std::string summary = write_summary();
  const CliRun r = clv("fit --model pnbd --summary " + summary +
                       " --covariates static:unresolved,static:empathy --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.dump().find("dropout:unresolved") != std::string::npos, true) << r.out;
  const CliRun wrong =
      clv("fit --model bgnbd --summary " + summary + " --covariates static:empathy");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("pnbd"), std::string::npos) << wrong.err;
}

}  // namespace
