// Scenario files: what parses, and line-numbered errors for what does not.
#include <gtest/gtest.h>

#include <string>

#include "clv/error.hpp"
#include "clv/scenario.hpp"

namespace {

const char* kRun = R"([run]
summary = "summary.csv"
count_params = "bgnbd.json"
spend_params = "gg.json"
horizon = 52
discount_rate = 0.1
margin = 0.3
)";

std::string error_of(const std::string& text, const std::string& name = "s.toml") {
  try {
    clv::parse_scenario_text(text, name);
  } catch (const clv::Error& e) {
    EXPECT_EQ(e.code(), clv::ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "(no error)";
}

TEST(ScenarioParser, ReadsLeversTargetsAndUncertainty) {
  const std::string text = std::string(kRun) + R"(
[[scenario]]
name = "Offer to at-risk premium"
target = { segment = ["premium", "regular"], risk_band = "high", clv_decile = [1, 3] }
retention_offer = { hazard_ratio = { value = 0.8, low90 = 0.7, high90 = 0.9 }, cost_per_customer = 5 }

[[scenario]]
name = "Price up"
target = "all"
price = { change = 0.05, elasticity = { value = -1.2, low90 = -1.8, high90 = -0.6 } }
margin = { add = 0.01 }
)";
  const clv::ScenarioFile f = clv::parse_scenario_text(text, "s.toml");
  EXPECT_EQ(f.run.horizon, 52);
  EXPECT_DOUBLE_EQ(f.run.margin, 0.3);
  ASSERT_EQ(f.scenarios.size(), 2u);
  const clv::Scenario& a = f.scenarios[0];
  EXPECT_EQ(a.line, 9);
  EXPECT_EQ(a.target.segment, (std::vector<std::string>{"premium", "regular"}));
  EXPECT_EQ(a.target.risk_band, std::vector<std::string>{"high"});
  EXPECT_EQ(a.target.clv_decile_from, 1);
  EXPECT_EQ(a.target.clv_decile_to, 3);
  ASSERT_TRUE(a.retention_offer);
  EXPECT_DOUBLE_EQ(a.retention_offer->hazard_ratio.value, 0.8);
  EXPECT_DOUBLE_EQ(*a.retention_offer->hazard_ratio.low90, 0.7);
  ASSERT_EQ(a.costs.size(), 1u);
  EXPECT_EQ(a.costs[0].lever, "retention_offer");
  EXPECT_DOUBLE_EQ(a.costs[0].per_customer, 5);
  const clv::Scenario& b = f.scenarios[1];
  EXPECT_TRUE(b.target.all);
  ASSERT_TRUE(b.price);
  EXPECT_DOUBLE_EQ(b.price->elasticity.value, -1.2);
  EXPECT_DOUBLE_EQ(*b.margin_add, 0.01);
}

TEST(ScenarioParser, JsonIsAcceptedToo) {
  const std::string json = R"({
  "run": {"summary": "s.csv", "count_params": "b.json", "spend_params": "g.json", "horizon": 26},
  "scenario": [{"name": "Faster buying", "target": {"region": "us-east"},
                "purchase_rate": {"factor": 1.1}}]
})";
  const clv::ScenarioFile f = clv::parse_scenario_text(json, "s.json");
  ASSERT_EQ(f.scenarios.size(), 1u);
  EXPECT_EQ(f.scenarios[0].target.region, std::vector<std::string>{"us-east"});
  EXPECT_DOUBLE_EQ(f.scenarios[0].purchase_rate_factor->value, 1.1);
}

TEST(ScenarioParser, UnknownLeverNamesItsLine) {
  const std::string text = std::string(kRun) + R"(
[[scenario]]
name = "x"
target = "all"
discount_coupon = { value = 3 }
)";
  const std::string e = error_of(text);
  EXPECT_NE(e.find("s.toml:12:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown lever 'discount_coupon'"), std::string::npos) << e;
  EXPECT_NE(e.find("retention_offer"), std::string::npos) << e;  // lists the known ones
}

TEST(ScenarioParser, BadValueNamesItsLine) {
  const std::string text = std::string(kRun) + R"(
[[scenario]]
name = "x"
target = "all"
retention_offer = { hazard_ratio = -2 }
)";
  const std::string e = error_of(text);
  EXPECT_NE(e.find("s.toml:12:"), std::string::npos) << e;
  EXPECT_NE(e.find("bad value -2"), std::string::npos) << e;

  const std::string text2 = std::string(kRun) + R"(
