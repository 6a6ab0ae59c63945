#include <cmath>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/model_registry.hpp"
#include "models/params_json.hpp"
#include "models/summary_csv.hpp"

namespace clv {
namespace {

std::string write_file(const char* name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(SummaryCsv, ReadsLifetimesHeaders) {
  const SummaryTable t = read_summary_csv(write_file(
      "lt.csv", "ID,frequency,recency,T,monetary_value\na,2,30.43,38.86,22.5\nb,0,0,38.86,0\n"));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.customer_id[0], "a");
  EXPECT_EQ(t.x[0], 2);
  EXPECT_EQ(t.t_x[0], 30.43);
  EXPECT_EQ(t.T[1], 38.86);
  EXPECT_EQ(t.monetary[0], 22.5);
  EXPECT_TRUE(t.weight.empty());
}

TEST(SummaryCsv, ReadsFaderHardieHeadersAndTheRealFile) {
  const SummaryTable t = read_summary_csv(std::string(CLV_SHARED_DATA_DIR) +
                                          "/cdnow/cdnow_customers_summary_with_transactions.csv");
  ASSERT_EQ(t.size(), 2357u);  // the file has no trailing newline
  double sum_x = 0;
  for (double x : t.x) sum_x += x;
  EXPECT_EQ(sum_x, 2457);
  EXPECT_EQ(t.customer_id.back(), "2357");
}

TEST(SummaryCsv, ReadsBgBbHeadersWithWeightsAndNumbersRowsWithoutId) {
  const SummaryTable t = read_summary_csv(
      write_file("bgbb.csv", "frequency,recency,periods,weights\n6,6,6,1203\n0,0,6,3464\n"));
  EXPECT_EQ(t.T_column, "periods");
  EXPECT_EQ(t.weight[1], 3464);
  EXPECT_EQ(t.customer_id[1], "2");
}

TEST(SummaryCsv, ErrorsNameTheProblem) {
  try {
    read_summary_csv(write_file("bad1.csv", "id,count,last\n1,2,3\n"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("frequency,recency,T"), std::string::npos);
  }
  try {
    read_summary_csv(write_file("bad2.csv", "x,t_x,T\n1,2,3\n1,two,3\n"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_summary_csv(testing::TempDir() + "/does_not_exist.csv"), Error);
}

TEST(ParamsJson, RoundTripsTheContractFormat) {
  FitResult fit;
  fit.model = "bgnbd";
  fit.param_names = {"r", "alpha", "a", "b"};
  fit.params = {0.243, 4.414, 0.793, 2.426};
  fit.std_errors = {0.01, 0.4, 0.2, 0.7};
  fit.log_likelihood = -9582.4;
  fit.converged = true;
  fit.iterations = 19;
  fit.n_customers = 2357;
  const auto j = fit_result_to_json(fit);
  EXPECT_EQ(j["params"]["alpha"], 4.414);
  EXPECT_EQ(j["time_unit"], "week");
  for (const char* key : {"model", "params", "std_errors", "log_likelihood", "aic", "bic",
                          "converged", "iterations", "n_customers", "time_unit"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  const std::string path = testing::TempDir() + "/params.json";
  write_params_file(path, fit);
  const FitResult back = read_params_file(path);
  EXPECT_EQ(back.params, fit.params);
  EXPECT_EQ(back.param_names, fit.param_names);
  EXPECT_TRUE(back.converged);
}

TEST(ParamsJson, RejectsMissingOrBadParameters) {
  EXPECT_THROW(fit_result_from_json(nlohmann::json::parse(R"({"model":"bgnbd","params":{"r":1}})")),
               Error);
  EXPECT_THROW(fit_result_from_json(
                   nlohmann::json::parse(R"({"model":"gg","params":{"p":1,"q":-2,"gamma":1}})")),
               Error);
  EXPECT_THROW(fit_result_from_json(nlohmann::json::parse(R"({"model":"nope","params":{}})")),
               Error);
  EXPECT_THROW(read_params_file(write_file("bad.json", "{not json")), Error);
}

TEST(ModelRegistry, KnowsItsModelsAndListsThemOnError) {
  EXPECT_EQ(find_model("bgnbd").param_names, (std::vector<std::string>{"r", "alpha", "a", "b"}));
  EXPECT_EQ(find_model("gg").kind, ModelRole::kSpend);
  try {
    find_model("bgnd");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mbgnbd"), std::string::npos);
  }
}

}  // namespace
}  // namespace clv
