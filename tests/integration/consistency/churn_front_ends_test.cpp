// Churn fits and service breakdowns through the three front ends on one
// database (the retail sample portfolio with employees and incidents): `clv
// churn --json` / `clv service --json`, clv_churn_fit_json /
// clv_service_report_json (libclv.so) and POST /v1/churn/fit / GET
// /v1/service on `clv serve` run the same core code (clv::run_churn,
// clv::run_service_report), so they give the same log-likelihood,
// coefficients, at-risk list and per-site figures. The plain churn model is
// also checked against `clv fit --model pnbd` on the database's summary.
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "clv/c_api.h"
#include "support/cli_run.hpp"
#include "support/serve_child.hpp"

namespace {

using cli_test::run_clv;
using nlohmann::json;

const std::string kPluginDir = std::string(CLV_BINARY_DIR) + "/plugins";
constexpr const char* kEnd = "2026-06-30";
constexpr const char* kCovariates = "unresolved,resolution,satisfaction,empathy,tact";

std::string take(char* text) {
  std::string s = text ? text : "";
  clv_free(text);
  return s;
}

void expect_near(const json& a, const json& b, const std::string& what, double rel = 1e-8) {
  ASSERT_TRUE(a.is_number() && b.is_number()) << what << ": " << a << " vs " << b;
  const double x = a.get<double>(), y = b.get<double>();
  EXPECT_NEAR(x, y, rel * (1 + std::abs(y))) << what;
}

// Two churn results (`clv churn --json` shape) describe the same fit and the
// same at-risk list; run ids and notes naming them may differ.
void expect_same_churn(const json& a, const json& b, const std::string& who) {
  EXPECT_EQ(a["time_unit"], b["time_unit"]) << who;
  EXPECT_EQ(a["horizon"], b["horizon"]) << who;
  EXPECT_EQ(a["customers_scored"], b["customers_scored"]) << who;
  expect_near(a["model"]["log_likelihood"], b["model"]["log_likelihood"], who + " LL");
  ASSERT_EQ(a["parameters"].size(), b["parameters"].size()) << who;
  for (size_t i = 0; i < a["parameters"].size(); ++i) {
    const json& p = a["parameters"][i];
    const json& q = b["parameters"][i];
    EXPECT_EQ(p["name"], q["name"]) << who;
    expect_near(p["estimate"], q["estimate"], who + " " + p["name"].get<std::string>());
    expect_near(p["std_error"], q["std_error"], who + " se " + p["name"].get<std::string>(), 1e-6);
  }
  ASSERT_EQ(a["effects"].size(), b["effects"].size()) << who;
  for (size_t i = 0; i < a["effects"].size(); ++i) {
    EXPECT_EQ(a["effects"][i]["covariate"], b["effects"][i]["covariate"]) << who;
    EXPECT_EQ(a["effects"][i]["verdict"], b["effects"][i]["verdict"]) << who;
    expect_near(a["effects"][i]["gamma"], b["effects"][i]["gamma"], who + " effect");
  }
  // The plain model's fit check (clv fit's misfit warning) on every front end.
  ASSERT_TRUE(a["fit_check"].is_object()) << who << ": " << a.dump().substr(0, 300);
  ASSERT_TRUE(b["fit_check"].is_object()) << who << ": " << b.dump().substr(0, 300);
  EXPECT_EQ(a["fit_check"]["misfit"], b["fit_check"]["misfit"]) << who;
  EXPECT_EQ(a["fit_check"]["warnings"], b["fit_check"]["warnings"]) << who;
  expect_near(a["fit_check"]["expected_repeat_purchases"],
              b["fit_check"]["expected_repeat_purchases"], who + " fit check expected", 1e-6);
  expect_near(a["fit_check"]["actual_repeat_purchases"], b["fit_check"]["actual_repeat_purchases"],
              who + " fit check actual");
  ASSERT_EQ(a["customers"].size(), b["customers"].size()) << who;
  for (size_t i = 0; i < a["customers"].size(); ++i) {
    const json& x = a["customers"][i];
    const json& y = b["customers"][i];
    // Keyed like every other JSON output.
    EXPECT_TRUE(x.contains("customer_id") && !x.contains("customer")) << who << x.dump();
    EXPECT_TRUE(y.contains("customer_id") && !y.contains("customer")) << who << y.dump();
    EXPECT_EQ(x["customer_id"], y["customer_id"]) << who << " rank " << i;
    expect_near(x["churn_risk"], y["churn_risk"], who + " churn risk");
    expect_near(x["value_at_risk"], y["value_at_risk"], who + " value at risk");
  }
}

// The per-group figures of two service reports.
void expect_same_service(const json& a, const json& b, const std::string& who) {
  EXPECT_EQ(a["by"], b["by"]) << who;
  EXPECT_EQ(a["fit_run"], b["fit_run"]) << who;
  EXPECT_EQ(a["customers"], b["customers"]) << who;
  expect_near(a["total_attributable_churn"], b["total_attributable_churn"], who + " total");
  ASSERT_EQ(a["groups"].size(), b["groups"].size()) << who;
  for (size_t i = 0; i < a["groups"].size(); ++i) {
    const json& g = a["groups"][i];
    const json& h = b["groups"][i];
    const std::string name = g["group"];
    EXPECT_EQ(name, h["group"]) << who;
    EXPECT_EQ(g["customers"], h["customers"]) << who << " " << name;
    EXPECT_EQ(g["incidents"], h["incidents"]) << who << " " << name;
    // Sites only (absent for other breakdowns); null for a site of no one region.
    for (const char* key : {"rank_in_region", "unranked_reason"}) {
      EXPECT_EQ(g.contains(key), h.contains(key)) << who << " " << name << " " << key;
      if (g.contains(key) && h.contains(key)) {
        EXPECT_EQ(g.at(key), h.at(key)) << who << " " << name << " " << key;
      }
    }
    for (const char* key : {"incidents_per_100_customers", "attributable_churn", "clv_at_risk"}) {
      expect_near(g[key], h[key], who + " " + name + " " + key);
    }
    EXPECT_EQ(g["resolved_within_sla"], h["resolved_within_sla"]) << who << " " << name;
    EXPECT_EQ(g["mean_satisfaction"], h["mean_satisfaction"]) << who << " " << name;
  }
  EXPECT_EQ(a["figures"], b["figures"]) << who;
  // Word of mouth: the same core function and the retail plugin's referral value.
  EXPECT_EQ(a["word_of_mouth"], b["word_of_mouth"]) << who;
  EXPECT_EQ(a["word_of_mouth"]["assumptions"]["conversion"], 0.01) << who;
}

TEST(ChurnFrontEnds, CliCApiAndHttpGiveTheSameChurnRunsAndServiceFigures) {
  ASSERT_TRUE(std::filesystem::exists(kPluginDir + "/retail/manifest.json")) << kPluginDir;
  const std::string data = std::string(CLV_SOURCE_DIR) + "/data/retail";
  const std::string dir = testing::TempDir() + "/consistency_churn";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/clv.db";
  const std::string plugins = " --plugin-dir " + kPluginDir;
  for (const char* entity : {"employees", "customers", "transactions", "incidents"}) {
    const auto r = run_clv(fmt::format("import {} {}/{}.csv --sector retail --db {}{}", entity,
                                       data, entity, db, plugins));
    ASSERT_EQ(r.exit_code, 0) << entity << ": " << r.err;
  }

  // CLI: a covariate churn run, the plain one, and the service breakdowns of
  // the covariate fit just stored.
  auto r = run_clv(fmt::format(
      "churn --db {} --calibration-end {} --covariates {} --horizon 26 --top 25 --json{}", db, kEnd,
      kCovariates, plugins));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json cli_cov = json::parse(r.out);
  const int64_t fit_run = cli_cov["fit_run_id"].get<int64_t>();
  ASSERT_GT(fit_run, 0);
  r = run_clv(fmt::format("churn --db {} --plain --calibration-end {} --horizon 26 --top 25 --json",
                          db, kEnd));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json cli_plain = json::parse(r.out);
  std::map<std::string, json> cli_service;
  for (const std::string by : {"location", "department"}) {
    r = run_clv(fmt::format("service --db {} --by {} --horizon 26 --run {} --json{}", db, by,
                            fit_run, plugins));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    cli_service[by] = json::parse(r.out);
  }

  // The C API on the same file (the engine's observation end is the
  // calibration end, its plugins those of the CLI).
  const json cov_request = {{"horizon", 26}, {"covariates", kCovariates}, {"top", 25}};
  const json plain_request = {{"horizon", 26}, {"plain", true}, {"top", 25}};
  const json options = {{"plugin_dirs", {kPluginDir}}, {"observation_end", kEnd}};
  clv_engine* engine = nullptr;
  ASSERT_EQ(clv_engine_open(db.c_str(), options.dump().c_str(), &engine), CLV_OK)
      << clv_last_error();
  char* text = nullptr;
  ASSERT_EQ(clv_churn_fit_json(engine, cov_request.dump().c_str(), &text), CLV_OK)
      << clv_last_error();
  const json c_cov = json::parse(take(text));
  ASSERT_EQ(clv_churn_fit_json(engine, plain_request.dump().c_str(), &text), CLV_OK)
      << clv_last_error();
  const json c_plain = json::parse(take(text));
  std::map<std::string, json> c_service;
  for (const std::string by : {"location", "department"}) {
    const json request = {{"by", by}, {"horizon", 26}, {"run", fit_run}};
    ASSERT_EQ(clv_service_report_json(engine, request.dump().c_str(), &text), CLV_OK)
        << clv_last_error();
    c_service[by] = json::parse(take(text));
  }
  clv_engine_close(engine);

  // HTTP.
  json http_cov, http_plain;
  std::map<std::string, json> http_service;
  {
    cli_test::ServeChild server(
        {"--db", db, "--port", "0", "--observation-end", kEnd, "--plugin-dir", kPluginDir});
    ASSERT_GT(server.port(), 0);
    auto client = server.client();
    client.set_read_timeout(300, 0);
    auto h = client.Post("/v1/churn/fit", cov_request.dump(), "application/json");
    ASSERT_TRUE(h);
    ASSERT_EQ(h->status, 201) << h->body;
    http_cov = json::parse(h->body);
    h = client.Post("/v1/churn/fit", plain_request.dump(), "application/json");
    ASSERT_TRUE(h);
    ASSERT_EQ(h->status, 201) << h->body;
    http_plain = json::parse(h->body);
    for (const std::string by : {"location", "department"}) {
      h = client.Get(fmt::format("/v1/service?by={}&horizon=26&run={}", by, fit_run).c_str());
      ASSERT_TRUE(h);
      ASSERT_EQ(h->status, 200) << h->body;
      http_service[by] = json::parse(h->body);
    }
  }

  // Each front end stored its own runs of the same fit.
  EXPECT_GT(c_cov["fit_run_id"].get<int64_t>(), fit_run);
  EXPECT_GT(http_cov["fit_run_id"].get<int64_t>(), c_cov["fit_run_id"].get<int64_t>());
  EXPECT_GT(http_plain["run_id"].get<int64_t>(), c_plain["run_id"].get<int64_t>());
  expect_same_churn(cli_cov, c_cov, "covariates: CLI vs C API");
  expect_same_churn(cli_cov, http_cov, "covariates: CLI vs HTTP");
  expect_same_churn(cli_plain, c_plain, "plain: CLI vs C API");
  expect_same_churn(cli_plain, http_plain, "plain: CLI vs HTTP");
  for (const std::string by : {"location", "department"}) {
    expect_same_service(cli_service[by], c_service[by], by + ": CLI vs C API");
    expect_same_service(cli_service[by], http_service[by], by + ": CLI vs HTTP");
    EXPECT_EQ(c_service[by], http_service[by]) << by;  // the same JSON text
  }
  ASSERT_GT(cli_service["location"]["groups"].size(), 1u);
  ASSERT_EQ(cli_cov["customers"].size(), 25u);
  EXPECT_GT(cli_cov["effects"].size(), 0u);
  EXPECT_EQ(cli_plain["effects"].size(), 0u);

  // The plain churn model is the Pareto/NBD `clv fit` gives on the
  // database's summary at the same calibration end.
  const std::string summary = dir + "/summary.csv";
  r = run_clv(
      fmt::format("summary --db {} --calibration-end {} --unit week --out {}", db, kEnd, summary));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_clv("fit --model pnbd --summary " + summary + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json fit = json::parse(r.out);
  for (const json& p : cli_plain["parameters"]) {
    const std::string name = p["name"];
    ASSERT_TRUE(fit["params"].contains(name)) << r.out.substr(0, 400);
    expect_near(p["estimate"], fit["params"][name], "plain churn vs clv fit: " + name, 1e-3);
  }
  expect_near(cli_plain["model"]["log_likelihood"], fit["log_likelihood"],
              "plain churn vs clv fit: LL", 1e-6);
}

}  // namespace