[[scenario]]
name = "x"
target = "all"

[scenario.incidents]
resolution_time_factor = "fast"
)";
  const std::string e2 = error_of(text2);
  EXPECT_NE(e2.find("s.toml:14:"), std::string::npos) << e2;
  EXPECT_NE(e2.find("expected a number"), std::string::npos) << e2;
}

TEST(ScenarioParser, EmptyTargetNamesItsLine) {
  const std::string text = std::string(kRun) + R"(
[[scenario]]
name = "x"
target = {}
purchase_rate = { factor = 1.2 }
)";
  const std::string e = error_of(text);
  EXPECT_NE(e.find("s.toml:11:"), std::string::npos) << e;
  EXPECT_NE(e.find("empty target"), std::string::npos) << e;
}

TEST(ScenarioParser, StructuralProblems) {
  EXPECT_NE(error_of("[run\nx=1").find("s.toml:1:"), std::string::npos);
  EXPECT_NE(error_of(kRun).find("at least one [[scenario]]"), std::string::npos);
  EXPECT_NE(error_of(std::string(kRun) + "[[scenario]]\nname = \"x\"\ntarget = \"all\"\n")
                .find("pulls no lever"),
            std::string::npos);
  EXPECT_NE(error_of("{\"run\": {,}}", "s.json").find("s.json:1: not valid JSON"),
            std::string::npos);
  const std::string json_err = error_of(
      R"({"run": {"summary": "s", "count_params": "c", "spend_params": "g", "horizon": 1},
          "scenario": [{"name": "a", "target": "all", "price": {"change": "lots"}}]})",
      "s.json");
  EXPECT_NE(json_err.find("scenario[0].price.change"), std::string::npos) << json_err;
  const std::string dup = std::string(kRun) +
                          "[[scenario]]\nname=\"a\"\ntarget=\"all\"\nmargin={add=0.1}\n"
                          "[[scenario]]\nname=\"a\"\ntarget=\"all\"\nmargin={add=0.1}\n";
  EXPECT_NE(error_of(dup).find("duplicate scenario name"), std::string::npos);
}

TEST(ScenarioParser, IncidentAndStaffLeversAndTheirBadValues) {
  const std::string ok = std::string(kRun) + R"(db = "clv.db"

[[scenario]]
name = "service"
target = "all"
incidents = { resolution_time_factor = 0.5, unresolved_share = 0.2, satisfaction = 4.5, rate_factor = { "late delivery" = 0.5, "severity:5" = 0 } }
staff = [{ location = "store-berlin", empathy = 1 }, { tact = -0.5 }]
)";
  const clv::ScenarioFile f = clv::parse_scenario_text(ok, "s.toml");
  EXPECT_EQ(f.run.db, "clv.db");
  const clv::Scenario& s = f.scenarios.at(0);
  ASSERT_TRUE(s.incidents.has_value());
  EXPECT_EQ(*s.incidents->resolution_time_factor, 0.5);
  EXPECT_EQ(*s.incidents->unresolved_share, 0.2);
  EXPECT_EQ(*s.incidents->satisfaction, 4.5);
  EXPECT_EQ(s.incidents->rate_factor.at("late delivery"), 0.5);
  EXPECT_EQ(s.incidents->rate_factor.at("severity:5"), 0.0);
  ASSERT_EQ(s.staff.size(), 2u);
  EXPECT_EQ(s.staff[0].location, "store-berlin");
  EXPECT_EQ(s.staff[0].profile_delta.at("empathy"), 1.0);
  EXPECT_EQ(s.staff[1].profile_delta.at("tact"), -0.5);

  struct Bad {
    const char* lever;
    const char* message;
  };
  const Bad bad[] = {
      {"incidents = { satisfaction = 7 }", "bad value 7"},
      {"incidents = { unresolved_share = 1.5 }", "bad value 1.5"},
      {"incidents = { rate_factor = { \"severity:9\" = 0.5 } }", "severity:1..5"},
      {"incidents = { rate_factor = { billing = -1 } }", "bad value -1"},
      {"incidents = { rate_factor = {} }", "names no category"},
      {"incidents = { speed = 2 }", "unknown incident lever 'speed'"},
      {"incidents = {}", "sets no lever"},
      {"staff = { empathy = 20 }", "bad value 20"},
      {"staff = { kindness = 1 }", "unknown staff lever 'kindness'"},
      {"staff = { location = \"store-berlin\" }", "changes no trait"},
  };
  for (const Bad& b : bad) {
    const std::string text =
        std::string(kRun) + "\n[[scenario]]\nname = \"x\"\ntarget = \"all\"\n" + b.lever + "\n";
    const std::string e = error_of(text);
    EXPECT_NE(e.find("s.toml:12:"), std::string::npos) << b.lever << " -> " << e;
    EXPECT_NE(e.find(b.message), std::string::npos) << b.lever << " -> " << e;
  }
}

