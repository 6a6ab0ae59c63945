// clv whatif / clv report end to end on CDNOW fits made by clv fit.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

const std::string kSummary =
    std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary_with_transactions.csv";

std::string dir() {
  return testing::TempDir() + "/whatif_cli";
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

class WhatIfCli : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::system(("mkdir -p " + dir()).c_str());
    ASSERT_EQ(
        clv("fit --model pnbd --summary " + kSummary + " --out " + dir() + "/pnbd.json").exit_code,
        0);
    ASSERT_EQ(
        clv("fit --model gg --summary " + kSummary + " --out " + dir() + "/gg.json").exit_code, 0);
  }
  static std::string run_section() {
    return "[run]\nsummary = \"" + kSummary +
           "\"\ncount_params = \"pnbd.json\"\nspend_params = \"gg.json\"\n"
           "horizon = 52\ndiscount_rate = 0.1\nmargin = 0.3\n";
  }
};

TEST_F(WhatIfCli, RanksScenariosAsJsonDeterministically) {
  const std::string file = dir() + "/s.toml";
  write(file, run_section() + R"(
[[scenario]]
name = "offer"
target = { top_by_value_at_risk = 300 }
retention_offer = { hazard_ratio = { value = 0.7, low90 = 0.5, high90 = 0.9 }, cost_per_customer = 1 }

[[scenario]]
name = "nothing"
target = "all"
purchase_rate = { factor = 1.0 }
)");
  const CliRun a = clv("whatif " + file + " --json --draws 40 --seed 5");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  ASSERT_EQ(j["scenarios"].size(), 2u);
  EXPECT_EQ(j["scenarios"][0]["name"], "offer");
  EXPECT_EQ(j["scenarios"][0]["rank"], 1);
  const auto& offer = j["scenarios"][0]["total"];
  EXPECT_EQ(offer["targeted"], 300);
  EXPECT_EQ(offer["cost"], 300);
  EXPECT_GT(offer["delta_clv"]["estimate"].get<double>(), 0);
  EXPECT_LT(offer["delta_clv"]["lower"].get<double>(),
            offer["delta_clv"]["estimate"].get<double>());
  EXPECT_LT(offer["scenario_churned"]["estimate"].get<double>(),
            offer["baseline_churned"]["estimate"].get<double>());
  EXPECT_EQ(j["scenarios"][1]["total"]["delta_clv"]["upper"], 0.0);
  EXPECT_TRUE(j["scenarios"][1]["total"]["roi"].is_null());
  bool chain_names_beta = false;
  for (const auto& line : j["scenarios"][0]["chain"]) {
    chain_names_beta =
        chain_names_beta || line.get<std::string>().find("pnbd beta") != std::string::npos;
  }
  EXPECT_TRUE(chain_names_beta);
  const CliRun b = clv("whatif " + file + " --json --draws 40 --seed 5 --threads 1");
  EXPECT_EQ(a.out, b.out);
}

TEST_F(WhatIfCli, InvalidFilesGiveLineNumbers) {
  const std::string file = dir() + "/bad.toml";
  write(file, run_section() + "\n[[scenario]]\nname = \"x\"\ntarget = \"all\"\nteleport = 1\n");
  const CliRun r = clv("whatif " + file);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.toml:12: unknown lever 'teleport'"), std::string::npos) << r.err;
  write(file,
        run_section() + "\n[[scenario]]\nname = \"x\"\ntarget = {}\nmargin = { add = 0.1 }\n");
  const CliRun e = clv("whatif " + file);
  EXPECT_NE(e.err.find("bad.toml:11: empty target"), std::string::npos) << e.err;
}

