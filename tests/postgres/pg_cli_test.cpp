// `clv pg run` and `clv pg summary` against the test server: results as
// JSON, the connection string's password never printed, errors on stderr.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "pg_fixture.hpp"
#include "support/cli_run.hpp"

namespace {

using clv_test::pg_servers;

TEST(PgCli, RunWritesScoresAndHidesThePassword) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  const std::string source = pg_servers().single->conninfo("crm") + " password=hunter2";
  const std::string file = testing::TempDir() + "/source.txt";
  std::ofstream(file) << source << "\n";
  const auto r = cli_test::run_clv("pg run --source-file " + file + " --mapping " +
                                   clv_test::orders_mapping_path() +
                                   " --calibration-end 2025-06-30 --model bgnbd --horizon 26 "
                                   "--run-id cli-run --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["run_id"], "cli-run");
  EXPECT_EQ(j["count_fit"]["model"], "bgnbd");
  EXPECT_GT(j["customers_scored"].get<int>(), 200);
  EXPECT_NE(j["source"].get<std::string>().find("password=***"), std::string::npos);
  EXPECT_EQ(
      pg_servers().single->psql(
          "SELECT count(*) = (SELECT customers FROM clv_scores_runs WHERE run_id = 'cli-run') "
          "FROM clv_scores WHERE run_id = 'cli-run'",
          "crm"),
      "t\n");

  const std::string csv = testing::TempDir() + "/pg_summary.csv";
  const auto s =
      cli_test::run_clv("pg summary --source '" + pg_servers().single->conninfo("crm") +
                        "' --mapping " + clv_test::orders_mapping_path() +
                        " --calibration-end 2025-06-30 --holdout-end 2025-12-31 --out " + csv);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::ifstream in(csv);
  // The summary records its unit and calibration end, then the usual header.
  std::string unit_line, header;
  std::getline(in, unit_line);
  std::getline(in, header);
  EXPECT_EQ(unit_line, "# clv: unit=week days=7 calibration_end=2025-06-30");
  EXPECT_EQ(header.rfind("customer_id,frequency,recency,T,monetary_value", 0), 0u) << header;
}

TEST(PgCli, UnreachableServerIsOneClearLine) {
  CLV_REQUIRE_PG();
  const auto r = cli_test::run_clv(
      "pg run --source 'host=127.0.0.1 port=1 password=hunter2 connect_timeout=3' "
      "--calibration-end 2025-06-30");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot connect to PostgreSQL at"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

}  // namespace
