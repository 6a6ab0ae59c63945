// run_whatif against closed forms on CDNOW: levers enter the models'
// parameters, so a scenario must equal scoring with the moved parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"
#include "clv/sector_economics.hpp"
#include "clv/whatif.hpp"
#include "clv/whatif_result.hpp"

namespace {

clv::WhatIfOptions opts(int draws, unsigned long long seed, int threads) {
  clv::WhatIfOptions o;
  o.draws = draws;
  o.seed = seed;
  o.threads = threads;
  return o;
}

const std::string kCdnow =
    std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary_with_transactions.csv";

class WhatIf : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new clv::RfmData(clv::read_summary_file(kCdnow));
    bgnbd_ = new clv::FitResult(clv::fit_model("bgnbd", *data_));
    gg_ = new clv::FitResult(clv::fit_model("gg", *data_));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete bgnbd_;
    delete gg_;
  }

  static clv::WhatIfInputs inputs(const clv::FitResult& count, std::vector<clv::Scenario> s) {
    clv::WhatIfInputs in;
    in.data = *data_;
    in.count_model = count;
    in.spend_model = *gg_;
    in.run.horizon = 52;
    in.run.margin = 0.3;
    in.run.annual_discount_rate = 0.1;
    in.scenarios = std::move(s);
    return in;
  }

  static double total_clv(const clv::FitResult& count) {
    clv::ScoreOptions o;
    o.horizon = 52;
    o.margin = 0.3;
    o.annual_discount_rate = 0.1;
    const clv::Scores s = clv::score(count, *data_, o, gg_);
    double t = 0;
    for (double v : s.clv) t += v;
    return t;
  }

  static clv::Scenario offer(double h, std::optional<double> lo = {},
                             std::optional<double> hi = {}) {
    clv::Scenario s;
    s.name = "offer";
    s.target.all = true;
    s.retention_offer = clv::RetentionOffer{{h, lo, hi}};
    clv::LeverCost cost;
    cost.lever = "retention_offer";
    cost.per_customer = 2.0;
    s.costs = {cost};
    return s;
  }

  static clv::RfmData* data_;
  static clv::FitResult *bgnbd_, *gg_;
};
clv::RfmData* WhatIf::data_ = nullptr;
clv::FitResult* WhatIf::bgnbd_ = nullptr;
clv::FitResult* WhatIf::gg_ = nullptr;

TEST_F(WhatIf, BaselineMatchesScoring) {
  const auto r = clv::run_whatif(inputs(*bgnbd_, {offer(0.8)}), opts(0, 1, 0));
  EXPECT_NEAR(r.scenarios[0].total.baseline_clv.value, total_clv(*bgnbd_),
              1e-9 * total_clv(*bgnbd_));
  EXPECT_EQ(r.scenarios[0].total.customers, 2357);
  EXPECT_EQ(r.scenarios[0].total.cost, 2.0 * 2357);
}

TEST_F(WhatIf, LeverWithoutEffectLeavesClvUnchanged) {
  // Hazard ratio 1 with no uncertainty: every draw's scenario equals its baseline.
  const auto exact = clv::run_whatif(inputs(*bgnbd_, {offer(1.0)}), opts(50, 7, 0));
  const auto& t = exact.scenarios[0].total;
  EXPECT_EQ(t.delta_clv.value, 0.0);
  EXPECT_EQ(t.delta_clv.lower, 0.0);
  EXPECT_EQ(t.delta_clv.upper, 0.0);
  EXPECT_GT(t.baseline_clv.upper, t.baseline_clv.lower);  // parameter draws do vary
  // Hazard ratio centred on 1 with its own uncertainty: zero within Monte Carlo error.
  const auto noisy =
      clv::run_whatif(inputs(*bgnbd_, {offer(1.0, 0.9, 1.0 / 0.9)}), opts(200, 7, 0));
  const auto& n = noisy.scenarios[0].total;
  EXPECT_EQ(n.delta_clv.value, 0.0);
  EXPECT_LT(n.delta_clv.lower, 0.0);
  EXPECT_GT(n.delta_clv.upper, 0.0);
  // A symmetric log-normal lever gives a nearly symmetric interval around 0.
  EXPECT_NEAR(n.delta_clv.lower / n.delta_clv.upper, -1.0, 0.25);
}

