// `clv serve` over real loopback sockets: the CDNOW round trip, token rules,
// malformed and oversized requests (4xx, nothing changed), SIGKILL after
// acknowledged ingests, SIGTERM shutdown.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "serve_process.hpp"

namespace {

using nlohmann::json;
using namespace clv_test;

size_t transactions_stored(httplib::Client& c) {
  return body_of(c.Get("/v1/health"))["transactions"].get<size_t>();
}

// /v1/health separates the customers with purchases from those a refit
// learns from: first purchase on the observation end (T = 0, scored, adds
// nothing to the likelihood) or after it (not scored yet) are not in the fit.
TEST(HttpService, HealthCountsCustomersInTheFitApart) {
  Server server({"--db", fresh_db("health_counts"), "--port", "0", "--observation-end",
                 "2026-01-10", "--horizon", "52"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  const int64_t jan10 = 1768003200;  // 2026-01-10T00:00:00Z
  json batch = json::array();
  batch.push_back({{"customer_id", "early"}, {"timestamp", jan10 - 9 * 86400}, {"amount", 10}});
  batch.push_back({{"customer_id", "early"}, {"timestamp", jan10 - 2 * 86400}, {"amount", 10}});
  batch.push_back({{"customer_id", "on_end"}, {"timestamp", jan10 + 3600}, {"amount", 10}});
  batch.push_back({{"customer_id", "late"}, {"timestamp", jan10 + 5 * 86400}, {"amount", 10}});
  const auto r = post(c, "/v1/transactions", {{"transactions", batch}});
  ASSERT_EQ(r->status, 200) << r->body;
  const json health = body_of(c.Get("/v1/health"));
  EXPECT_EQ(health["customers"], 3);
  EXPECT_EQ(health["customers_with_purchases"], 3);
  EXPECT_EQ(health["scorable_customers"], 2);
  EXPECT_EQ(health["customers_in_fit"], 1);
  EXPECT_EQ(health["observation_end"], "2026-01-10");
}

TEST(HttpService, CdnowRoundTrip) {
  Server server({"--db", fresh_db("cdnow"), "--port", "0", "--observation-end", "1997-09-30",
                 "--horizon", "39", "--margin", "0.3"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  EXPECT_EQ(body_of(c.Get("/v1/health"))["status"], "ok");
  size_t total = 0;
  cdnow_batch(0, 0, &total);
  ASSERT_EQ(total, 6919u);
  for (size_t from = 0; from < total; from += 2000) {
    const auto r = post(c, "/v1/transactions", cdnow_batch(from, 2000));
    ASSERT_EQ(r->status, 200) << r->body;
  }
  EXPECT_EQ(transactions_stored(c), 6919u);
  const json health = body_of(c.Get("/v1/health"));
  EXPECT_EQ(health["customers_with_purchases"], 2357);
  EXPECT_EQ(health["customers_in_fit"], 2357);  // the cohort's first purchases are in Q1 1997
  // Re-sending a batch with ids is idempotent.
  const json again = body_of(post(c, "/v1/transactions", cdnow_batch(0, 100)));
  EXPECT_EQ(again["duplicates"], 100);
  EXPECT_EQ(again["inserted"], 0);

  const auto no_run = c.Get("/v1/customers/1/scores");  // no run yet
  EXPECT_EQ(no_run->status, 409);
  EXPECT_EQ(body_of(no_run)["error"]["code"], "no_run");
  const auto fit = c.Post("/v1/runs", "", "application/json");
  ASSERT_EQ(fit->status, 201) << fit->body;
  const json run = body_of(fit);
  EXPECT_NEAR(run["count_fit"]["params"]["r"].get<double>(), 0.243, 0.002) << run.dump();
  EXPECT_NEAR(run["count_fit"]["params"]["alpha"].get<double>(), 4.414, 0.01);
  EXPECT_NEAR(run["count_fit"]["params"]["a"].get<double>(), 0.793, 0.003);
  EXPECT_NEAR(run["count_fit"]["params"]["b"].get<double>(), 2.426, 0.01);
  EXPECT_EQ(run["n_customers"], 2357);

  const json s = body_of(c.Get("/v1/customers/1/scores"));
  EXPECT_EQ(s["frequency"], 2);
  EXPECT_NEAR(s["recency"].get<double>(), 30.43, 0.01);
  EXPECT_EQ(s["run_id"], run["id"]);
  EXPECT_GT(s["clv"].get<double>(), 0);
  const json many = body_of(post(c, "/v1/scores", {{"customer_ids", {"1", "2", "3"}}}));
  ASSERT_EQ(many["scores"].size(), 3u);
  EXPECT_EQ(many["scores"][0]["p_alive"], s["p_alive"]);
  // One unknown id: the others are still scored, the unknown one listed (issue 13, item 18).
  const auto mixed_reply = post(c, "/v1/scores", {{"customer_ids", {"1", "nobody", "2"}}});
  ASSERT_EQ(mixed_reply->status, 200) << mixed_reply->body;
  const json mixed = body_of(mixed_reply);
  ASSERT_EQ(mixed["scores"].size(), 2u);
  EXPECT_EQ(mixed["scores"][0]["customer_id"], "1");
  EXPECT_EQ(mixed["scores"][0]["p_alive"], s["p_alive"]);
  EXPECT_EQ(mixed["scores"][1]["customer_id"], "2");
  ASSERT_EQ(mixed["not_found"].size(), 1u);
  EXPECT_EQ(mixed["not_found"][0]["customer_id"], "nobody");
  EXPECT_EQ(many["not_found"].size(), 0u);

  // An incremental purchase moves the score without a refit.
  ASSERT_EQ(post(c, "/v1/transactions",
                 {{"transactions",
                   {{{"customer_id", "3"}, {"timestamp", "1997-09-30"}, {"amount", 20}}}}})
                ->status,
            200);
  const json s3 = body_of(c.Get("/v1/customers/3/scores"));
  EXPECT_EQ(s3["frequency"], 1);
  EXPECT_EQ(s3["run_id"], run["id"]);
  ASSERT_EQ(
      post(c, "/v1/incidents",
           {{"incidents", {{{"customer_id", "3"}, {"opened_at", "1997-09-02"}, {"severity", 2}}}}})
          ->status,
      200);
  EXPECT_EQ(body_of(c.Get("/v1/customers/3/scores"))["incidents"], 1);

  const json risk = body_of(c.Get("/v1/customers/at-risk?limit=5"));
  ASSERT_EQ(risk["customers"].size(), 5u);
  EXPECT_EQ(c.Get("/v1/customers/at-risk?limit=zero")->status, 400);
  EXPECT_EQ(body_of(c.Get("/v1/runs"))["runs"].size(), 1u);
  EXPECT_EQ(body_of(c.Get(("/v1/runs/" + std::to_string(run["id"].get<int>())).c_str()))["id"],
            run["id"]);
  EXPECT_EQ(c.Get("/v1/runs/99")->status, 404);
}

// A churn run as `clv churn` stores it (schema of migration 2), written by
// another connection while the server runs.
int64_t store_churn_run(const std::string& db, const std::string& customer, double risk) {
  SQLite::Database d(db, SQLite::OPEN_READWRITE);
  d.setBusyTimeout(5000);
  d.exec(
      "INSERT INTO runs (kind, model, created_at, source, horizon, details) VALUES ('churn', "
      "'pnbd_cov', 1750000000, 'incidents', 26, '{\"time_unit\": \"week\"}')");
  const int64_t run = d.getLastInsertRowid();
  SQLite::Statement row(d, "INSERT INTO churn_scores VALUES (?, ?, 0.35, ?, 'high', 0.6, ?)");
  row.bind(1, run);
  row.bind(2, customer);
  row.bind(3, risk);
  row.bind(4, R"([{"covariate": "incident_count", "effect": 0.21},
                  {"covariate": "mean_satisfaction", "effect": -0.04}])");
  row.exec();
  return run;
}

TEST(HttpService, ChurnDriversAndWhatIf) {
  const std::string db = fresh_db("churn_whatif");
  Server server({"--db", db, "--port", "0", "--observation-end", "1997-09-30", "--horizon", "39",
                 "--margin", "0.3", "--discount-rate", "0.1"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  const json scenario = {{"scenario",
                          {{{"name", "retention offer to the 200 most at risk"},
                            {"target", {{"top_by_value_at_risk", 200}}},
                            {"retention_offer",
                             {{"hazard_ratio", {{"value", 0.75}, {"low90", 0.6}, {"high90", 0.9}}},
                              {"cost_per_customer", 1}}}},
                           {{"name", "everyone buys 10% more often"},
                            {"target", "all"},
                            {"purchase_rate", {{"factor", 1.1}}}}}},
                         {"draws", 40},
                         {"seed", 7}};
  // Before any run: 409 with what to do.
  auto conflict = [&](const httplib::Result& r, const std::string& mentions) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 409) << r->body;
    const json e = body_of(r);
    EXPECT_EQ(e["error"]["code"], "no_run");
    EXPECT_NE(e["error"]["message"].get<std::string>().find(mentions), std::string::npos)
        << r->body;
  };
  conflict(c.Get("/v1/customers/1/churn-drivers"), "clv churn");
  conflict(post(c, "/v1/what-if", scenario), "refit");

  for (size_t from = 0; from < 6919; from += 3000) {
    ASSERT_EQ(post(c, "/v1/transactions", cdnow_batch(from, 3000))->status, 200);
  }
  ASSERT_EQ(c.Post("/v1/runs", "", "application/json")->status, 201);

  // Churn drivers: the latest churn run's row and the engine's own score.
  store_churn_run(db, "1", 0.5);
  const int64_t latest = store_churn_run(db, "1", 0.72);
  const json churn = body_of(c.Get("/v1/customers/1/churn-drivers"));
  EXPECT_EQ(churn["churn_run"]["id"], latest) << churn.dump();
  EXPECT_EQ(churn["churn_risk"], 0.72);
  EXPECT_EQ(churn["risk_band"], "high");
  EXPECT_EQ(churn["horizon"], 26);
  EXPECT_EQ(churn["time_unit"], "week");
  ASSERT_EQ(churn["drivers"].size(), 2u);
  EXPECT_EQ(churn["drivers"][0]["covariate"], "incident_count");
  EXPECT_EQ(churn["drivers"][0]["direction"], "raises_risk");
  EXPECT_EQ(churn["drivers"][1]["direction"], "lowers_risk");
  const json score1 = body_of(c.Get("/v1/customers/1/scores"));
  EXPECT_EQ(churn["engine"]["p_alive"], score1["p_alive"]);
  EXPECT_EQ(churn["engine"]["expected_purchases"], score1["expected_purchases"]);
  EXPECT_EQ(churn["engine"]["horizon"], 39);
  const auto not_in_run = c.Get("/v1/customers/2/churn-drivers");
  EXPECT_EQ(not_in_run->status, 404);
  EXPECT_EQ(c.Get("/v1/customers/nobody/churn-drivers")->status, 404);

  // What-if: the baseline is the sum of the customers' CLVs as scored.
  json ids = json::array();
  for (int i = 1; i <= 2357; ++i) ids.push_back(std::to_string(i));
  double total_clv = 0;
  const json all = body_of(post(c, "/v1/scores", {{"customer_ids", ids}}));
  ASSERT_EQ(all["scores"].size(), 2357u) << all.dump().substr(0, 300);
  for (const json& s : all["scores"]) total_clv += s["clv"].get<double>();
  const auto r = post(c, "/v1/what-if", scenario);
  ASSERT_EQ(r->status, 200) << r->body;
  const json w = body_of(r);
  EXPECT_EQ(w["model"], "bgnbd");
  EXPECT_EQ(w["horizon"], 39);
  EXPECT_EQ(w["margin"], 0.3);
  EXPECT_EQ(w["draws"], 40);
  ASSERT_EQ(w["scenarios"].size(), 2u);
  for (const json& sc : w["scenarios"]) {
    const json& t = sc["total"];
    EXPECT_GT(t["delta_clv"]["estimate"].get<double>(), 0) << sc.dump();
    EXPECT_LT(t["delta_clv"]["lower"].get<double>(), t["delta_clv"]["upper"].get<double>());
    if (sc["name"] == "everyone buys 10% more often") {
      EXPECT_EQ(t["targeted"], 2357);
      EXPECT_NEAR(t["baseline_clv"]["estimate"].get<double>(), total_clv, 1e-6 * total_clv);
    } else {
      EXPECT_EQ(t["targeted"], 200);
      EXPECT_EQ(t["cost"], 200);
    }
  }
  // Same seed, same numbers; a run override changes the horizon.
  EXPECT_EQ(post(c, "/v1/what-if", scenario)->body, r->body);
  json longer = scenario;
  longer["run"] = {{"horizon", 78}};
  longer["draws"] = 0;
  const json w78 = body_of(post(c, "/v1/what-if", longer));
  EXPECT_EQ(w78["horizon"], 78);

  // Validation errors name the line or the field; nothing runs.
  auto bad = [&](const httplib::Result& res, const std::string& mentions) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_NE(body_of(res)["error"]["message"].get<std::string>().find(mentions), std::string::npos)
        << res->body;
  };
  bad(c.Post("/v1/what-if", "{\n  \"scenario\": [\n    {\"name\": }\n]}", "application/json"),
      "what-if body:3:");
  json typo = scenario;
  typo["scenario"][0]["retention_ofer"] = typo["scenario"][0]["retention_offer"];
  bad(post(c, "/v1/what-if", typo), "retention_ofer");
  json range = scenario;
  range["scenario"][1]["purchase_rate"]["factor"] = -2;
  bad(post(c, "/v1/what-if", range), "scenario[1].purchase_rate");
  json file = scenario;
  file["run"] = {{"summary", "summary.csv"}};
  bad(post(c, "/v1/what-if", file), "run.summary names a file");
  json many = scenario;
  many["draws"] = 5000;
  bad(post(c, "/v1/what-if", many), "0..1000");
  // Issue 14: the messages name the JSON fields the client sent, not a
  // scenario file's [run] or its lines.
  auto message = [&](const json& body) {
    const auto res = post(c, "/v1/what-if", body);
    EXPECT_TRUE(res && res->status == 400) << (res ? res->body : "no answer");
    return res ? body_of(res)["error"]["message"].get<std::string>() : std::string();
  };
  auto no_file_advice = [](const std::string& m) {
    EXPECT_EQ(m.find("[run]"), std::string::npos) << m;
    EXPECT_EQ(m.find("count_params"), std::string::npos) << m;
    EXPECT_EQ(m.find("(line "), std::string::npos) << m;
    EXPECT_EQ(m.find("request.json"), std::string::npos) << m;
    EXPECT_EQ(m.find("section"), std::string::npos) << m;
  };
  json top_sector = scenario;
  top_sector["sector"] = "retail";
  const std::string sector_msg = message(top_sector);
  EXPECT_NE(sector_msg.find("\"sector\" is not a field of the body"), std::string::npos)
      << sector_msg;
  EXPECT_NE(sector_msg.find("inside \"run\""), std::string::npos) << sector_msg;
  no_file_advice(sector_msg);
  json run_typo = scenario;
  run_typo["run"] = {{"horizn", 52}};
  const std::string run_msg = message(run_typo);
  EXPECT_NE(run_msg.find("run.horizn is not a field of \"run\""), std::string::npos) << run_msg;
  no_file_advice(run_msg);
  json incidents = scenario;
  incidents["scenario"][1]["incidents"] = {{"resolution_time_factor", 0.5}};
  const std::string lever_msg = message(incidents);
  EXPECT_NE(lever_msg.find("scenario[1]"), std::string::npos) << lever_msg;
  EXPECT_NE(lever_msg.find("\"covariate_fit\""), std::string::npos) << lever_msg;
  no_file_advice(lever_msg);
  json premium = scenario;
  premium["scenario"][0]["service_premium"] = {{"price_increase", 0.05}, {"min_satisfaction", 4}};
  const std::string premium_msg = message(premium);
  EXPECT_NE(premium_msg.find("scenario[0].service_premium"), std::string::npos) << premium_msg;
  EXPECT_NE(premium_msg.find("\"covariate_fit\""), std::string::npos) << premium_msg;
  no_file_advice(premium_msg);
  json empty = scenario;
  empty["scenario"] = json::array();
  const std::string empty_msg = message(empty);
  EXPECT_NE(empty_msg.find("\"scenario\": a non-empty array"), std::string::npos) << empty_msg;
  no_file_advice(empty_msg);
  json dear = scenario;
  dear["scenario"][0]["fixed_cost"] = 1e300;
  const std::string cost_msg = message(dear);
  EXPECT_NE(cost_msg.find("scenario[0].fixed_cost"), std::string::npos) << cost_msg;
  EXPECT_NE(cost_msg.find("1e12"), std::string::npos) << cost_msg;
  bad(c.Post("/v1/what-if", scenario.dump(), "text/plain"), "application/json");
}

// The rows of a table as text, in external-id order, customers and employees
// by their external ids (row numbers differ between databases).
std::string table_text(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, sql);
  std::string out;
  while (q.executeStep()) {
    for (int c = 0; c < q.getColumnCount(); ++c) {
      out += q.getColumn(c).isNull() ? std::string("NULL") : q.getColumn(c).getString();
      out += c + 1 < q.getColumnCount() ? "|" : "\n";
    }
  }
  return out;
}

int run_cli(const std::string& args) {
  return std::system((std::string(CLV_CLI_PATH) + " " + args + " >/dev/null 2>&1").c_str());
}

// stdout of `clv ARGS`.
std::string cli_test_json(const std::string& args) {
  const std::string out = testing::TempDir() + "/http_cli_out.json";
  std::system((std::string(CLV_CLI_PATH) + " " + args + " >" + out + " 2>/dev/null").c_str());
  std::ifstream in(out);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Issue 13, item 18: a CRM that only speaks HTTP feeds every column a CSV
// import feeds (location, quantity, employee, compensation, ...), and the
// stored rows are those of the same records imported from CSV; an unknown
// field is a 400 naming it. Ids are unique across HTTP and CSV writers
// (item 2), either way round.
TEST(HttpService, IngestTakesEveryCsvColumnAndStoresTheSameRows) {
  const std::string dir = testing::TempDir();
  const std::string employees = dir + "/http_fields_employees.csv";
  std::ofstream(employees) << "employee_id,role,location,trust\nE7,agent,Lyon,6\n";
  const std::string txn_csv = dir + "/http_fields_txn.csv";
  std::ofstream(txn_csv) << "transaction_id,customer_id,timestamp,amount,currency,kind,quantity,"
                            "category,channel,location\n"
                            "t1,c9,2024-03-01T10:00:00Z,12.50,EUR,purchase,3,shoes,web,Lyon\n";
  const std::string inc_csv = dir + "/http_fields_inc.csv";
  std::ofstream(inc_csv) << "incident_id,customer_id,opened_at,resolved_at,severity,category,"
                            "channel,outcome,satisfaction,employee_id,compensation\n"
                            "i1,c9,2024-03-02T08:00:00Z,2024-03-02T12:00:00Z,4,delivery,phone,"
                            "refunded,2,E7,15.00\n";
  const std::string csv_db = fresh_db("fields_csv");
  ASSERT_EQ(run_cli("import employees " + employees + " --db " + csv_db), 0);
  ASSERT_EQ(run_cli("import transactions " + txn_csv + " --db " + csv_db), 0);
  ASSERT_EQ(run_cli("import incidents " + inc_csv + " --db " + csv_db), 0);

  const std::string http_db = fresh_db("fields_http");
  ASSERT_EQ(run_cli("import employees " + employees + " --db " + http_db), 0);
  // Item 2 across writers: an id a CSV import stored before the server ran.
  const std::string earlier = dir + "/http_fields_earlier.csv";
  std::ofstream(earlier) << "transaction_id,customer_id,timestamp,amount\n"
                            "pre-1,c9,2024-02-01,5.00\n";
  ASSERT_EQ(run_cli("import transactions " + earlier + " --db " + http_db), 0);
  {
    Server server({"--db", http_db, "--port", "0"});
    ASSERT_GT(server.port(), 0);
    auto c = server.client();
    const auto t = post(c, "/v1/transactions",
                        {{"transactions",
                          {{{"transaction_id", "t1"},
                            {"customer_id", "c9"},
                            {"timestamp", "2024-03-01T10:00:00Z"},
                            {"amount", 12.5},
                            {"currency", "EUR"},
                            {"kind", "purchase"},
                            {"quantity", 3},
                            {"category", "shoes"},
                            {"channel", "web"},
                            {"location", "Lyon"}}}}});
    ASSERT_EQ(t->status, 200) << t->body;
    const auto i = post(c, "/v1/incidents",
                        {{"incidents",
                          {{{"incident_id", "i1"},
                            {"customer_id", "c9"},
                            {"opened_at", "2024-03-02T08:00:00Z"},
                            {"resolved_at", "2024-03-02T12:00:00Z"},
                            {"severity", 4},
                            {"category", "delivery"},
                            {"channel", "phone"},
                            {"outcome", "refunded"},
                            {"satisfaction", 2},
                            {"employee_id", "E7"},
                            {"compensation", 15.0}}}}});
    ASSERT_EQ(i->status, 200) << i->body;
    const auto typo =
        post(c, "/v1/incidents",
             {{"incidents",
               {{{"customer_id", "c9"}, {"opened_at", "2024-03-03"}, {"employe_id", "E7"}}}}});
    EXPECT_EQ(typo->status, 400);
    const std::string message = body_of(typo)["error"]["message"];
    EXPECT_NE(message.find("field 'employe_id'"), std::string::npos) << message;
    const auto stranger =
        post(c, "/v1/incidents",
             {{"incidents",
               {{{"customer_id", "c9"}, {"opened_at", "2024-03-03"}, {"employee_id", "E8"}}}}});
    EXPECT_EQ(stranger->status, 400) << stranger->body;
    // The CSV's id is a duplicate over HTTP; the id HTTP acknowledged (still
    // pending) is a duplicate for a CSV import run while the server is up.
    const json dup = body_of(post(c, "/v1/transactions",
                                  {{"transactions",
                                    {{{"id", "pre-1"},
                                      {"customer_id", "c9"},
                                      {"timestamp", "2024-02-01"},
                                      {"amount", 9}}}}}));
    EXPECT_EQ(dup["duplicates"], 1) << dup.dump();
    EXPECT_EQ(dup["inserted"], 0);
    const std::string later = dir + "/http_fields_later.csv";
    std::ofstream(later) << "transaction_id,customer_id,timestamp,amount\n"
                            "t1,c9,2024-03-01,7.00\n";
    const std::string imported =
        cli_test_json("import transactions " + later + " --db " + http_db + " --json");
    EXPECT_NE(imported.find("\"duplicates\":1"), std::string::npos) << imported;
    EXPECT_NE(imported.find("\"inserted\":0"), std::string::npos) << imported;
    EXPECT_EQ(server.signal_and_wait(SIGTERM), 0);  // merges the pending transactions
  }
  const std::string txn_rows =
      "SELECT t.external_id, c.external_id, t.ts, t.amount_minor, t.currency, t.kind, "
      "t.quantity, t.category, t.channel, t.location FROM transactions t JOIN customers c ON "
      "c.id = t.customer_id WHERE t.external_id = 't1'";
  const std::string inc_rows =
      "SELECT i.external_id, c.external_id, i.opened_at, i.resolved_at, i.severity, i.category, "
      "i.channel, i.outcome, i.satisfaction, e.external_id, i.compensation_minor FROM incidents "
      "i JOIN customers c ON c.id = i.customer_id LEFT JOIN employees e ON e.id = i.employee_id "
      "ORDER BY i.external_id";
  EXPECT_EQ(table_text(csv_db, txn_rows), "t1|c9|1709287200|1250|EUR|purchase|3|shoes|web|Lyon\n");
  EXPECT_EQ(table_text(http_db, txn_rows), table_text(csv_db, txn_rows));
  EXPECT_EQ(table_text(csv_db, inc_rows),
            "i1|c9|1709366400|1709380800|4|delivery|phone|refunded|2|E7|1500\n");
  EXPECT_EQ(table_text(http_db, inc_rows), table_text(csv_db, inc_rows));
}

// Issue 13 (employees) and issue 12 (a customer's sector): a CRM that only
// speaks HTTP feeds employees and customers as `clv import employees` /
// `clv import customers` would, with the same rules: the rows stored are the
// same, a sector must name a loaded plugin, a negative compensation and an
// unknown currency are a 400 naming the field.
TEST(HttpService, EmployeesAndCustomersIngestLikeTheCsvImport) {
  const std::string plugins = std::string(CLV_BINARY_DIR) + "/plugins";
  const std::string dir = testing::TempDir();
  const std::string employees = dir + "/http_people_employees.csv";
  std::ofstream(employees) << "employee_id,role,location,trust,empathy\nE7,agent,Lyon,6,9.5\n";
  const std::string customers = dir + "/http_people_customers.csv";
  std::ofstream(customers) << "customer_id,sector,segment,region,acquired_at,tier\n"
                              "c9,retail,gold,EU,2023-05-01,platinum\n";
  const std::string csv_db = fresh_db("people_csv");
  ASSERT_EQ(run_cli("import employees " + employees + " --db " + csv_db), 0);
  ASSERT_EQ(run_cli("import customers " + customers + " --db " + csv_db), 0);

  const std::string http_db = fresh_db("people_http");
  {
    Server server({"--db", http_db, "--port", "0", "--plugin-dir", plugins});
    ASSERT_GT(server.port(), 0);
    auto c = server.client();
    // Before the employee exists an incident naming it is refused.
    const json incident = {{"incidents",
                            {{{"customer_id", "c9"},
                              {"opened_at", "2024-03-02"},
                              {"employee_id", "E7"},
                              {"currency", "JPY"},
                              {"compensation", 500}}}}};
    EXPECT_EQ(post(c, "/v1/incidents", incident)->status, 400);
    const auto e = post(c, "/v1/employees",
                        {{"employees",
                          {{{"employee_id", "E7"},
                            {"role", "agent"},
                            {"location", "Lyon"},
                            {"trust", 6},
                            {"empathy", 9.5}}}}});
    ASSERT_EQ(e->status, 200) << e->body;
    EXPECT_EQ(body_of(e)["inserted"], 1);
    const auto bad_score =
        post(c, "/v1/employees", {{"employees", {{{"employee_id", "E8"}, {"trust", 12}}}}});
    EXPECT_EQ(bad_score->status, 400);
    EXPECT_NE(bad_score->body.find("behaviour score trust 12 out of range 0-10"), std::string::npos)
        << bad_score->body;
    const auto unknown_sector =
        post(c, "/v1/customers", {{"customers", {{{"customer_id", "c9"}, {"sector", "mining"}}}}});
    EXPECT_EQ(unknown_sector->status, 400);
    EXPECT_NE(unknown_sector->body.find("no loaded plugin serves sector 'mining'"),
              std::string::npos)
        << unknown_sector->body;
    const auto cus = post(c, "/v1/customers",
                          {{"customers",
                            {{{"customer_id", "c9"},
                              {"sector", "retail"},
                              {"segment", "gold"},
                              {"region", "EU"},
                              {"acquired_at", "2023-05-01"},
                              {"attributes", {{"tier", "platinum"}}}}}}});
    ASSERT_EQ(cus->status, 200) << cus->body;
    EXPECT_EQ(body_of(cus)["inserted"], 1);
    const auto inc = post(c, "/v1/incidents", incident);
    ASSERT_EQ(inc->status, 200) << inc->body;
    json negative = incident;
    negative["incidents"][0]["compensation"] = -5;
    const auto neg = post(c, "/v1/incidents", negative);
    EXPECT_EQ(neg->status, 400);
    EXPECT_NE(neg->body.find("negative compensation"), std::string::npos) << neg->body;
    json zzz = incident;
    zzz["incidents"][0]["currency"] = "ZZZ";
    EXPECT_EQ(post(c, "/v1/incidents", zzz)->status, 400);
    EXPECT_EQ(body_of(c.Get("/v1/health"))["incidents"], 1);
    EXPECT_EQ(server.signal_and_wait(SIGTERM), 0);
  }
  const std::string employee_rows =
      "SELECT external_id, role, location, trust, tact, empathy, conformity, focus, flexibility "
      "FROM employees";
  const std::string customer_rows =
      "SELECT external_id, sector, segment, region, acquired_at, attributes FROM customers";
  EXPECT_EQ(table_text(csv_db, customer_rows),
            "c9|retail|gold|EU|1682899200|{\"tier\":\"platinum\"}\n");
  EXPECT_EQ(table_text(http_db, customer_rows), table_text(csv_db, customer_rows));
  EXPECT_EQ(table_text(http_db, employee_rows), table_text(csv_db, employee_rows));
  // 500 JPY stored as 500 (JPY has no minor unit), with the employee's row.
  EXPECT_EQ(table_text(http_db,
                       "SELECT i.compensation_minor, e.external_id FROM incidents i JOIN "
                       "employees e ON e.id = i.employee_id"),
            "500|E7\n");
}

TEST(HttpService, TokenRules) {
  const std::string token = "s3cret-token-0123456789";
  {  // Off loopback without a token the server refuses to start.
    Server open({"--db", fresh_db("token0"), "--host", "0.0.0.0", "--port", "0"});
    EXPECT_EQ(open.port(), 0);
    EXPECT_EQ(open.wait_exit(), 2);
  }
  {  // Token from the environment on loopback: required except for health.
    Server server({"--db", fresh_db("token1"), "--port", "0"}, {"CLV_SERVE_TOKEN=" + token});
    ASSERT_GT(server.port(), 0);
    auto anonymous = server.client();
    EXPECT_EQ(anonymous.Get("/v1/health")->status, 200);
    const auto denied = anonymous.Get("/v1/runs");
    EXPECT_EQ(denied->status, 401);
    EXPECT_EQ(body_of(denied)["error"]["code"], "unauthorized");
    EXPECT_EQ(post(anonymous, "/v1/transactions", {{"transactions", json::array()}})->status, 401);
    auto wrong = server.client(token + "x");
    EXPECT_EQ(wrong.Get("/v1/runs")->status, 401);
    auto right = server.client(token);
    EXPECT_EQ(right.Get("/v1/runs")->status, 200);
    // Refused on its header: no 100 Continue invites an anonymous body.
    const std::string refused = raw_exchange(
        server.port(),
        "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(refused.rfind("HTTP/1.1 401", 0), 0u) << refused;
    EXPECT_EQ(refused.find("100 Continue"), std::string::npos) << refused;
  }
  {  // Token from a file when bound to all interfaces.
    const std::string file = testing::TempDir() + "/http_token.txt";
    std::ofstream(file) << token << "\n";
    Server server(
        {"--db", fresh_db("token2"), "--host", "0.0.0.0", "--port", "0", "--token-file", file});
    ASSERT_GT(server.port(), 0);
    EXPECT_EQ(server.client().Get("/v1/runs")->status, 401);
    EXPECT_EQ(server.client(token).Get("/v1/runs")->status, 200);
  }
}

TEST(HttpService, MalformedAndOversizedRequestsChangeNothing) {
  Server server(
      {"--db", fresh_db("bad"), "--port", "0", "--max-body-bytes", "4000", "--max-batch", "5"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  ASSERT_EQ(post(c, "/v1/transactions",
                 {{"transactions",
                   {{{"customer_id", "a"}, {"timestamp", 1700000000}, {"amount_minor", 100}}}}})
                ->status,
            200);
  auto expect_error = [&](const httplib::Result& r, int status, const std::string& code,
                          const std::string& mentions) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    const json e = body_of(r);
    EXPECT_EQ(e["error"]["code"], code) << r->body;
    EXPECT_NE(e["error"]["message"].get<std::string>().find(mentions), std::string::npos)
        << r->body;
  };
  expect_error(c.Post("/v1/transactions", "{\"transactions\": [", "application/json"), 400,
               "invalid_argument", "not valid JSON");
  expect_error(post(c, "/v1/transactions",
                    {{"transactions",
                      {{{"customer_id", "b"}, {"timestamp", 1700000000}, {"amount", 1}},
                       {{"customer_id", 7}, {"timestamp", 1700000000}, {"amount", 1}}}}}),
               400, "invalid_argument", "record 1: field 'customer_id' must be a string");
  expect_error(
      post(c, "/v1/transactions",
           {{"transactions",
             {{{"customer_id", "b"}, {"timestamp", 1700000000}, {"amount", 1}, {"amout", 2}}}}}),
      400, "invalid_argument", "'amout'");
  expect_error(post(c, "/v1/transactions",
                    {{"transactions",
                      {{{"customer_id", "b"}, {"timestamp", 1700000000000}, {"amount", 1}}}}}),
               400, "invalid_argument", "1900..2200");
  expect_error(c.Post("/v1/transactions", "{\"transactions\": []}", "text/plain"), 400,
               "invalid_argument", "application/json");
  expect_error(post(c, "/v1/incidents",
                    {{"incidents", {{{"customer_id", "b"}, {"opened_at", "2024-02-30x"}}}}}),
               400, "invalid_argument", "opened_at");
  json six = json::array();
  for (int i = 0; i < 6; ++i) {
    six.push_back({{"customer_id", "b"}, {"timestamp", 1700000000}, {"amount", 1}});
  }
  expect_error(post(c, "/v1/transactions", {{"transactions", six}}), 413, "batch_too_large",
               "limit of 5");
  expect_error(c.Post("/v1/transactions", std::string(5000, ' '), "application/json"), 413,
               "body_too_large", "limit");
  expect_error(c.Get("/v1/customers/nobody/scores"), 404, "not_found", "");
  expect_error(c.Get("/v1/no/such/endpoint"), 404, "no_route", "/v1/no/such/endpoint");
  // Nothing of the rejected requests was stored.
  const json health = body_of(c.Get("/v1/health"));
  EXPECT_EQ(health["transactions"], 1);
  EXPECT_EQ(health["customers"], 1);
  EXPECT_EQ(health["incidents"], 0);
}

TEST(HttpService, AcknowledgedIngestsSurviveSigkill) {
  const std::string db = fresh_db("sigkill");
  std::vector<json> acknowledged;
  {
    Server server({"--db", db, "--port", "0"});
    ASSERT_GT(server.port(), 0);
    std::atomic<bool> stop{false};
    std::mutex m;
    std::thread writer([&] {
      auto c = server.client();
      for (int b = 0; !stop; ++b) {
        json list = json::array();
        for (int k = 0; k < 200; ++k) {
          list.push_back({{"customer_id", fmt::format("c{}", k % 97)},
                          {"timestamp", 1700000000 + b * 3600 + k},
                          {"amount_minor", 100 + k},
                          {"id", fmt::format("b{}-{}", b, k)}});
        }
        json batch = {{"transactions", list}};
        const auto r = post(c, "/v1/transactions", batch);
        if (!r || r->status != 200) break;  // killed mid-request: not acknowledged
        std::lock_guard lock(m);
        acknowledged.push_back(std::move(batch));
      }
    });
    // Kill while batches keep coming, once a few are acknowledged: waiting on
    // a count, not a fixed time, keeps this valid on a slow (sanitized, loaded) build.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      {
        std::lock_guard lock(m);
        if (acknowledged.size() >= 4) break;
      }
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(server.signal_and_wait(SIGKILL), -SIGKILL);
    stop = true;
    writer.join();
  }
  ASSERT_GT(acknowledged.size(), 2u);
  Server restarted({"--db", db, "--port", "0"});
  ASSERT_GT(restarted.port(), 0);
  auto c = restarted.client();
  EXPECT_GE(transactions_stored(c), acknowledged.size() * 200);
  // Every acknowledged record is stored: sending them again adds nothing.
  for (const json& batch : acknowledged) {
    const json r = body_of(post(c, "/v1/transactions", batch));
    ASSERT_EQ(r["inserted"], 0);
    ASSERT_EQ(r["duplicates"], 200);
  }
}

// What HTTP clients send besides plain requests: Expect: 100-continue (curl,
// before a large body), %-escaped ids, HEAD, a wrong method, unparsable bytes.
TEST(HttpService, ProtocolDetails) {
  Server server({"--db", fresh_db("protocol"), "--port", "0"});
  ASSERT_GT(server.port(), 0);
  const std::string body =
      R"({"transactions": [{"customer_id": "a b", "timestamp": 1700000000, "amount": 5}]})";
  const int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  const std::string head = fmt::format(
      "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
      body.size());
  ASSERT_EQ(send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  char reply[4096];
  pollfd p{fd, POLLIN, 0};
  ASSERT_GT(poll(&p, 1, 5000), 0) << "no 100 Continue before the body";
  ssize_t n = recv(fd, reply, sizeof reply, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(reply, static_cast<size_t>(n)).rfind("HTTP/1.1 100 Continue\r\n", 0), 0u);
  ASSERT_EQ(send(fd, body.data(), body.size(), MSG_NOSIGNAL), static_cast<ssize_t>(body.size()));
  ASSERT_GT(poll(&p, 1, 5000), 0);
  n = recv(fd, reply, sizeof reply, 0);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(reply, static_cast<size_t>(n)).find("\"inserted\":1"), std::string::npos);
  close(fd);

  auto c = server.client();
  // The id "a b" is reached %-escaped.
  const auto missing_run = c.Get("/v1/customers/a%20b/scores");
  ASSERT_TRUE(missing_run);
  EXPECT_EQ(missing_run->status, 409) << missing_run->body;
  EXPECT_EQ(c.Get("/v1/customers/a%2/scores")->status, 400);
  // An id holding '/' is one %-escaped segment; bytes that are not UTF-8 are
  // answered (404, the message's bytes replaced), not a crash.
  ASSERT_EQ(
      post(c, "/v1/transactions",
           {{"transactions", {{{"customer_id", "x/y"}, {"timestamp", 1700000000}, {"amount", 5}}}}})
          ->status,
      200);
  EXPECT_EQ(c.Get("/v1/customers/x%2Fy/scores")->status, 409);  // known customer, no run
  EXPECT_EQ(c.Get("/v1/customers/x/y/scores")->status, 404);
  const auto not_utf8 = c.Get("/v1/customers/%FF/scores");
  ASSERT_TRUE(not_utf8);
  EXPECT_EQ(not_utf8->status, 404);
  EXPECT_EQ(body_of(not_utf8)["error"]["code"], "not_found");
  EXPECT_EQ(c.Get("/v1/health")->status, 200);
  const auto head_reply = c.Head("/v1/health");
  ASSERT_TRUE(head_reply);
  EXPECT_EQ(head_reply->status, 200);
  EXPECT_TRUE(head_reply->body.empty());
  const auto put = c.Put("/v1/runs", "", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(body_of(put)["error"]["code"], "method_not_allowed");
  const std::string garbage = raw_exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("bad_request"), std::string::npos) << garbage;
  // Two pipelined requests on one connection get two answers, in order.
  const std::string two = raw_exchange(
      server.port(),
      "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nowhere HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n");
  const size_t first = two.find("HTTP/1.1 200"), second = two.find("HTTP/1.1 404");
  EXPECT_NE(first, std::string::npos) << two;
  EXPECT_NE(second, std::string::npos) << two;
  EXPECT_LT(first, second);
}

// A client that trickles a request (one byte at a time, each within the idle
// timeout) loses the connection once --request-seconds have passed.
TEST(HttpService, TricklingClientIsCutOff) {
  Server server({"--db", fresh_db("trickle"), "--port", "0", "--request-seconds", "1"});
  ASSERT_GT(server.port(), 0);
  const int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  const std::string request = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < 40 && !closed; ++i) {  // up to 8 s of trickling
    const char c = i < request.size() ? request[i] : 'a';
    if (send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 200) > 0) {
      char reply[256];
      closed = recv(fd, reply, sizeof reply, 0) <= 0;
      if (!closed) FAIL() << "answered a request that never completed";
    }
  }
  close(fd);
  EXPECT_TRUE(closed);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(seconds, 0.9);
  EXPECT_LT(seconds, 4.0);
  EXPECT_EQ(server.client().Get("/v1/health")->status, 200);  // others are still served
}

TEST(HttpService, SigtermStopsCleanly) {
  Server server({"--db", fresh_db("sigterm"), "--port", "0"});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  ASSERT_EQ(c.Get("/v1/health")->status, 200);  // a kept-alive connection stays open
  EXPECT_EQ(server.signal_and_wait(SIGTERM), 0);
}

}  // namespace