// Issue 13 item 1: 100,000-deep JSON and TOML are a clear error, not SIGSEGV.
TEST(ScenarioParser, DeepNestingIsRefused) {
  const std::string deep_json =
      "{\"scenario\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_NE(error_of(deep_json, "deep.json").find("deep.json: JSON nests deeper than 64 levels"),
            std::string::npos);
  std::string deep_toml = std::string(kRun) + "[scenario";
  for (int i = 0; i < 100000; ++i) deep_toml += ".x";
  deep_toml += "]\n";
  EXPECT_NE(error_of(deep_toml, "deep.toml").find("deep.toml:8: TOML nests deeper than 64 levels"),
            std::string::npos)
      << error_of(deep_toml, "deep.toml");
}

}  // namespace

namespace {

TEST(ScenarioParser, ReadsLeverAndScenarioCosts) {
  const std::string text = std::string(kRun) + R"(
[[scenario]]
name = "Training"
target = "all"
fixed_cost = 1000
retention_offer = { hazard_ratio = 0.9, cost_per_customer = 2, fixed_cost = 50 }

[[scenario.staff]]
location = "Lisbon"
empathy = 2
cost_per_employee = 300

[scenario.incidents]
resolution_time_factor = 0.5
cost_per_incident = 4.5
)";
  const clv::ScenarioFile f = clv::parse_scenario_text(text, "s.toml");
  const clv::Scenario& s = f.scenarios.at(0);
  ASSERT_EQ(s.costs.size(), 4u);
  auto find = [&](const std::string& lever) -> const clv::LeverCost& {
    for (const auto& c : s.costs) {
      if (c.lever == lever) return c;
    }
    ADD_FAILURE() << "no cost for " << lever;
    return s.costs.front();
  };
  EXPECT_DOUBLE_EQ(find("retention_offer").per_customer, 2);
  EXPECT_DOUBLE_EQ(find("retention_offer").fixed, 50);
  EXPECT_DOUBLE_EQ(find("staff").per_employee, 300);
  EXPECT_EQ(find("staff").location, "Lisbon");
  EXPECT_DOUBLE_EQ(find("incidents").per_incident, 4.5);
  EXPECT_DOUBLE_EQ(find("scenario").fixed, 1000);
  EXPECT_EQ(find("scenario").line, 12);
  EXPECT_EQ(find("staff").line, 15);
}

TEST(ScenarioParser, BadCostsNameTheirLine) {
  auto scenario = [](const std::string& lever_line) {
    return std::string(kRun) + "\n[[scenario]]\nname = \"x\"\ntarget = \"all\"\n" + lever_line +
           "\n";
  };
  // Negative, NaN, a string: each names line 12 and the field.
  const std::string neg =
      error_of(scenario("retention_offer = { hazard_ratio = 0.9, cost_per_customer = -1 }"));
  EXPECT_NE(neg.find("s.toml:12:"), std::string::npos) << neg;
  EXPECT_NE(neg.find("bad value -1 for scenario[0].retention_offer.cost_per_customer"),
            std::string::npos)
      << neg;
  const std::string nan = error_of(scenario("purchase_rate = { factor = 1.1, fixed_cost = nan }"));
  EXPECT_NE(nan.find("s.toml:12:"), std::string::npos) << nan;
  EXPECT_NE(nan.find("fixed_cost must be a finite number"), std::string::npos) << nan;
  const std::string text =
      error_of(scenario("margin = { add = 0.01, cost_per_customer = \"cheap\" }"));
  EXPECT_NE(text.find("s.toml:12:"), std::string::npos) << text;
  EXPECT_NE(text.find("expected a number"), std::string::npos) << text;
  const std::string scen = error_of(scenario("fixed_cost = -5\nprice = { change = 0.02 }"));
  EXPECT_NE(scen.find("s.toml:12:"), std::string::npos) << scen;
  EXPECT_NE(scen.find("scenario[0].fixed_cost"), std::string::npos) << scen;
  // Too large: the message names the upper limit (issue 14).
  const std::string huge =
      error_of(scenario("retention_offer = { hazard_ratio = 0.9, cost_per_customer = 1e300 }"));
  EXPECT_NE(huge.find("s.toml:12:"), std::string::npos) << huge;
  EXPECT_NE(huge.find("[0, 1e12]"), std::string::npos) << huge;
  const std::string huge_fixed =
      error_of(scenario("fixed_cost = 1e300\nprice = { change = 0.02 }"));
  EXPECT_NE(huge_fixed.find("scenario[0].fixed_cost"), std::string::npos) << huge_fixed;
  EXPECT_NE(huge_fixed.find("at most 10^12"), std::string::npos) << huge_fixed;
  // A cost alone is not a lever.
  const std::string alone = error_of(scenario("incidents = { cost_per_incident = 3 }"));
  EXPECT_NE(alone.find("sets no lever"), std::string::npos) << alone;
  // JSON: the path names the field.
  const std::string json = error_of(
      R"({"run": {"summary": "s", "count_params": "c", "spend_params": "g", "horizon": 1},
          "scenario": [{"name": "a", "target": "all",
                        "price": {"change": 0.1, "cost_per_customer": -3}}]})",
      "s.json");
  EXPECT_NE(json.find("scenario[0].price.cost_per_customer"), std::string::npos) << json;
}