TEST_F(WhatIf, ParetoNbdHazardRatioEqualsBetaOverH) {
  const auto models = clv::available_models();
  if (std::find(models.begin(), models.end(), "pnbd") == models.end()) {
    GTEST_SKIP() << "pnbd is not in this build's model registry";
  }
  clv::FitResult pnbd;
  pnbd.model = "pnbd";
  pnbd.param_names = {"r", "alpha", "s", "beta"};
  pnbd.params = {0.5534, 10.5802, 0.6061, 11.6562};  // Fader, Hardie & Lee (2005), CDNOW
  pnbd.converged = true;
  for (double h : {0.5, 0.8, 1.25}) {
    const auto r = clv::run_whatif(inputs(pnbd, {offer(h)}), opts(0, 1, 0));
    clv::FitResult moved = pnbd;
    moved.params[3] /= h;
    const double expected = total_clv(moved);
    EXPECT_NEAR(r.scenarios[0].total.scenario_clv.value, expected, 1e-9 * expected) << h;
    // Expected active at the horizon: sum P(alive) ((beta+T)/(beta+T+H))^s with beta/h.
    clv::ScoreOptions o;
    o.horizon = 52;
    const clv::Scores s = clv::score(moved, *data_, o);
    double active = 0;
    for (size_t i = 0; i < data_->size(); ++i) {
      active += s.p_alive[i] *
                std::pow((moved.params[3] + data_->T[i]) / (moved.params[3] + data_->T[i] + 52),
                         moved.params[2]);
    }
    EXPECT_NEAR(r.scenarios[0].total.scenario_active.value, active, 1e-9 * active) << h;
    if (h < 1) {
      EXPECT_GT(r.scenarios[0].total.delta_clv.value, 0);
    }
  }
}

TEST_F(WhatIf, BgNbdDropoutOddsAndPurchaseRateEnterTheParameters) {
  clv::Scenario s = offer(0.7);
  s.purchase_rate_factor = clv::UncertainValue{1.2, {}, {}};
  const auto r = clv::run_whatif(inputs(*bgnbd_, {s}), opts(0, 1, 0));
  clv::FitResult moved = *bgnbd_;
  moved.params[1] /= 1.2;  // alpha
  moved.params[2] *= 0.7;  // a
  const double expected = total_clv(moved);
  EXPECT_NEAR(r.scenarios[0].total.scenario_clv.value, expected, 1e-9 * expected);
  EXPECT_GT(r.scenarios[0].total.scenario_active.value, r.scenarios[0].total.baseline_active.value);
}

TEST_F(WhatIf, BgNbdSurvivalMatchesSimulation) {
  // Active at the horizon for one customer history, against draws of the
  // alive-conditional posterior lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x).
  clv::WhatIfInputs in = inputs(*bgnbd_, {offer(1.0)});
  in.data = clv::RfmData{};
  in.data.customer_id = {"c"};
  in.data.x = {3};
  in.data.t_x = {30};
  in.data.T = {38};
  in.data.monetary = {20};
  const auto r = clv::run_whatif(in, opts(0, 1, 0));
  const auto& p = bgnbd_->params;
  clv::ScoreOptions o;
  o.horizon = 52;
  const double p_alive = clv::score(*bgnbd_, in.data, o).p_alive[0];
  std::mt19937_64 rng(3);
  std::gamma_distribution<double> lambda(p[0] + 3, 1.0 / (p[1] + 38));
  std::gamma_distribution<double> ga(p[2], 1.0), gb(p[3] + 3, 1.0);
  double sum = 0, sum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = ga(rng), v = gb(rng);
    const double surv = std::exp(-lambda(rng) * (u / (u + v)) * 52);
    sum += surv;
    sum2 += surv * surv;
  }
  const double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
  EXPECT_NEAR(r.scenarios[0].total.baseline_active.value / p_alive, mean, 4 * se);
  EXPECT_NEAR(
      r.scenarios[0].total.baseline_active.value + r.scenarios[0].total.baseline_churned.value,
      p_alive, 1e-12);
}

TEST_F(WhatIf, PriceAndMarginChain) {
  clv::Scenario s;
  s.name = "price";
  s.target.all = true;
  s.price = clv::PriceChange{0.1, {0.0, {}, {}}, false};  // no elasticity, costs move with price
  const auto r = clv::run_whatif(inputs(*bgnbd_, {s}), opts(0, 1, 0));
  EXPECT_NEAR(r.scenarios[0].total.scenario_clv.value,
              1.1 * r.scenarios[0].total.baseline_clv.value,
              1e-9 * r.scenarios[0].total.baseline_clv.value);
  // Fixed unit costs: margin 0.3 -> 1 - 0.7/1.1.
  s.price->costs_fixed = true;
  const auto fixed = clv::run_whatif(inputs(*bgnbd_, {s}), opts(0, 1, 0));
  EXPECT_NEAR(fixed.scenarios[0].total.scenario_clv.value,
              1.1 * (1 - 0.7 / 1.1) / 0.3 * fixed.scenarios[0].total.baseline_clv.value,
              1e-9 * fixed.scenarios[0].total.baseline_clv.value);
  bool mentions_margin = false;
  for (const auto& line : fixed.scenarios[0].chain) {
    mentions_margin = mentions_margin || line.find("margin 0.3 -> 0.3636") != std::string::npos;
  }
  EXPECT_TRUE(mentions_margin);
}

