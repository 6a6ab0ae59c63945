// clv whatif with incident and staff levers end to end: the retail sample
// portfolio imported into a database, a covariate fit from it (clv fit --db
// --covariates incidents,staff --out pnbd_cov.json), and the sample scenario
// file data/retail/incident_scenarios.toml naming both in its [run].
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

std::string dir() {
  return testing::TempDir() + "/incident_whatif";
}

const std::string kScenarios = std::string(CLV_SOURCE_DIR) + "/data/retail/incident_scenarios.toml";

// What scripts/demo.sh makes: clv.db, summary.csv, gg.json, pnbd_cov.json.
void make_run_dir() {
  static bool done = false;
  if (done) return;
  std::filesystem::remove_all(dir());
  std::filesystem::create_directories(dir());
  const std::string db = dir() + "/clv.db", data = std::string(CLV_SOURCE_DIR) + "/data/retail/";
  for (const char* entity : {"employees", "customers", "transactions", "incidents"}) {
    const CliRun r = clv(std::string("import ") + entity + " " + data + entity +
                         ".csv --sector retail --db " + db);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CliRun r = clv("summary --db " + db + " --calibration-end 2026-06-30 --unit week --out " + dir() +
                 "/summary.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = clv("fit --model gg --summary " + dir() + "/summary.csv --out " + dir() + "/gg.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = clv("fit --model pnbd --db " + db +
          " --calibration-end 2026-06-30 --covariates incidents,staff --plugin-dir " +
          std::string(CLV_BINARY_DIR) + "/plugins --out " + dir() + "/pnbd_cov.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  done = true;
}

TEST(IncidentWhatIfCli, SampleScenariosRunThroughTheCovariates) {
  make_run_dir();
  const CliRun r =
      clv("whatif " + kScenarios + " --run-dir " + dir() + " --draws 20 --seed 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["scenarios"].size(), 5u);
  bool saw_fast = false, saw_staff = false;
  for (const auto& s : j["scenarios"]) {
    const std::string chain = s["chain"].dump();
    const double delta = s["total"]["delta_clv"]["estimate"].get<double>();
    EXPECT_TRUE(std::isfinite(delta)) << s["name"];
    EXPECT_NE(chain.find("raw covariates rebuilt"), std::string::npos) << chain;
    EXPECT_NE(chain.find("dropout rate x"), std::string::npos) << chain;
    if (s["name"] == "Resolve twice as fast") {
      saw_fast = true;
      EXPECT_NE(chain.find("mean_resolution_vs_sla"), std::string::npos) << chain;
    }
    if (s["name"] == "Empathy training, all stores") {
      saw_staff = true;
      EXPECT_NE(chain.find("staff_empathy"), std::string::npos) << chain;
    }
    EXPECT_LE(s["total"]["delta_clv"]["lower"].get<double>(), delta);
    EXPECT_GE(s["total"]["delta_clv"]["upper"].get<double>(), delta);
  }
  EXPECT_TRUE(saw_fast);
  EXPECT_TRUE(saw_staff);
}

TEST(IncidentWhatIfCli, CovariateLeversNeedACovariateFitAndItsDatabase) {
  make_run_dir();
  const std::string no_db = dir() + "/no_db.toml";
  std::ofstream(no_db) << "[run]\nsummary = \"summary.csv\"\ncount_params = \"pnbd_cov.json\"\n"
                          "spend_params = \"gg.json\"\nhorizon = 52\n\n[[scenario]]\n"
                          "name = \"fast\"\ntarget = \"all\"\n"
                          "incidents = { resolution_time_factor = 0.5 }\n";
  CliRun r = clv("whatif " + no_db + " --draws 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("db = \"clv.db\""), std::string::npos) << r.err;
  r = clv("fit --model pnbd --summary " + dir() + "/summary.csv --out " + dir() + "/pnbd.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string plain = dir() + "/plain.toml";
  std::ofstream(plain) << "[run]\nsummary = \"summary.csv\"\ncount_params = \"pnbd.json\"\n"
                          "spend_params = \"gg.json\"\ndb = \"clv.db\"\nhorizon = 52\n\n"
                          "[[scenario]]\nname = \"kind\"\ntarget = \"all\"\n"
                          "staff = { empathy = 1 }\n";
  r = clv("whatif " + plain + " --draws 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("covariate"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(line 8)"), std::string::npos) << r.err;
}

// Per-incident and per-employee costs count the targeted customers' recorded
// incidents (up to the calibration end) and their distinct handlers.
TEST(IncidentWhatIfCli, IncidentAndEmployeeCostsCountTheRecords) {
  make_run_dir();
  // Incidents opened up to the calibration end, and their handlers, from the CSV.
  std::ifstream csv(std::string(CLV_SOURCE_DIR) + "/data/retail/incidents.csv");
  std::string line;
  std::getline(csv, line);
  double incidents = 0;
  std::set<std::string> handlers;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
    if (cells.size() < 10 || cells[2].substr(0, 10) > "2026-06-30") continue;
    incidents += 1;
    if (!cells[9].empty()) handlers.insert(cells[9]);
  }
  ASSERT_GT(incidents, 0);
  const std::string file = dir() + "/costs.toml";
  std::ofstream(file) << R"([run]
summary = "summary.csv"
count_params = "pnbd_cov.json"
spend_params = "gg.json"
db = "clv.db"
horizon = 52
discount_rate = 0.10
margin = 0.30

[[scenario]]
name = "Faster and kinder"
target = "all"
fixed_cost = 1000
incidents = { resolution_time_factor = 0.5, cost_per_incident = 4 }
staff = { empathy = 1.0, cost_per_employee = 300 }
)";
  const CliRun r = clv("whatif " + file + " --run-dir " + dir() + " --draws 20 --seed 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& t = j["scenarios"][0]["total"];
  // The incidents the covariate levers edit (their own count in the chain)
  // are the ones costed: the CSV's, less any the fit's record rules drop.
  const std::string chain = j["scenarios"][0]["chain"].dump();
  const size_t at = chain.find(" incidents -> ");
  ASSERT_NE(at, std::string::npos) << chain;
  const double edited = std::stod(chain.substr(chain.rfind('(', at) + 1));
  EXPECT_LE(edited, incidents);
  EXPECT_GE(edited, 0.98 * incidents);
  EXPECT_NE(chain.find(fmt::format("4 per incident x {} incidents", edited)), std::string::npos)
      << chain;
  EXPECT_NE(chain.find(fmt::format("300 per employee x {} employees", handlers.size())),
            std::string::npos)
      << chain;
  const double cost = 4 * edited + 300 * static_cast<double>(handlers.size()) + 1000;
  EXPECT_NEAR(t["cost"].get<double>(), cost, 1e-9 * cost) << chain;
  const double delta = t["delta_clv"]["estimate"].get<double>();
  EXPECT_NEAR(t["roi"]["estimate"].get<double>(), (delta - cost) / cost, 1e-9);
  EXPECT_LE(t["roi"]["lower"].get<double>(), t["roi"]["estimate"].get<double>());
  EXPECT_GE(t["roi"]["upper"].get<double>(), t["roi"]["estimate"].get<double>());
}

}  // namespace

namespace {

// Issue 14: the service_premium lever on the shipped retail sample. With no
// elasticity and unit costs not fixed, a customer's CLV is linear in its
// spend per purchase, so the lever adds d x the gross CLV of the customers it
// charges (mean survey >= the level): positive for d > 0, exactly twice as
// much for 2d, the mirror image for -d, and less than a price rise of d for
// everyone. A negative elasticity lowers the gain; a lower level charges more
// customers.
TEST(IncidentWhatIfCli, ServicePremiumOnTheRetailSampleHasTheSignAndSizeOfItsDefinition) {
  make_run_dir();
  const std::string file = dir() + "/premium.toml";
  auto premium = [](const std::string& name, double d, double level, double elasticity) {
    return fmt::format(
        "\n[[scenario]]\nname = \"{}\"\ntarget = \"all\"\n[[scenario.service_premium]]\n"
        "price_increase = {}\nmin_satisfaction = {}\nelasticity = {}\ncosts_fixed = false\n",
        name, d, level, elasticity);
  };
  std::ofstream(file) << "[run]\nsummary = \"summary.csv\"\ncount_params = \"pnbd_cov.json\"\n"
                         "spend_params = \"gg.json\"\ndb = \"clv.db\"\nhorizon = 52\n"
                         "discount_rate = 0.10\nmargin = 0.30\n"
                      << premium("p5", 0.05, 4, 0) << premium("p10", 0.10, 4, 0)
                      << premium("m5", -0.05, 4, 0) << premium("p5_elastic", 0.05, 4, -0.8)
                      << premium("p5_level3", 0.05, 3, 0)
                      << "\n[[scenario]]\nname = \"price5\"\ntarget = \"all\"\n"
                         "price = { change = 0.05, elasticity = 0, costs_fixed = false }\n";
  const CliRun r = clv("whatif " + file + " --run-dir " + dir() + " --draws 0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::map<std::string, double> delta;
  std::map<std::string, double> charged;
  double targeted = 0;
  for (const auto& s : j["scenarios"]) {
    const std::string name = s["name"];
    delta[name] = s["total"]["delta_clv"]["estimate"].get<double>();
    ASSERT_TRUE(std::isfinite(delta[name])) << name;
    const std::string chain = s["chain"].dump();
    const size_t at = chain.find("service_premium charged to ");
    if (name != "price5") {
      ASSERT_NE(at, std::string::npos) << chain;
      charged[name] =
          std::stod(chain.substr(at + std::string("service_premium charged to ").size()));
      targeted = s["total"]["targeted"].get<double>();
    }
  }
  ASSERT_EQ(delta.size(), 6u) << r.out.substr(0, 500);
  // Some, not all, customers were served at 4 or better.
  EXPECT_GT(charged["p5"], 0.0);
  EXPECT_LT(charged["p5"], targeted);  // not everyone was served that well
  EXPECT_GE(charged["p5_level3"], charged["p5"]);
  // Sign and size.
  EXPECT_GT(delta["p5"], 0.0);
  EXPECT_NEAR(delta["p10"], 2 * delta["p5"], 1e-6 * std::abs(delta["p5"]));
  EXPECT_NEAR(delta["m5"], -delta["p5"], 1e-6 * std::abs(delta["p5"]));
  EXPECT_LT(delta["p5"], delta["price5"]);  // charged customers only vs everyone
  EXPECT_GT(delta["price5"], 0.0);
  EXPECT_LT(delta["p5_elastic"], delta["p5"]);  // fewer purchases at the higher price
  EXPECT_GT(delta["p5_elastic"], 0.0);          // 1.05^(1 - 0.8) > 1
  EXPECT_GE(delta["p5_level3"], delta["p5"]);   // more customers charged
}

}  // namespace
