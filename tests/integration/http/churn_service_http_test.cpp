// POST /v1/churn/fit and GET /v1/service on `clv serve`, over the retail
// sample portfolio (employees, customers, transactions, incidents): the plain
// and the covariate churn fit, the churn drivers they store, the breakdowns
// by site, department, employee and region, and every refusal (400 naming the
// field, 404 unknown run, 405, 409 no_run).
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "serve_process.hpp"
#include "support/cli_run.hpp"

namespace {

using nlohmann::json;
using namespace clv_test;

const std::string kPlugins = std::string(CLV_BINARY_DIR) + "/plugins";

std::string import_retail(const std::string& name) {
  const std::string db = fresh_db(name);
  const std::string data = std::string(CLV_SOURCE_DIR) + "/data/retail/";
  for (const char* entity : {"employees", "customers", "transactions", "incidents"}) {
    const auto r =
        cli_test::run_clv(fmt::format("import {} {}{}.csv --sector retail --db {} "
                                      "--plugin-dir {}",
                                      entity, data, entity, db, kPlugins));
    EXPECT_EQ(r.exit_code, 0) << entity << ": " << r.err;
  }
  return db;
}

// The error code and message of a refusal with the expected status.
json refusal(const httplib::Result& r, int status) {
  EXPECT_TRUE(r);
  if (!r) return {};
  EXPECT_EQ(r->status, status) << r->body;
  const json body = json::parse(r->body);
  EXPECT_TRUE(body.contains("error")) << r->body;
  return body["error"];
}

// Runs of every kind (fits, churn runs, engine runs) as another reader sees them.
int64_t stored_runs(const std::string& db) {
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  return d.execAndGet("SELECT count(*) FROM runs").getInt64();
}

bool mentions(const json& error, const std::string& text) {
  return error.is_object() && error["message"].get<std::string>().find(text) != std::string::npos;
}

TEST(HttpChurn, FitsServesBreakdownsAndRefusesBadRequests) {
  const std::string db = import_retail("churn_service");
  Server server(
      {"--db", db, "--port", "0", "--observation-end", "2026-06-30", "--plugin-dir", kPlugins});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();

  // No covariate fit yet: the breakdown has nothing to attribute with.
  json e = refusal(c.Get("/v1/service?by=location&horizon=26"), 409);
  EXPECT_EQ(e["code"], "no_run");
  EXPECT_TRUE(mentions(e, "covariate fit")) << e.dump();

  // The plain model (no covariates), stored as a churn run.
  auto r = post(c, "/v1/churn/fit", {{"horizon", 26}, {"plain", true}, {"top", 10}});
  ASSERT_EQ(r->status, 201) << r->body;
  const json plain = body_of(r);
  EXPECT_GT(plain["run_id"].get<int64_t>(), 0);
  EXPECT_EQ(plain["fit_run_id"], 0);
  EXPECT_EQ(plain["time_unit"], "week");
  EXPECT_EQ(plain["horizon"], 26.0);
  EXPECT_EQ(plain["effects"].size(), 0u);
  ASSERT_EQ(plain["parameters"].size(), 4u);
  for (const json& p : plain["parameters"]) {
    EXPECT_GT(p["estimate"].get<double>(), 0) << p.dump();
    EXPECT_GT(p["std_error"].get<double>(), 0) << p.dump();
  }
  ASSERT_EQ(plain["customers"].size(), 10u);
  double previous = INFINITY;
  for (const json& customer : plain["customers"]) {
    const double var = customer["value_at_risk"].get<double>();
    EXPECT_LE(var, previous) << "the at-risk list is ranked by value at risk";
    previous = var;
    const double p_alive = customer["p_alive"].get<double>();
    EXPECT_GT(p_alive, 0.0);
    EXPECT_LE(p_alive, 1.0);
  }
  // The churn drivers endpoint answers from the run just stored.
  const std::string first = plain["customers"][0]["customer_id"];
  const json drivers = body_of(c.Get(("/v1/customers/" + first + "/churn-drivers").c_str()));
  EXPECT_EQ(drivers["churn_run"]["id"], plain["run_id"]);
  EXPECT_EQ(drivers["churn_risk"], plain["customers"][0]["churn_risk"]);
  EXPECT_EQ(drivers["time_unit"], "week");

  // A covariate fit with single columns: incidents act from when they happen.
  // truth.json: unresolved incidents raise dropout (+0.7), satisfaction
  // lowers it (-0.25).
  r = post(c, "/v1/churn/fit",
           {{"horizon", 26},
            {"covariates", {"unresolved", "resolution", "satisfaction", "empathy", "tact"}},
            {"drivers", 2}});
  ASSERT_EQ(r->status, 201) << r->body;
  const json cov = body_of(r);
  EXPECT_GT(cov["fit_run_id"].get<int64_t>(), 0);
  EXPECT_GT(cov["run_id"].get<int64_t>(), plain["run_id"].get<int64_t>());
  std::map<std::string, json> effect;
  for (const json& x : cov["effects"]) {
    effect[x["process"].get<std::string>() + ":" + x["covariate"].get<std::string>()] = x;
  }
  ASSERT_TRUE(effect.count("dropout:unresolved_count")) << cov["effects"].dump();
  EXPECT_GT(effect["dropout:unresolved_count"]["gamma"].get<double>(), 0);
  ASSERT_TRUE(effect.count("dropout:satisfaction")) << cov["effects"].dump();
  EXPECT_LT(effect["dropout:satisfaction"]["gamma"].get<double>(), 0);
  ASSERT_EQ(cov["customers"].size(), 20u);  // the default top
  EXPECT_LE(cov["customers"][0]["drivers"].size(), 2u);

  // Breakdowns of that fit: each key answers; the groups' attributable churn
  // adds up to the portfolio's total.
  for (const std::string by : {"location", "department", "employee", "region"}) {
    r = c.Get(("/v1/service?by=" + by + "&horizon=26").c_str());
    ASSERT_EQ(r->status, 200) << by << ": " << r->body;
    const json s = body_of(r);
    EXPECT_EQ(s["by"], by);
    EXPECT_EQ(s["fit_run"], cov["fit_run_id"]);
    EXPECT_EQ(s["horizon"], 26.0);
    ASSERT_FALSE(s["groups"].empty()) << by;
    if (by == "location" || by == "region") {
      double sum = 0;
      for (const json& g : s["groups"]) sum += g["attributable_churn"].get<double>();
      EXPECT_NEAR(sum, s["total_attributable_churn"].get<double>(), 1e-6 * (1 + std::abs(sum)))
          << by;
    }
    if (by == "location") {
      std::set<std::string> regions;
      for (const json& g : s["groups"]) {
        if (!g["unranked_reason"].is_null()) {  // the online shop: no region, no rank
          EXPECT_TRUE(g["rank_in_region"].is_null()) << g.dump();
          continue;
        }
        regions.insert(g["region"].get<std::string>());
        EXPECT_GE(g["rank_in_region"].get<int>(), 1) << g.dump();
        EXPECT_LE(g["rank_in_region"].get<int>(), g["sites_in_region"].get<int>()) << g.dump();
      }
      EXPECT_FALSE(regions.empty());
    }
  }
  // The default breakdown is by location; a named run gives the same answer.
  const json by_default = body_of(c.Get("/v1/service?horizon=26"));
  const json by_run = body_of(c.Get(
      fmt::format("/v1/service?by=location&horizon=26&run={}", cov["fit_run_id"].get<int64_t>())
          .c_str()));
  EXPECT_EQ(by_default, by_run);
  EXPECT_EQ(by_default["by"], "location");

  // Refusals: the field is named, nothing is stored.
  const int64_t runs_before = stored_runs(db);
  e = refusal(c.Get("/v1/service?by=planet&horizon=26"), 400);
  EXPECT_TRUE(mentions(e, "\"by\"") && mentions(e, "planet")) << e.dump();
  e = refusal(c.Get("/v1/service?by=location"), 400);
  EXPECT_TRUE(mentions(e, "\"horizon\" is required")) << e.dump();
  e = refusal(c.Get("/v1/service?horizon=-4"), 400);
  EXPECT_TRUE(mentions(e, "\"horizon\"")) << e.dump();
  e = refusal(c.Get("/v1/service?horizon=nan"), 400);
  EXPECT_TRUE(mentions(e, "\"horizon\"")) << e.dump();
  e = refusal(c.Get("/v1/service?horizon=26&run=abc"), 400);
  EXPECT_TRUE(mentions(e, "\"run\"")) << e.dump();
  e = refusal(c.Get("/v1/service?by=location&horizon=26&hroizon=52"), 400);
  EXPECT_TRUE(mentions(e, "'hroizon'") && mentions(e, "known: by, run, horizon")) << e.dump();
  e = refusal(c.Get("/v1/service?horizon=26&run=99999"), 404);
  EXPECT_EQ(e["code"], "not_found");
  EXPECT_EQ(refusal(c.Post("/v1/service", "{}", "application/json"), 405)["code"],
            "method_not_allowed");

  e = refusal(post(c, "/v1/churn/fit", json::object()), 400);
  EXPECT_TRUE(mentions(e, "\"horizon\" is required")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", "soon"}}), 400);
  EXPECT_TRUE(mentions(e, "\"horizon\"")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"colour", "red"}}), 400);
  EXPECT_TRUE(mentions(e, "\"colour\"")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"covariates", 7}}), 400);
  EXPECT_TRUE(mentions(e, "\"covariates\"")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"calibration_end", "June"}}), 400);
  EXPECT_TRUE(mentions(e, "\"calibration_end\"")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"unit", "fortnight"}}), 400);
  EXPECT_TRUE(mentions(e, "\"unit\"")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"top", -1}}), 400);
  EXPECT_TRUE(mentions(e, "\"top\"")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"plain", "yes"}}), 400);
  EXPECT_TRUE(mentions(e, "\"plain\"")) << e.dump();
  e = refusal(
      post(c, "/v1/churn/fit", {{"horizon", 26}, {"plain", true}, {"covariates", "incidents"}}),
      400);
  EXPECT_TRUE(mentions(e, "exclude")) << e.dump();
  e = refusal(
      post(c, "/v1/churn/fit", {{"horizon", 26}, {"covariates", "incidents,static:shoe_size"}}),
      400);
  EXPECT_TRUE(mentions(e, "shoe_size")) << e.dump();
  e = refusal(post(c, "/v1/churn/fit", {{"horizon", 26}, {"run", 99999}}), 404);
  EXPECT_EQ(e["code"], "not_found");
  e = refusal(c.Post("/v1/churn/fit", "{\"horizon\": ", "application/json"), 400);
  e = refusal(c.Post("/v1/churn/fit", "{\"horizon\": 26}", "text/plain"), 400);
  EXPECT_TRUE(mentions(e, "application/json")) << e.dump();
  EXPECT_EQ(refusal(c.Get("/v1/churn/fit"), 405)["code"], "method_not_allowed");
  EXPECT_EQ(stored_runs(db), runs_before);
}

}  // namespace