TEST_F(WhatIf, TargetsSegmentsRankingAndSeed) {
  clv::WhatIfInputs in = inputs(*bgnbd_, {});
  in.attributes.segment.resize(data_->size());
  for (size_t i = 0; i < data_->size(); ++i) in.attributes.segment[i] = i % 3 == 0 ? "a" : "b";
  clv::Scenario only_a = offer(0.6);
  only_a.name = "only a";
  only_a.target.all = false;
  only_a.target.segment = {"a"};
  clv::Scenario top = offer(0.6);
  top.name = "top 100 at risk";
  top.target.all = false;
  top.target.top_by_value_at_risk = 100;
  in.scenarios = {top, only_a};
  const auto r = clv::run_whatif(in, opts(40, 11, 0));
  ASSERT_EQ(r.scenarios.size(), 2u);
  EXPECT_EQ(r.scenarios[0].rank, 1);
  EXPECT_GE(r.scenarios[0].total.net_benefit->value, r.scenarios[1].total.net_benefit->value);
  for (const auto& s : r.scenarios) {
    if (s.name == "only a") {
      EXPECT_EQ(s.total.targeted, 786);  // ceil(2357 / 3)
      ASSERT_EQ(s.segments.size(), 2u);
      EXPECT_EQ(s.segments[1].segment, "b");
      EXPECT_EQ(s.segments[1].delta_clv.value, 0.0);
      EXPECT_EQ(s.segments[1].delta_clv.upper, 0.0);
      EXPECT_GT(s.segments[0].delta_clv.value, 0.0);
    } else {
      EXPECT_EQ(s.total.targeted, 100);
    }
  }
  const auto again = clv::run_whatif(in, opts(40, 11, 1));
  EXPECT_EQ(again.scenarios[0].total.delta_clv.lower, r.scenarios[0].total.delta_clv.lower);
  const auto other = clv::run_whatif(in, opts(40, 12, 0));
  EXPECT_NE(other.scenarios[0].total.delta_clv.lower, r.scenarios[0].total.delta_clv.lower);
}

TEST_F(WhatIf, ClearErrors) {
  clv::Scenario seg = offer(0.8);
  seg.target.all = false;
  seg.target.segment = {"x"};
  EXPECT_THROW(clv::run_whatif(inputs(*bgnbd_, {seg}), opts(0, 1, 0)), clv::Error);
  clv::Scenario staff = offer(0.8);
  staff.staff.push_back({"store-1", {{"empathy", 0.1}}});
  try {
    clv::run_whatif(inputs(*bgnbd_, {staff}), opts(0, 1, 0));
    FAIL();
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("covariate"), std::string::npos);
  }
  clv::FitResult sbg = *bgnbd_;
  sbg.model = "gg";
  EXPECT_THROW(clv::run_whatif(inputs(sbg, {offer(0.8)}), opts(0, 1, 0)), clv::Error);
}

