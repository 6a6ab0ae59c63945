// One request through the three front ends: `clv predict --json`,
// clv_predict_json (libclv.so) and POST /v1/predict on `clv serve` return the
// same JSON, number for number (they share clv::predict and its JSON); the
// summary of transactions without amounts likewise through `clv summary`,
// clv_summarize_json and POST /v1/summary.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "clv/c_api.h"
#include "support/cli_run.hpp"
#include "support/serve_child.hpp"

namespace {

using nlohmann::json;

TEST(PredictFrontEnds, CliCApiAndHttpGiveTheSameNumbers) {
  const std::string dir = testing::TempDir() + "/predict_front_ends";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const json fit = {
      {"model", "pnbd"},
      {"params", {{"r", 0.5533}, {"alpha", 10.5776}, {"s", 0.6061}, {"beta", 11.665}}},
      {"converged", true},
      {"time_unit", "week"}};
  std::ofstream(dir + "/fit.json") << fit.dump();
  std::ofstream(dir + "/summary.csv") << "customer_id,frequency,recency,T\n"
                                         "a,2,30.43,38.86\nb,0,0,38.86\nc,7,35,36\n";
  const json request = {{"fit", fit},
                        {"t", 52},
                        {"pmf", {{"from", 0}, {"to", 8}}},
                        {"customers",
                         {{{"id", "a"}, {"x", 2}, {"t_x", 30.43}, {"T", 38.86}},
                          {{"id", "b"}, {"x", 0}, {"t_x", 0}, {"T", 38.86}},
                          {{"id", "c"}, {"x", 7}, {"t_x", 35}, {"T", 36}}}},
                        {"spend_per_purchase", 25},
                        {"margin", 0.4},
                        {"discount_rate", 0.1}};

  const auto cli = cli_test::run_clv("predict --params " + dir + "/fit.json --summary " + dir +
                                     "/summary.csv --t 52 --pmf 0..8 --spend 25 --margin 0.4 "
                                     "--discount-rate 0.1 --json");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const json from_cli = json::parse(cli.out);

  char* text = nullptr;
  ASSERT_EQ(clv_predict_json(request.dump().c_str(), &text), CLV_OK) << clv_last_error();
  const json from_c = json::parse(text);
  clv_free(text);
  EXPECT_EQ(clv_predict_json("{\"t\": 1}", &text), CLV_INVALID_ARGUMENT);
  EXPECT_EQ(text, nullptr);
  EXPECT_NE(std::string(clv_last_error()).find("\"fit\" is required"), std::string::npos);

  json from_http;
  {
    cli_test::ServeChild server({"--db", dir + "/clv.db", "--port", "0"});
    ASSERT_GT(server.port(), 0);
    auto client = server.client();
    const auto r = client.Post("/v1/predict", request.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    from_http = json::parse(r->body);
    const auto bad = client.Post("/v1/predict", R"({"fit": {"model": "gg", "params":
        {"p": 6, "q": 4, "gamma": 16}}, "t": 5})",
                                 "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << bad->body;
    EXPECT_NE(bad->body.find("not a purchase-count model"), std::string::npos) << bad->body;
    const auto get = client.Get("/v1/predict");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 405);
  }

  ASSERT_EQ(from_c["pmf"].size(), 9u);
  ASSERT_EQ(from_c["customers"].size(), 3u);
  EXPECT_GT(from_c["customers"][2]["clv"].get<double>(), 0);
  // Identical JSON, doubles included (all three print with round-trip precision).
  EXPECT_EQ(from_cli, from_c);
  EXPECT_EQ(from_http, from_c);
}

// Transactions without an amount column (the shape of lifetimes'
// example_transactions.csv).
TEST(SummaryFrontEnds, TransactionsWithoutAmountsGiveTheSameSummary) {
  const std::string dir = testing::TempDir() + "/summary_front_ends";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string text =
      "date,id\n2014-01-01 00:00:00,a\n2014-01-08 00:00:00,a\n2014-01-08 00:00:00,a\n"
      "2014-02-12 00:00:00,a\n2014-01-05 00:00:00,b\n2014-03-01 00:00:00,c\n"
      "2014-03-15 00:00:00,c\n2014-05-01 00:00:00,c\n";
  std::ofstream(dir + "/tx.csv") << text;
  const auto cli = cli_test::run_clv("summary --transactions " + dir +
                                     "/tx.csv --map customer_id=id --map timestamp=date "
                                     "--calibration-end 2014-03-31 --unit week --out " +
                                     dir + "/summary.csv");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const json request = {{"transactions", text},
                        {"calibration_end", "2014-03-31"},
                        {"unit", "week"},
                        {"map", {{"customer_id", "id"}, {"timestamp", "date"}}}};
  char* out = nullptr;
  ASSERT_EQ(clv_summarize_json(request.dump().c_str(), &out), CLV_OK) << clv_last_error();
  const json from_c = json::parse(out);
  clv_free(out);
  json from_http;
  {
    cli_test::ServeChild server({"--db", dir + "/clv.db", "--port", "0"});
    ASSERT_GT(server.port(), 0);
    const auto r = server.client().Post("/v1/summary", request.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    from_http = json::parse(r->body);
  }
  EXPECT_EQ(from_http, from_c);
  EXPECT_EQ(from_c["has_amounts"], false);
  // a: days 0, 7 (twice), 42 -> x = 2, t_x = 6 weeks, T = 89 days; b: x = 0;
  // c: purchases on 2014-05-01 are after the calibration end.
  const json& customers = from_c["customers"];
  ASSERT_EQ(customers.size(), 3u);
  EXPECT_EQ(customers[0]["id"], "a");
  EXPECT_EQ(customers[0]["frequency"], 2);
  EXPECT_DOUBLE_EQ(customers[0]["recency"].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(customers[0]["T"].get<double>(), 89.0 / 7.0);
  EXPECT_FALSE(customers[0].contains("monetary_value"));
  EXPECT_EQ(customers[2]["frequency"], 1);

  // The CLI's CSV holds the same numbers.
  std::ifstream csv(dir + "/summary.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("# clv: unit=week", 0), 0u) << line;  // the unit travels with it
  std::getline(csv, line);
  EXPECT_EQ(line, "customer_id,frequency,recency,T");
  for (const json& c : customers) {
    ASSERT_TRUE(std::getline(csv, line));
    std::string id;
    double x = 0, t_x = 0, T = 0;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream(line) >> id >> x >> t_x >> T;
    EXPECT_EQ(id, c["id"]);
    EXPECT_EQ(x, c["frequency"].get<double>());
    EXPECT_EQ(t_x, c["recency"].get<double>());
    EXPECT_EQ(T, c["T"].get<double>());
  }
}

}  // namespace