TEST_F(WhatIfCli, WritesReports) {
  const std::string file = dir() + "/r.toml";
  write(file, run_section() + R"(
[[scenario]]
name = "offer"
target = "all"
retention_offer = { hazard_ratio = 0.8 }
)");
  const std::string html = dir() + "/whatif.html";
  const CliRun r = clv("whatif " + file + " --draws 10 --report " + html);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = slurp(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("offer"), std::string::npos);
  const std::string report = dir() + "/report.html";
  const CliRun rep = clv("report --summary " + kSummary + " --params " + dir() +
                         "/pnbd.json --spend-params " + dir() + "/gg.json --out " + report);
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(slurp(report).find("<svg"), std::string::npos);
}

TEST_F(WhatIfCli, ReportsCostNetBenefitAndRoi) {
  const std::string file = dir() + "/costs.toml";
  write(file, run_section() + R"(
[[scenario]]
name = "paid offer"
target = { top_by_value_at_risk = 300 }
fixed_cost = 100
retention_offer = { hazard_ratio = { value = 0.7, low90 = 0.5, high90 = 0.9 }, cost_per_customer = 1 }

[[scenario]]
name = "unpriced"
target = "all"
purchase_rate = { factor = 1.05 }
)");
  const CliRun a = clv("whatif " + file + " --json --draws 40 --seed 5");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  nlohmann::json paid, unpriced;
  for (const auto& s : j["scenarios"]) (s["name"] == "paid offer" ? paid : unpriced) = s["total"];
  // 1 per targeted customer x 300 + 100 for the scenario.
  EXPECT_EQ(paid["cost"], 400);
  const double delta = paid["delta_clv"]["estimate"].get<double>();
  EXPECT_NEAR(paid["net_benefit"]["estimate"].get<double>(), delta - 400, 1e-9 * delta);
  EXPECT_NEAR(paid["net_benefit"]["lower"].get<double>(),
              paid["delta_clv"]["lower"].get<double>() - 400, 1e-9 * delta);
  const auto& roi = paid["roi"];
  EXPECT_NEAR(roi["estimate"].get<double>(), (delta - 400) / 400, 1e-9);
  EXPECT_NEAR(roi["upper"].get<double>(), (paid["delta_clv"]["upper"].get<double>() - 400) / 400,
              1e-9);
  EXPECT_LT(roi["lower"].get<double>(), roi["estimate"].get<double>());
  EXPECT_LT(roi["estimate"].get<double>(), roi["upper"].get<double>());
  EXPECT_TRUE(unpriced["cost"].is_null());
  EXPECT_TRUE(unpriced["net_benefit"].is_null());
  EXPECT_TRUE(unpriced["roi"].is_null());

  // Text: the same ROI with its interval; "no cost given" for the other.
  const CliRun t = clv("whatif " + file + " --draws 40 --seed 5");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("ROI [90%]"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("net benefit [90%]"), std::string::npos) << t.out;
  const std::string roi_text = fmt::format("{:.2f} [{:.2f}, {:.2f}]", roi["estimate"].get<double>(),
                                           roi["lower"].get<double>(), roi["upper"].get<double>());
  EXPECT_NE(t.out.find(roi_text), std::string::npos) << roi_text << "\n" << t.out;
  EXPECT_NE(t.out.find("no cost given"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("cost: scenario 100 fixed = 100"), std::string::npos) << t.out;

  // The report's scenario table shows cost, net benefit and ROI.
  const std::string html = dir() + "/costs.html";
  const CliRun r = clv("whatif " + file + " --draws 40 --seed 5 --report " + html);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = slurp(html);
  EXPECT_NE(page.find("net benefit"), std::string::npos);
  EXPECT_NE(page.find("ROI ("), std::string::npos);
  EXPECT_NE(page.find("no cost given"), std::string::npos);

  // A bad cost names its line.
  write(file, run_section() +
                  "\n[[scenario]]\nname = \"x\"\ntarget = \"all\"\n"
                  "retention_offer = { hazard_ratio = 0.8, cost_per_customer = -2 }\n");
  const CliRun bad = clv("whatif " + file);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("costs.toml:12: bad value -2 for scenario[0].retention_offer."
                         "cost_per_customer"),
            std::string::npos)
      << bad.err;
}

}  // namespace