TEST_F(WhatIf, CostsGiveNetBenefitAndRoiFromTheDeltaDraws) {
  clv::WhatIfInputs in = inputs(*bgnbd_, {});
  in.attributes.segment.resize(data_->size());
  for (size_t i = 0; i < data_->size(); ++i) in.attributes.segment[i] = i % 3 == 0 ? "a" : "b";
  clv::Scenario paid = offer(0.6, 0.5, 0.72);
  paid.name = "paid";
  clv::LeverCost launch;
  launch.lever = "scenario";
  launch.fixed = 1000;
  paid.costs.push_back(launch);  // + 2 per customer from offer()
  clv::Scenario free = offer(0.6, 0.5, 0.72);
  free.name = "free";
  free.costs.clear();
  in.scenarios = {paid, free};
  const auto r = clv::run_whatif(in, opts(60, 5, 0));
  const clv::ScenarioOutcome* p = nullptr;
  const clv::ScenarioOutcome* f = nullptr;
  for (const auto& s : r.scenarios) (s.name == "paid" ? p : f) = &s;
  ASSERT_TRUE(p && f);
  const double cost = 2.0 * 2357 + 1000;
  const clv::WhatIfOutcome& t = p->total;
  ASSERT_TRUE(t.cost && t.net_benefit && t.roi);
  EXPECT_DOUBLE_EQ(*t.cost, cost);
  const double tol = 1e-9 * std::abs(t.delta_clv.value);
  EXPECT_NEAR(t.net_benefit->value, t.delta_clv.value - cost, tol);
  EXPECT_NEAR(t.net_benefit->lower, t.delta_clv.lower - cost, tol);
  EXPECT_NEAR(t.net_benefit->upper, t.delta_clv.upper - cost, tol);
  EXPECT_NEAR(t.roi->value, (t.delta_clv.value - cost) / cost, 1e-9);
  EXPECT_NEAR(t.roi->lower, (t.delta_clv.lower - cost) / cost, 1e-9);
  EXPECT_NEAR(t.roi->upper, (t.delta_clv.upper - cost) / cost, 1e-9);
  EXPECT_LT(t.roi->lower, t.roi->value);
  EXPECT_LT(t.roi->value, t.roi->upper);
  // Segments: their own per-customer costs and a share of the fixed cost.
  ASSERT_EQ(p->segments.size(), 2u);
  EXPECT_DOUBLE_EQ(*p->segments[0].cost, 2.0 * 786 + 1000.0 * 786 / 2357);
  EXPECT_NEAR(*p->segments[0].cost + *p->segments[1].cost, cost, 1e-9 * cost);
  // No cost given: no cost, net benefit or ROI (JSON null), never 0 or inf.
  EXPECT_FALSE(f->total.cost);
  EXPECT_FALSE(f->total.net_benefit);
  EXPECT_FALSE(f->total.roi);
  EXPECT_FALSE(f->segments[0].cost);
  const std::string json = clv::whatif_result_to_json_text(r);
  EXPECT_NE(json.find("\"cost\": null"), std::string::npos);
  EXPECT_NE(json.find("\"roi\": null"), std::string::npos);
  EXPECT_NE(json.find("\"net_benefit\": {"), std::string::npos);
  bool chain = false;
  for (const auto& line : p->chain) chain = chain || line.find("cost: scenario 1000 fixed") == 0;
  EXPECT_TRUE(chain);
}

TEST_F(WhatIf, IncidentCostsNeedACovariateRun) {
  clv::Scenario s = offer(0.8);
  s.line = 9;
  s.costs[0].per_incident = 4;
  s.costs[0].line = 12;
  try {
    clv::run_whatif(inputs(*bgnbd_, {s}), opts(0, 1, 0));
    FAIL();
  } catch (const clv::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("(line 12): cost_per_incident of retention_offer"), std::string::npos)
        << what;
    EXPECT_NE(what.find("covariate run"), std::string::npos) << what;
  }
}

TEST_F(WhatIf, CostToServeAndReferralAreNettedAsInScoring) {
  // Base and scenario CLV equal the summed scored CLVs (score_by_sector) with
  // a nonzero cost to serve and referral value, baseline and moved parameters.
  clv::FitResult pnbd;
  pnbd.model = "pnbd";
  pnbd.param_names = {"r", "alpha", "s", "beta"};
  pnbd.params = {0.5534, 10.5802, 0.6061, 11.6562};
  pnbd.converged = true;
  clv::EconomicsOverrides o;
  o.margin = 0.3;
  o.annual_discount_rate = 0.1;
  o.cost_to_serve = 0.5;
  o.referral_value = 10;
  const std::vector<std::string> sectors(data_->size());
  auto scored = [&](const clv::FitResult& fit) {
    const clv::SectorScores s = clv::score_by_sector(fit, *data_, sectors, 52, gg_, o, nullptr);
    double t = 0;
    for (double v : s.scores.clv) t += v;
    return t;
  };
  for (const clv::FitResult* fit : {bgnbd_, &pnbd}) {
    clv::WhatIfInputs in = inputs(*fit, {offer(0.8)});
    clv::apply_whatif_economics(in, nullptr, sectors, o);
    ASSERT_EQ(in.cost_to_serve.size(), data_->size());
    EXPECT_EQ(in.cost_to_serve[0], 0.5);
    const auto r = clv::run_whatif(in, opts(0, 1, 0));
    const double base = scored(*fit);
    EXPECT_NEAR(r.scenarios[0].total.baseline_clv.value, base, 1e-9 * std::abs(base)) << fit->model;
    // The netting matters: without it the baseline is higher.
    EXPECT_LT(base, total_clv(*fit) - 1000) << fit->model;
  }
  clv::WhatIfInputs in = inputs(pnbd, {offer(0.8)});
  clv::apply_whatif_economics(in, nullptr, sectors, o);
  const auto r = clv::run_whatif(in, opts(0, 1, 0));
  clv::FitResult moved = pnbd;
  moved.params[3] /= 0.8;
  const double expected = scored(moved);
  EXPECT_NEAR(r.scenarios[0].total.scenario_clv.value, expected, 1e-9 * std::abs(expected));
}

}  // namespace
