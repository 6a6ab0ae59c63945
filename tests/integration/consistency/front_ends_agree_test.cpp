// One database, three front ends: the CLI (clv summary/score/whatif), the C
// API (libclv.so) and `clv serve` (HTTP) reach the same core code, so the
// same customers get the same summary, P(alive), CLV with their sector's
// economics, and the same what-if answer, plugin lever included. The data:
// retail and hospitality customers (both sectors with first-party plugins,
// hospitality folios merged by its plugin), a JPY and a KWD customer.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "clv/c_api.h"
#include "support/cli_run.hpp"
#include "support/serve_child.hpp"

namespace {

using nlohmann::json;
const std::string kPluginDir = std::string(CLV_BINARY_DIR) + "/plugins";
constexpr const char* kCalibrationEnd = "2024-12-29";

struct Fixture {
  std::string dir, db, customers, transactions;
  std::vector<std::string> ids;
  std::map<std::string, std::string> sector;
};

// 160 retail (USD), 160 hospitality (USD, two folio lines per stay), one
// JPY and one KWD retail customer; purchases over 2024 at random.
Fixture make_data(const std::string& name) {
  Fixture f;
  f.dir = testing::TempDir() + "/consistency_" + name;
  std::filesystem::remove_all(f.dir);
  std::filesystem::create_directories(f.dir);
  f.db = f.dir + "/clv.db";
  f.customers = f.dir + "/customers.csv";
  f.transactions = f.dir + "/transactions.csv";
  std::ofstream c(f.customers), t(f.transactions);
  c << "customer_id,sector,segment\n";
  t << "transaction_id,customer_id,timestamp,amount,currency,kind,reference\n";
  // BG/NBD-like buyers: Poisson purchases at a gamma-distributed rate, each
  // purchase followed by dropout with a customer-specific probability.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> cents(500, 9000);
  std::gamma_distribution<double> rate(2.0, 0.02);  // purchases per day
  std::uniform_real_distribution<double> uniform(0, 1);
  std::uniform_int_distribution<int> birth(0, 90);
  int tid = 0;
  auto add_customer = [&](const std::string& id, const std::string& sector, const char* currency,
                          int scale) {
    f.ids.push_back(id);
    f.sector[id] = sector;
    c << id << "," << sector << "," << (f.ids.size() % 2 ? "gold" : "silver") << "\n";
    std::vector<int> days;
    const double lambda = rate(rng), dropout = 0.5 * uniform(rng);
    for (double t = birth(rng); t < 360;) {
      days.push_back(static_cast<int>(t));
      if (uniform(rng) < dropout) break;
      std::exponential_distribution<double> gap(lambda);
      t += gap(rng);
    }
    for (const int d : days) {
      const std::string date = fmt::format("2024-{:02}-{:02}", 1 + d / 30, 1 + d % 28);
      const double amount = cents(rng) / 100.0 * scale;
      const std::string text = scale == 1000  ? fmt::format("{:.3f}", amount / 1000 * 1.125)
                               : scale == 100 ? fmt::format("{:.0f}", amount)
                                              : fmt::format("{:.2f}", amount);
      if (sector == "hospitality") {
        // Room and minibar on one folio: the plugin merges them into one stay.
        const std::string folio = fmt::format("F{}", tid);
        t << "t" << tid++ << "," << id << "," << date << "," << text << "," << currency
          << ",purchase," << folio << "\n";
        t << "t" << tid++ << "," << id << "," << date << ",12.50," << currency << ",purchase,"
          << folio << "\n";
      } else {
        t << "t" << tid++ << "," << id << "," << date << "," << text << "," << currency
          << ",purchase,\n";
      }
    }
  };
  for (int i = 0; i < 160; ++i) add_customer(fmt::format("r{}", i), "retail", "USD", 1);
  for (int i = 0; i < 160; ++i) add_customer(fmt::format("h{}", i), "hospitality", "USD", 1);
  add_customer("yen", "retail", "JPY", 100);
  add_customer("dinar", "retail", "KWD", 1000);
  return f;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::istringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::string take(char* text) {
  std::string s = text ? text : "";
  clv_free(text);
  return s;
}

using Server = cli_test::ServeChild;

void expect_close(double a, const json& expected, const std::string& what) {
  ASSERT_TRUE(expected.is_number()) << what << ": " << expected.dump();
  const double b = expected.get<double>();
  EXPECT_NEAR(a, b, 1e-9 * (1 + std::abs(b))) << what;
}

const char* kWhatIf = R"({"draws": 40, "seed": 7, "run": {"horizon": 52, "sector": "retail"},
  "scenario": [{"name": "loyalty", "target": "all",
                "plugin_lever": {"plugin": "retail", "lever": "loyalty_discount"}},
               {"name": "offer", "target": "all", "fixed_cost": 50,
                "retention_offer": {"hazard_ratio": {"value": 0.8, "low90": 0.7, "high90": 0.9},
                                    "cost_per_customer": 2, "fixed_cost": 100}}]})";