TEST(ScenarioParser, ServicePremiumTableAndItsErrors) {
  const std::string head =
      std::string(kRun) + "\n[[scenario]]\nname = \"premium\"\ntarget = \"all\"\n";
  const clv::ScenarioFile f = clv::parse_scenario_text(
      head +
          "[[scenario.service_premium]]\nprice_increase = 0.05\nmin_satisfaction = 4\n"
          "elasticity = { value = -0.8, low90 = -1.2, high90 = -0.4 }\n",
      "s.toml");
  ASSERT_EQ(f.scenarios.size(), 1u);
  ASSERT_TRUE(f.scenarios[0].service_premium);
  const clv::ServicePremium& p = *f.scenarios[0].service_premium;
  EXPECT_DOUBLE_EQ(p.price_increase, 0.05);
  EXPECT_DOUBLE_EQ(p.min_satisfaction, 4);
  EXPECT_DOUBLE_EQ(p.elasticity.value, -0.8);
  EXPECT_DOUBLE_EQ(*p.elasticity.low90, -1.2);
  EXPECT_TRUE(p.costs_fixed);
  EXPECT_EQ(p.line, 12);
  // An inline table works too, with costs_fixed.
  const clv::ScenarioFile g = clv::parse_scenario_text(
      head +
          "service_premium = { price_increase = 0.1, min_satisfaction = 3.5, "
          "costs_fixed = false }\n",
      "s.toml");
  ASSERT_TRUE(g.scenarios[0].service_premium);
  EXPECT_FALSE(g.scenarios[0].service_premium->costs_fixed);
  EXPECT_DOUBLE_EQ(g.scenarios[0].service_premium->min_satisfaction, 3.5);
  // Errors name the line and the field.
  const std::string level = error_of(
      head + "[[scenario.service_premium]]\nprice_increase = 0.05\nmin_satisfaction = 6\n");
  EXPECT_NE(level.find("s.toml:14:"), std::string::npos) << level;
  EXPECT_NE(level.find("min_satisfaction"), std::string::npos) << level;
  const std::string missing =
      error_of(head + "[[scenario.service_premium]]\nmin_satisfaction = 4\n");
  EXPECT_NE(missing.find("s.toml:12:"), std::string::npos) << missing;
  EXPECT_NE(missing.find("needs a price_increase"), std::string::npos) << missing;
  const std::string two = error_of(head +
                                   "[[scenario.service_premium]]\nprice_increase = 0.05\n"
                                   "min_satisfaction = 4\n[[scenario.service_premium]]\n"
                                   "price_increase = 0.1\nmin_satisfaction = 4.5\n");
  EXPECT_NE(two.find("s.toml:15:"), std::string::npos) << two;
  EXPECT_NE(two.find("one service_premium per scenario"), std::string::npos) << two;
  const std::string unknown = error_of(
      head + "service_premium = { price_increase = 0.05, min_satisfaction = 4, level = 2 }\n");
  EXPECT_NE(unknown.find("unknown field 'level'"), std::string::npos) << unknown;
}

}  // namespace
