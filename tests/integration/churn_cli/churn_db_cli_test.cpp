// `clv fit --db --covariates incidents,staff,static:segment` and `clv churn
// --db` end to end on the retail sample portfolio imported into a database:
// the fit is stored as a run, churn scores the stored fit and stores risks
// and drivers keyed by external customer id.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

const std::string kPlugins = std::string(CLV_BINARY_DIR) + "/plugins";

// The retail sample portfolio in a fresh database (once per test binary).
const std::string& retail_db() {
  static const std::string db = [] {
    const std::string path = testing::TempDir() + "/churn_db_retail.db";
    std::filesystem::remove(path);
    const std::string data = std::string(CLV_SOURCE_DIR) + "/data/retail/";
    for (const char* entity : {"employees", "customers", "transactions", "incidents"}) {
      // Rows as in the file (the counts below): the build tree's plugins are
      // found without --plugin-dir, and the retail plugin would net returns.
      const CliRun r = clv(std::string("import ") + entity + " " + data + entity +
                           ".csv --sector retail --no-plugins --db " + path);
      EXPECT_EQ(r.exit_code, 0) << entity << ": " << r.err;
    }
    return path;
  }();
  return db;
}

TEST(ChurnDbCli, FitsFromTheDatabaseStoresTheRunAndChurnScoresIt) {
  const std::string& db = retail_db();
  const std::string params = testing::TempDir() + "/pnbd_cov.json";
  const std::string raw = testing::TempDir() + "/raw_covariates.csv";
  const CliRun fit = clv("fit --model pnbd --db " + db +
                         " --calibration-end 2026-06-30 --covariates incidents,staff,"
                         "static:segment --snapshot --plugin-dir " +
                         kPlugins + " --out " + params + " --out-covariates " + raw);
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_NE(fit.out.find("stored as run"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("gamma_dropout"), std::string::npos) << fit.out;
  const auto j = nlohmann::json::parse(slurp(params));
  const auto names = j["covariates"].get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), 8u + 6u + 2u);  // incidents, staff, segment dummies (value = reference)
  EXPECT_EQ(names[14], "segment=premium");
  EXPECT_EQ(names[15], "segment=regular");
  EXPECT_EQ(j["gamma_dropout"].size(), names.size());
  EXPECT_EQ(j["scaling_sd"].size(), names.size());
  for (double sd : j["scaling_sd"]) EXPECT_GT(sd, 0.0);
  for (const auto& [name, se] : j["std_errors"].items()) {
    EXPECT_TRUE(std::isfinite(se.get<double>()) && se.get<double>() > 0) << name;
  }
  EXPECT_TRUE(j["fit"]["converged"].get<bool>());
  EXPECT_GT(j["log_likelihood"].get<double>(), j["baseline_log_likelihood"].get<double>());
  EXPECT_EQ(j["calibration_end"], "2026-06-30");
  {
    std::ifstream in(raw);
    std::string header, line;
    std::getline(in, header);
    EXPECT_EQ(header.rfind("customer_id,incident_count,incident_rate,", 0), 0u) << header;
    size_t rows = 0;
    while (std::getline(in, line)) ++rows;
    EXPECT_EQ(rows, 2000u);
  }
  ASSERT_EQ(j["incident_rules"].size(), 1u);
  if (std::filesystem::exists(kPlugins + "/retail")) {
    // Retail's SLA for deliveries is 24 h: 1/7 week (plugins/retail/README.md).
    const std::string rules = j["incident_rules"][0].dump();
    EXPECT_NE(rules.find("plugin retail"), std::string::npos) << rules;
  }

  const CliRun churn = clv("churn --db " + db + " --horizon 26 --top 5 --json");
  ASSERT_EQ(churn.exit_code, 0) << churn.err;
  const auto c = nlohmann::json::parse(churn.out);
  ASSERT_EQ(c["customers"].size(), 5u);
  double previous = 1e300;
  for (const auto& row : c["customers"]) {
    const double value = row["value_at_risk"].get<double>();
    EXPECT_LE(value, previous);  // the at-risk list: highest value at risk first
    previous = value;
    EXPECT_EQ(row["customer_id"].get<std::string>().rfind("C", 0), 0u);  // external ids
    EXPECT_FALSE(row["drivers"].empty());
  }
  // The stored fit was scored: same gammas.
  EXPECT_EQ(c["model"]["gamma_dropout"], j["gamma_dropout"]);
  EXPECT_EQ(c["time_unit"], "week");  // the fit's unit, stated with the horizon

  SQLite::Database store(db);
  SQLite::Statement runs(store, "SELECT kind, model FROM runs ORDER BY id");
  std::vector<std::string> kinds;
  while (runs.executeStep())
    kinds.push_back(runs.getColumn(0).getString() + ":" + runs.getColumn(1).getString());
  ASSERT_GE(kinds.size(), 2u);
  EXPECT_EQ(kinds[kinds.size() - 2], "fit:pnbd_cov");
  EXPECT_EQ(kinds.back(), "churn:pnbd_cov");
  SQLite::Statement scores(store,
                           "SELECT COUNT(*), SUM(drivers LIKE '%staff_%' OR drivers LIKE "
                           "'%incident%' OR drivers LIKE '%resolution%' OR drivers LIKE "
                           "'%segment%') FROM churn_scores WHERE run_id = ?");
  scores.bind(1, c["run_id"].get<int64_t>());
  ASSERT_TRUE(scores.executeStep());
  EXPECT_EQ(scores.getColumn(0).getInt(), 2000);  // every calibration customer
  EXPECT_EQ(scores.getColumn(1).getInt(), 2000);  // each with named drivers
  // The run records its horizon's unit, so readers (the HTTP churn drivers) can state it.
  SQLite::Statement details(store, "SELECT details FROM runs WHERE id = ?");
  details.bind(1, c["run_id"].get<int64_t>());
  ASSERT_TRUE(details.executeStep());
  EXPECT_EQ(nlohmann::json::parse(details.getColumn(0).getString())["time_unit"], "week");
}

TEST(ChurnDbCli, ExplainsWhatIsMissing) {
  const std::string empty = testing::TempDir() + "/churn_db_empty.db";
  std::filesystem::remove(empty);
  CliRun r = clv("churn --db " + empty + " --horizon 26");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no database at"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(empty));  // a mistyped path creates nothing
  // A database without a covariate fit says what to run first.
  const std::string header_only = testing::TempDir() + "/churn_db_empty_customers.csv";
  std::ofstream(header_only) << "customer_id\n";
  ASSERT_EQ(clv("import customers " + header_only + " --db " + empty).exit_code, 0);
  r = clv("churn --db " + empty + " --horizon 26");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no covariate fit"), std::string::npos) << r.err;
  r = clv("fit --model pnbd --db " + retail_db() + " --covariates incidents --no-store");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--calibration-end"), std::string::npos) << r.err;
  r = clv("fit --model pnbd --db " + retail_db() +
          " --calibration-end 2026-06-30 --covariates incidents,static:shoe_size --no-store");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("shoe_size"), std::string::npos) << r.err;
}

}  // namespace
