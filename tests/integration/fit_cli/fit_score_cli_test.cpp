#include <cstdlib>
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
constexpr auto clv = cli_test::run_clv;

const std::string kData = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/";

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(cell);
    rows.push_back(fields);
  }
  return rows;
}

TEST(FitCli, FitsBgNbdOnCdnowAsJson) {
  const std::string params = testing::TempDir() + "/bg.json";
  const CliRun r = clv("fit --model bgnbd --summary " + kData +
                       "cdnow_customers_summary.csv --json --out " + params);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "bgnbd");
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -9582.4, 0.1);
  EXPECT_NEAR(j["params"]["r"].get<double>(), 0.243, 0.0005);
  EXPECT_NEAR(j["params"]["alpha"].get<double>(), 4.414, 0.005);
  EXPECT_EQ(j["converged"], true);
  EXPECT_EQ(j["n_customers"], 2357);
  EXPECT_EQ(j["time_unit"], "week");
  EXPECT_EQ(nlohmann::json::parse(slurp(params)), j);  // --out saves the same
}

TEST(FitCli, ScoresEveryCustomerInOrderWithClv) {
  const std::string bg = testing::TempDir() + "/bg2.json", gg = testing::TempDir() + "/gg.json";
  const std::string fh = kData + "cdnow_customers_summary_with_transactions.csv";
  ASSERT_EQ(clv("fit --model bgnbd --summary " + fh + " --out " + bg).exit_code, 0);
  const CliRun g = clv("fit --model gg --summary " + fh + " --json --out " + gg);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NEAR(nlohmann::json::parse(g.out)["params"]["q"].get<double>(), 3.74, 0.015);

  const std::string scores = testing::TempDir() + "/scores.csv";
  const CliRun s =
      clv("score --params " + bg + " --summary " + fh + " --horizon 39 --spend-params " + gg +
          " --margin 0.3 --discount-rate 0.1 --out " + scores);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.err.find("week"), std::string::npos);  // says its time unit
  const auto rows = parse_csv(slurp(scores));
  ASSERT_EQ(rows.size(), 2358u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"customer_id", "p_alive", "expected_purchases",
                                               "expected_spend", "clv"}));
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u);
    EXPECT_EQ(rows[i][0], std::to_string(i));  // input order
    const double clv_value = std::stod(rows[i][4]);
    EXPECT_TRUE(clv_value >= 0 && clv_value < 1e6) << rows[i][4];
  }
  // Customer 1 is FHL's x = 2, t_x = 30.43, T = 38.86: 1.226 in 39 weeks.
  EXPECT_NEAR(std::stod(rows[1][2]), 1.226, 1e-3);
}

TEST(FitCli, ScoresWithAnOnTheFlyFitAndMbgNbd) {
  const CliRun s =
      clv("score --model mbgnbd --summary " + kData + "cdnow_customers_summary.csv --horizon 52");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto rows = parse_csv(s.out);
  ASSERT_EQ(rows.size(), 2358u);
  EXPECT_EQ(rows[0].size(), 3u);
  EXPECT_LT(std::stod(rows[3][1]), 1.0);  // MBG/NBD: x = 0 customers may be dead
}

TEST(FitCli, ClearErrors) {
  const CliRun unknown = clv("fit --model bgnd --summary " + kData + "cdnow_customers_summary.csv");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("available: bgnbd"), std::string::npos) << unknown.err;
  const CliRun db = clv("fit --model bgnbd --db x.db");
  EXPECT_NE(db.exit_code, 0);
  EXPECT_NE(db.err.find("--calibration-end"), std::string::npos) << db.err;
  const CliRun no_spend = clv("fit --model gg --summary " + kData + "cdnow_customers_summary.csv");
  EXPECT_NE(no_spend.err.find("spend column"), std::string::npos) << no_spend.err;

  const std::string bad = testing::TempDir() + "/unconverged.json";
  std::ofstream(bad)
      << R"({"model":"bgnbd","params":{"r":0.2,"alpha":4,"a":0.8,"b":2.4},"converged":false})";
  const CliRun refused = clv("score --params " + bad + " --summary " + kData +
                             "cdnow_customers_summary.csv --horizon 10");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--allow-unconverged"), std::string::npos) << refused.err;
  const CliRun forced = clv("score --allow-unconverged --params " + bad + " --summary " + kData +
                            "cdnow_customers_summary.csv --horizon 10");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.err.find("warning"), std::string::npos);
}

}  // namespace