TEST(FrontEnds, CliCApiAndHttpGiveTheSameValuesAndWhatIf) {
  ASSERT_TRUE(std::ifstream(kPluginDir + "/retail/manifest.json").good()) << kPluginDir;
  const Fixture f = make_data("all");
  using cli_test::run_clv;
  const std::string plugins = " --plugin-dir " + kPluginDir;
  ASSERT_EQ(run_clv("import customers " + f.customers + " --db " + f.db).exit_code, 0);
  const auto imported = run_clv("import transactions " + f.transactions + " --db " + f.db +
                                " --map transaction_id=transaction_id" + plugins);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  // C API: fit the engine's run and score everyone.
  const json options = {
      {"plugin_dirs", {kPluginDir}}, {"observation_end", kCalibrationEnd}, {"horizon", 52}};
  clv_engine* engine = nullptr;
  ASSERT_EQ(clv_engine_open(f.db.c_str(), options.dump().c_str(), &engine), CLV_OK)
      << clv_last_error();
  char* text = nullptr;
  ASSERT_EQ(clv_refit(engine, &text), CLV_OK) << clv_last_error();
  const json run = json::parse(take(text));
  ASSERT_EQ(clv_score_json(engine, json({{"customer_ids", f.ids}}).dump().c_str(), &text), CLV_OK)
      << clv_last_error();
  const json c_scores = json::parse(take(text))["scores"];
  ASSERT_EQ(clv_whatif_json(engine, kWhatIf, &text), CLV_OK) << clv_last_error();
  const json c_whatif = json::parse(take(text));
  clv_engine_close(engine);
  ASSERT_EQ(c_scores.size(), f.ids.size());

  // Currency decimals: 1.125 x the generated yen/dinar amounts, same day-sum
  // rules as USD; a KWD amount keeps its three decimals.
  for (const json& s : c_scores) {
    const auto known = f.sector.find(s["customer_id"].get<std::string>());
    ASSERT_NE(known, f.sector.end()) << s.dump();
    EXPECT_EQ(s["sector"], known->second) << s.dump();
    ASSERT_TRUE(s["clv"].is_number()) << s.dump();
  }

  // HTTP: the same database through `clv serve`.
  std::map<std::string, json> http_by_id;
  json http_whatif;
  {
    Server server({"--db", f.db, "--port", "0", "--observation-end", kCalibrationEnd, "--horizon",
                   "52", "--plugin-dir", kPluginDir});
    ASSERT_GT(server.port(), 0);
    auto client = server.client();
    const auto r =
        client.Post("/v1/scores", json({{"customer_ids", f.ids}}).dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json scores = json::parse(r->body);
    for (const json& s : scores["scores"]) {
      http_by_id[s["customer_id"].get<std::string>()] = s;
    }
    ASSERT_EQ(http_by_id.size(), f.ids.size()) << r->body.substr(0, 300);
    const auto w = client.Post("/v1/what-if", kWhatIf, "application/json");
    ASSERT_TRUE(w);
    ASSERT_EQ(w->status, 200) << w->body;
    http_whatif = json::parse(w->body);
  }
  for (const json& s : c_scores) {
    const json& h = http_by_id.at(s["customer_id"].get<std::string>());
    EXPECT_EQ(s, h) << "C API and HTTP differ for " << s["customer_id"];
  }
  EXPECT_EQ(c_whatif, http_whatif);

  // CLI: summary of the database, scored with the engine run's parameters.
  const std::string count = f.dir + "/count.json", spend = f.dir + "/gg.json";
  std::ofstream(count) << run["count_fit"].dump();
  std::ofstream(spend) << run["spend_fit"].dump();
  const std::string summary = f.dir + "/summary.csv";
  const auto sum = run_clv("summary --db " + f.db + " --calibration-end " + kCalibrationEnd +
                           " --unit week --out " + summary);
  ASSERT_EQ(sum.exit_code, 0) << sum.err;
  const auto scored =
      run_clv("score --db " + f.db + " --calibration-end " + kCalibrationEnd + " --params " +
              count + " --spend-params " + spend + " --horizon 52" + plugins);
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  std::map<std::string, std::vector<std::string>> cli_score, cli_summary;
  const auto score_rows = csv_rows(scored.out);
  for (size_t i = 1; i < score_rows.size(); ++i) cli_score[score_rows[i][0]] = score_rows[i];
  const auto summary_rows = csv_rows(slurp(summary));
  ASSERT_FALSE(summary_rows.empty());
  std::map<std::string, size_t> col;
  for (size_t c = 0; c < summary_rows[0].size(); ++c) col[summary_rows[0][c]] = c;
  for (const char* name : {"frequency", "recency", "T", "monetary_value"}) {
    ASSERT_TRUE(col.count(name)) << name << " missing in " << slurp(summary).substr(0, 200);
  }
  for (size_t i = 1; i < summary_rows.size(); ++i)
    cli_summary[summary_rows[i][0]] = summary_rows[i];
  for (const json& s : c_scores) {
    const std::string id = s["customer_id"];
    ASSERT_TRUE(cli_summary.count(id)) << id;
    ASSERT_TRUE(cli_score.count(id)) << id << "\n" << scored.out.substr(0, 300);
    const auto& row = cli_summary.at(id);
    expect_close(std::stod(row[col.at("frequency")]), s["frequency"], id + " frequency");
    expect_close(std::stod(row[col.at("recency")]), s["recency"], id + " recency");
    expect_close(std::stod(row[col.at("T")]), s["T"], id + " T");
    expect_close(std::stod(row[col.at("monetary_value")]), s["monetary_value"], id + " spend");
    const auto& sc = cli_score.at(id);
    expect_close(std::stod(sc[1]), s["p_alive"], id + " p_alive");
    expect_close(std::stod(sc[4]), s["clv"], id + " clv");
  }

  // CLI what-if: the same scenarios as a scenario file over the same run.
  const std::string customers_csv = f.dir + "/customers.csv";
  std::ofstream(f.dir + "/whatif.toml")
      << "[run]\nsummary = \"summary.csv\"\ncount_params = \"count.json\"\n"
         "spend_params = \"gg.json\"\ncustomers = \"customers.csv\"\nhorizon = 52\n"
         "sector = \"retail\"\n\n"
         "[[scenario]]\nname = \"loyalty\"\ntarget = \"all\"\n"
         "plugin_lever = { plugin = \"retail\", lever = \"loyalty_discount\" }\n\n"
         "[[scenario]]\nname = \"offer\"\ntarget = \"all\"\n"
         "fixed_cost = 50\n"
         "retention_offer = { hazard_ratio = { value = 0.8, low90 = 0.7, high90 = 0.9 }, "
         "cost_per_customer = 2, fixed_cost = 100 }\n";
  const auto w =
      run_clv("whatif " + f.dir + "/whatif.toml --json --draws 40 --seed 7 --threads 2" + plugins);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const json cli_whatif = json::parse(w.out);
  ASSERT_EQ(cli_whatif["scenarios"].size(), c_whatif["scenarios"].size());
  for (size_t s = 0; s < c_whatif["scenarios"].size(); ++s) {
    const json& a = cli_whatif["scenarios"][s];
    const json& b = c_whatif["scenarios"][s];
    EXPECT_EQ(a["name"], b["name"]);
    expect_close(a["total"]["delta_clv"]["estimate"].get<double>(),
                 b["total"]["delta_clv"]["estimate"],
                 "delta CLV of " + a["name"].get<std::string>());
    expect_close(a["total"]["baseline_clv"]["estimate"].get<double>(),
                 b["total"]["baseline_clv"]["estimate"],
                 "baseline CLV of " + a["name"].get<std::string>());
    // Cost, net benefit and ROI with their intervals (null when no cost is given).
    EXPECT_EQ(a["total"]["cost"].is_null(), b["total"]["cost"].is_null()) << a["name"];
    if (!b["total"]["cost"].is_null()) {
      expect_close(a["total"]["cost"].get<double>(), b["total"]["cost"], "cost");
    }
    for (const char* money : {"delta_clv", "net_benefit", "roi"}) {
      EXPECT_EQ(a["total"][money].is_null(), b["total"][money].is_null()) << money;
      if (b["total"][money].is_null()) continue;
      for (const char* part : {"estimate", "lower", "upper"}) {
        expect_close(a["total"][money][part].get<double>(), b["total"][money][part],
                     a["name"].get<std::string>() + " " + money + " " + part);
      }
    }
  }
  // The offer's cost: 2 per retail customer + 100 (lever) + 50 (scenario).
  double retail_customers = 0, retail_clv = 0;
  for (const json& s : c_scores) {
    if (s["sector"] == "retail") retail_customers += 1, retail_clv += s["clv"].get<double>();
  }
  ASSERT_GT(retail_customers, 0);
  const json* offer = nullptr;
  const json* loyalty = nullptr;
  for (const json& s : c_whatif["scenarios"]) (s["name"] == "offer" ? offer : loyalty) = &s;
  ASSERT_TRUE(offer && loyalty);
  const double cost = 2 * retail_customers + 150;
  expect_close(cost, (*offer)["total"]["cost"], "offer cost");
  const json& delta = (*offer)["total"]["delta_clv"];
  const json& roi = (*offer)["total"]["roi"];
  ASSERT_TRUE(roi.is_object()) << offer->dump();
  expect_close((delta["estimate"].get<double>() - cost) / cost, roi["estimate"], "offer ROI");
  EXPECT_LT(roi["lower"].get<double>(), roi["estimate"].get<double>());
  EXPECT_GT(roi["upper"].get<double>(), roi["estimate"].get<double>());
  EXPECT_TRUE((*loyalty)["total"]["cost"].is_null()) << loyalty->dump();
  EXPECT_TRUE((*loyalty)["total"]["roi"].is_null());
  // The what-if baseline is the sum of the scored CLVs of the same customers:
  // the retail plugin's cost to serve and referral value are netted in both.
  expect_close(retail_clv, (*offer)["total"]["baseline_clv"]["estimate"], "baseline = sum of CLV");
  // The plugin lever moved the value (margin cut, more purchases).
  EXPECT_NE(c_whatif["scenarios"][0]["total"]["delta_clv"]["estimate"].get<double>(), 0.0);
  EXPECT_EQ(cli_whatif["margin"], 0.3);  // retail plugin's margin
}

// A hospitality folio sent over HTTP is merged by the plugin exactly as the
// same rows imported from CSV; amounts keep their currency's decimals.
TEST(FrontEnds, HttpIngestIsNormalizedLikeTheCsvImport) {
  const std::string dir = testing::TempDir() + "/consistency_ingest";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string csv_db = dir + "/csv.db", http_db = dir + "/http.db";
  std::ofstream(dir + "/customers.csv") << "customer_id,sector\nguest,hospitality\nshop,retail\n";
  std::ofstream(dir + "/tx.csv")
      << "transaction_id,customer_id,timestamp,amount,currency,kind,reference\n"
         "a1,guest,2024-03-01,150.00,USD,purchase,F1\n"
         "a2,guest,2024-03-02,20.00,USD,purchase,F1\n"
         "a3,shop,2024-03-05,500,JPY,purchase,\n"
         "a4,shop,2024-03-06,700,JPY,purchase,\n"
         "a5,kw,2024-03-05,1.000,KWD,purchase,\n"
         "a6,kw,2024-03-06,5.125,KWD,purchase,\n";
  using cli_test::run_clv;
  for (const std::string& db : {csv_db, http_db}) {
    ASSERT_EQ(run_clv("import customers " + dir + "/customers.csv --db " + db).exit_code, 0);
  }
  const auto imported = run_clv("import transactions " + dir + "/tx.csv --db " + csv_db +
                                " --plugin-dir " + kPluginDir);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  {
    Server server({"--db", http_db, "--port", "0", "--plugin-dir", kPluginDir});
    ASSERT_GT(server.port(), 0);
    auto client = server.client();
    const json batch = {{"transactions",
                         {{{"id", "a1"},
                           {"customer_id", "guest"},
                           {"timestamp", "2024-03-01"},
                           {"amount", 150.0},
                           {"currency", "USD"},
                           {"reference", "F1"}},
                          {{"id", "a2"},
                           {"customer_id", "guest"},
                           {"timestamp", "2024-03-02"},
                           {"amount", 20.0},
                           {"currency", "USD"},
                           {"reference", "F1"}},
                          {{"id", "a3"},
                           {"customer_id", "shop"},
                           {"timestamp", "2024-03-05"},
                           {"amount", 500},
                           {"currency", "JPY"}},
                          {{"id", "a4"},
                           {"customer_id", "shop"},
                           {"timestamp", "2024-03-06"},
                           {"amount", 700},
                           {"currency", "JPY"}},
                          {{"id", "a5"},
                           {"customer_id", "kw"},
                           {"timestamp", "2024-03-05"},
                           {"amount_minor", 1000},
                           {"currency", "KWD"}},
                          {{"id", "a6"},
                           {"customer_id", "kw"},
                           {"timestamp", "2024-03-06"},
                           {"amount", 5.125},
                           {"currency", "KWD"}}}}};
    const auto r = client.Post("/v1/transactions", batch.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json result = json::parse(r->body);
    EXPECT_EQ(result["inserted"], 5);
    EXPECT_EQ(result["normalized_away"], 1);  // a2 merged into a1
  }  // SIGTERM: the engine flushes its pending rows into `transactions`
  auto stored = [&dir](const std::string& db) {
    const std::string out = db + ".summary.csv";
    const auto r =
        run_clv("summary --db " + db + " --calibration-end 2024-03-31 --unit day --out " + out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return slurp(out);
  };
  // Both databases summarise to the same table: one stay (the second folio
  // line, a day later, merged: no repeat purchase), 700 JPY and 5.125 KWD as
  // repeat spend in their currencies' decimals.
  const std::string from_csv = stored(csv_db), from_http = stored(http_db);
  EXPECT_EQ(from_csv, from_http);
  EXPECT_NE(from_http.find("\nguest,0,0,30,0\n"), std::string::npos) << from_http;
  EXPECT_NE(from_http.find("\nshop,1,1,26,700\n"), std::string::npos) << from_http;
  EXPECT_NE(from_http.find("\nkw,1,1,26,5.125\n"), std::string::npos) << from_http;
}

}  // namespace

namespace {

// The retail sample portfolio with incidents: a covariate what-if, with the
// retail plugin's covariate lever (faster_complaint_resolution) and the
// incident lever it maps onto, gives the same answer through the CLI (a
// scenario file naming the covariate fit and the database), the C API and
// HTTP (the covariate fit in the request).
TEST(FrontEnds, CovariateWhatIfWithAPluginCovariateLeverAgrees) {
  const std::string data = std::string(CLV_SOURCE_DIR) + "/data/retail";
  const std::string dir = testing::TempDir() + "/consistency_covariates";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/clv.db";
  const std::string plugins = " --plugin-dir " + kPluginDir;
  using cli_test::run_clv;
  for (const char* entity : {"employees", "customers", "transactions", "incidents"}) {
    const auto r = run_clv(fmt::format("import {} {}/{}.csv --sector retail --db {}{}", entity,
                                       data, entity, db, plugins));
    ASSERT_EQ(r.exit_code, 0) << entity << ": " << r.err;
  }
  const auto cov = run_clv("fit --model pnbd --db " + db +
                           " --calibration-end 2026-06-30 --covariates incidents,staff --out " +
                           dir + "/pnbd_cov.json" + plugins);
  ASSERT_EQ(cov.exit_code, 0) << cov.err;
  const json request = {
      {"draws", 0},
      {"run", {{"horizon", 52}, {"margin", 0.3}, {"discount_rate", 0.1}}},
      {"covariate_fit", json::parse(slurp(dir + "/pnbd_cov.json"))},
      {"scenario",
       {{{"name", "plugin"},
         {"target", "all"},
         {"plugin_lever", {{"plugin", "retail"}, {"lever", "faster_complaint_resolution"}}}},
        {{"name", "incidents"},
         {"target", "all"},
         {"incidents", {{"resolution_time_factor", 0.5}}}}}}};

  const json options = {{"plugin_dirs", {kPluginDir}}, {"observation_end", "2026-06-30"}};
  clv_engine* engine = nullptr;
  ASSERT_EQ(clv_engine_open(db.c_str(), options.dump().c_str(), &engine), CLV_OK)
      << clv_last_error();
  char* text = nullptr;
  ASSERT_EQ(clv_refit(engine, &text), CLV_OK) << clv_last_error();
  const json run = json::parse(take(text));
  ASSERT_EQ(clv_whatif_json(engine, request.dump().c_str(), &text), CLV_OK) << clv_last_error();
  const json c_whatif = json::parse(take(text));
  clv_engine_close(engine);

  json http_whatif;
  {
    Server server(
        {"--db", db, "--port", "0", "--observation-end", "2026-06-30", "--plugin-dir", kPluginDir});
    ASSERT_GT(server.port(), 0);
    auto client = server.client();
    const auto w = client.Post("/v1/what-if", request.dump(), "application/json");
    ASSERT_TRUE(w);
    ASSERT_EQ(w->status, 200) << w->body;
    http_whatif = json::parse(w->body);
  }
  EXPECT_EQ(c_whatif, http_whatif);

  std::ofstream(dir + "/gg.json") << run["spend_fit"].dump();
  const auto sum =
      run_clv("summary --db " + db + " --calibration-end 2026-06-30 --unit week --out " + dir +
              "/summary.csv");
  ASSERT_EQ(sum.exit_code, 0) << sum.err;
  std::ofstream(dir + "/whatif.toml")
      << "[run]\nsummary = \"summary.csv\"\ncount_params = \"pnbd_cov.json\"\n"
         "spend_params = \"gg.json\"\ndb = \"clv.db\"\nhorizon = 52\nmargin = 0.3\n"
         "discount_rate = 0.1\n\n"
         "[[scenario]]\nname = \"plugin\"\ntarget = \"all\"\n"
         "plugin_lever = { plugin = \"retail\", lever = \"faster_complaint_resolution\" }\n\n"
         "[[scenario]]\nname = \"incidents\"\ntarget = \"all\"\n"
         "incidents = { resolution_time_factor = 0.5 }\n";
  const auto w = run_clv("whatif " + dir + "/whatif.toml --json --draws 0" + plugins);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const json cli_whatif = json::parse(w.out);
  ASSERT_EQ(cli_whatif["scenarios"].size(), 2u);
  ASSERT_EQ(c_whatif["scenarios"].size(), 2u);
  for (size_t s = 0; s < 2; ++s) {
    const json& a = cli_whatif["scenarios"][s];
    const json& b = c_whatif["scenarios"][s];
    EXPECT_EQ(a["name"], b["name"]);
    expect_close(a["total"]["delta_clv"]["estimate"].get<double>(),
                 b["total"]["delta_clv"]["estimate"],
                 "delta CLV of " + a["name"].get<std::string>());
    expect_close(a["total"]["baseline_clv"]["estimate"].get<double>(),
                 b["total"]["baseline_clv"]["estimate"],
                 "baseline CLV of " + a["name"].get<std::string>());
  }
  // The plugin lever moved the value through the incident records.
  double plugin_delta = 0;
  for (const json& s : c_whatif["scenarios"]) {
    if (s["name"] == "plugin") plugin_delta = s["total"]["delta_clv"]["estimate"].get<double>();
  }
  EXPECT_NE(plugin_delta, 0.0);
}

}  // namespace
