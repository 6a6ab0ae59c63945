// Incident and staff levers on a covariate Pareto/NBD: they edit records, the
// covariates are rebuilt and standardized with the fit's scaling, and the
// customers' rates move through the gammas. Checked against the closed form
// for one customer, for no effect at factor 1, and on a simulated portfolio
// where slow resolution raises dropout.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "clv/whatif.hpp"
#include "models/clv_valuation.hpp"
#include "models/pareto_nbd.hpp"
#include "scenario/scenario_levers.hpp"

namespace {

constexpr double kH = 52, kMargin = 0.3, kDiscount = 0.1;
const std::vector<double> kGg = {6.0, 4.0, 40.0};

clv::WhatIfOptions opts(int draws) {
  clv::WhatIfOptions o;
  o.draws = draws;
  o.seed = 7;
  o.threads = 2;
  return o;
}

clv::FitResult gg_fit() {
  clv::FitResult f;
  f.model = "gg";
  f.param_names = {"p", "q", "gamma"};
  f.params = kGg;
  f.std_errors = {0.3, 0.2, 2.0};
  f.converged = true;
  return f;
}

clv::FitResult pnbd_of(const clv::CovariateParetoNbd& m) {
  clv::FitResult f;
  f.model = "pnbd";
  f.param_names = {"r", "alpha", "s", "beta"};
  f.params = {m.r, m.alpha, m.s, m.beta};
  f.converged = true;
  f.time_unit = clv::TimeUnit::week();
  return f;
}

clv::WhatIfInputs inputs(const clv::RfmData& data, std::shared_ptr<clv::CovariateWhatIf> run,
                         std::vector<clv::Scenario> scenarios) {
  clv::WhatIfInputs in;
  in.data = data;
  in.count_model = pnbd_of(run->model);
  in.spend_model = gg_fit();
  in.run.horizon = kH;
  in.run.margin = kMargin;
  in.run.annual_discount_rate = kDiscount;
  in.scenarios = std::move(scenarios);
  in.covariates = std::move(run);
  return in;
}

clv::Scenario incidents(const std::string& name, clv::IncidentLevers levers) {
  clv::Scenario s;
  s.name = name;
  s.target.all = true;
  s.incidents = levers;
  return s;
}

double customer_clv(const clv::ParetoNbdParams& p, double x, double t_x, double T, double mbar) {
  const double delta = clv::discount_per_unit(kDiscount, clv::TimeUnit::week());
  const double spend = kGg[0] * (kGg[2] + x * mbar) / (kGg[0] * x + kGg[1] - 1.0);
  return kMargin * spend * clv::pnbd_p_alive(p, x, t_x, T) *
         clv::pnbd_discounted_if_alive(p, x, T, kH, delta);
}

// A hand-made model and portfolio: customer 0 has one incident resolved after
// 3 weeks against an SLA of 2; the others have none.
struct OneCustomer {
  clv::RfmData data;
  std::shared_ptr<clv::CovariateWhatIf> run = std::make_shared<clv::CovariateWhatIf>();
  OneCustomer() {
    data.customer_id = {"a", "b", "c"};
    data.x = {4, 1, 0};
    data.t_x = {30, 10, 0};
    data.T = {40, 35, 20};
    data.monetary = {25, 30, 0};
    clv::CovariateParetoNbd& m = run->model;
    m.r = 0.8, m.alpha = 9, m.s = 0.7, m.beta = 14;
    m.scaling.names = clv::incident_covariate_names(true, false);
    m.scaling.mean.assign(8, 0.4);
    m.scaling.scale = {1, 0.02, 2, 0.5, 0.8, 1.5, 0.6, 5};
    m.gamma_purchase = {0.1, 0, 0, -0.1, -0.05, 0.02, 0.1, 0};
    m.gamma_dropout = {0.2, 0, 0.1, 0.5, 0.6, 0.3, -0.2, 0};
    m.fit.converged = true;
    clv::CustomerCovariateData& d = run->data;
    d.incidents_group = true;
    d.T = data.T;
    d.incidents.resize(3);
    clv::IncidentObservation inc;
    inc.opened = 10, inc.resolved = 13, inc.severity = 2, inc.category = "x";
    inc.satisfaction = 3;
    d.incidents[0] = {inc};
    clv::IncidentRules rules;
    rules.expected_resolution = 2;
    d.rules = {rules};
    d.unknown_fill.assign(8, 0.4);
    d.build();  // validates
  }
  double clv_of(size_t i, const std::vector<double>& raw) const {
    const auto& m = run->model;
    double lp = 0, ld = 0;
    for (size_t j = 0; j < raw.size(); ++j) {
      const double z = (raw[j] - m.scaling.mean[j]) / m.scaling.scale[j];
      lp += m.gamma_purchase[j] * z;
      ld += m.gamma_dropout[j] * z;
    }
    const clv::ParetoNbdParams p{m.r, m.alpha * std::exp(-lp), m.s, m.beta * std::exp(-ld)};
    return customer_clv(p, data.x[i], data.t_x[i], data.T[i], data.monetary[i]);
  }
};

TEST(CovariateWhatIf, HalvedResolutionTimeMatchesTheClosedForm) {
  const OneCustomer c;
  clv::IncidentLevers half;
  half.resolution_time_factor = 0.5;
  const auto r = clv::run_whatif(inputs(c.data, c.run, {incidents("half", half)}), opts(0));
  ASSERT_EQ(r.scenarios.size(), 1u);
  // By hand: count 1, rate 1/40, severity 2, unresolved 0, mean and worst
  // resolution 3/2 (halved: 3/4), satisfaction 3, compensation 0.
  const std::vector<double> before = {1, 1.0 / 40, 2, 0, 1.5, 1.5, 3, 0};
  std::vector<double> after = before;
  after[4] = after[5] = 0.75;
  const double expected_delta = c.clv_of(0, after) - c.clv_of(0, before);
  EXPECT_GT(expected_delta, 0.0);  // positive gammas on resolution time: faster is better
  EXPECT_NEAR(r.scenarios[0].total.delta_clv.value, expected_delta, 1e-9 * c.clv_of(0, before));
  // The baseline is every customer scored with its own covariates.
  const std::vector<double> none = {0, 0, 0, 0, 0.4, 0, 0.4, 0};  // unknowns take the fill
  const double baseline = c.clv_of(0, before) + c.clv_of(1, none) + c.clv_of(2, none);
  EXPECT_NEAR(r.scenarios[0].total.baseline_clv.value, baseline, 1e-9 * baseline);
  bool chain_names_the_covariate = false;
  for (const auto& line : r.scenarios[0].chain) {
    chain_names_the_covariate |=
        line.find("mean_resolution_vs_sla 1.5 -> 0.75") != std::string::npos;
  }
  EXPECT_TRUE(chain_names_the_covariate);
}

TEST(CovariateWhatIf, UnresolvedShareIsTheExpectationOverOutcomes) {
  OneCustomer c;
  auto run = std::make_shared<clv::CovariateWhatIf>(*c.run);
  run->data.incidents[0][0].resolved = -1;  // open at the cut-off (opened at 10, T = 40)
  clv::IncidentLevers share;
  share.unresolved_share = 0.3;
  const auto r = clv::run_whatif(inputs(c.data, run, {incidents("share", share)}), opts(0));
  // Open: unresolved 1, worst (40 - 10) / 2 = 15 SLAs capped at kGivenUpSlas, mean unknown
  // -> fill 0.4, its survey kept.
  const std::vector<double> open = {1, 1.0 / 40, 2, 1, 0.4, clv::kGivenUpSlas, 3, 0};
  // Resolved within its SLA: ratio 1.
  const std::vector<double> closed = {1, 1.0 / 40, 2, 0, 1, 1, 3, 0};
  const double expected = 0.3 * c.clv_of(0, open) + 0.7 * c.clv_of(0, closed) - c.clv_of(0, open);
  EXPECT_NEAR(r.scenarios[0].total.delta_clv.value, expected, 1e-9 * std::abs(expected));
}

TEST(CovariateWhatIf, LeversWithoutEffectLeaveClvUnchanged) {
  const OneCustomer c;
  clv::IncidentLevers same;
  same.resolution_time_factor = 1.0;
  clv::Scenario staff;
  staff.name = "staff elsewhere";
  staff.target.all = true;
  staff.staff.push_back({"nowhere", {{"empathy", 1.0}}});
  const auto r = clv::run_whatif(inputs(c.data, c.run, {incidents("x1", same), staff}), opts(50));
  for (const auto& s : r.scenarios) {
    EXPECT_EQ(s.total.delta_clv.value, 0.0) << s.name;
    EXPECT_EQ(s.total.delta_clv.lower, 0.0) << s.name;
    EXPECT_EQ(s.total.delta_clv.upper, 0.0) << s.name;
    EXPECT_GT(s.total.baseline_clv.upper, s.total.baseline_clv.lower) << s.name;
  }
}

// Simulated portfolio: every customer's incidents are resolved at a
// customer-specific speed, and the dropout rate rises by kEffect per unit of
// mean resolution time over SLA.
constexpr double kEffect = 0.8;

struct Simulated {
  clv::RfmData data;
  clv::CustomerCovariateData records;
  clv::CovariateMatrix raw;
  Simulated(size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    std::poisson_distribution<int> extra(1.5);
    std::lognormal_distribution<double> speed(0.0, 0.4);
    std::exponential_distribution<double> duration(1.0);
    records.incidents_group = true;
    clv::IncidentRules rules;
    rules.expected_resolution = 1.0;  // SLA one week
    records.rules = {rules};
    for (size_t i = 0; i < n; ++i) {
      const double T = 20 + 32 * unit(rng);
      records.T.push_back(T);
      const double slow = speed(rng);
      std::vector<clv::IncidentObservation> list;
      for (int k = 2 + extra(rng); k > 0; --k) {
        clv::IncidentObservation inc;
        inc.opened = T * unit(rng);
        const double end = inc.opened + slow * duration(rng);
        inc.resolved = end <= T ? end : -1;
        inc.severity = 1 + static_cast<int>(5 * unit(rng));
        inc.satisfaction = unit(rng) < 0.5 ? 1 + static_cast<int>(5 * unit(rng)) : -1;
        inc.compensation = unit(rng) < 0.2 ? 10 : 0;
        list.push_back(inc);
      }
      records.incidents.push_back(std::move(list));
    }
    records.T.resize(n);
    raw = records.build();
    for (size_t i = 0; i < n; ++i) {
      const double w = raw.at(i, 4);  // mean_resolution_vs_sla
      const double beta_i = 60.0 * std::exp(-kEffect * w);
      const double lambda = std::gamma_distribution<double>(0.9, 1.0 / 8.0)(rng);
      const double mu = std::gamma_distribution<double>(0.8, 1.0 / beta_i)(rng);
      const double T = records.T[i];
      const double death = std::exponential_distribution<double>(mu)(rng);
      std::exponential_distribution<double> gap(lambda);
      double t = 0, last = 0, x = 0, spend = 0;
      while ((t += gap(rng)) <= std::min(death, T)) {
        x += 1, last = t;
        spend += std::gamma_distribution<double>(6.0, 1.0 / 0.2)(rng);
      }
      data.customer_id.push_back("c" + std::to_string(i));
      data.x.push_back(x);
      data.t_x.push_back(last);
      data.T.push_back(T);
      data.monetary.push_back(x > 0 ? spend / x : 0);
    }
  }
};

TEST(CovariateWhatIf, FasterResolutionRaisesClvWhereSlowResolutionRaisesDropout) {
  const Simulated sim(1500, 11);
  auto run = std::make_shared<clv::CovariateWhatIf>();
  run->model = clv::fit_covariate_pnbd(sim.data.x, sim.data.t_x, sim.data.T, sim.raw);
  run->data = sim.records;
  const auto& m = run->model;
  ASSERT_TRUE(m.fit.converged);
  // The fit finds the effect: gamma per sd = kEffect * sd(w), within 3 standard errors.
  const double se = m.fit.std_errors[4 + 8 + 4];
  EXPECT_NEAR(m.gamma_dropout[4], kEffect * m.scaling.scale[4], 3 * se);
  EXPECT_GT(m.gamma_dropout[4], 2 * se);

  clv::IncidentLevers half;
  half.resolution_time_factor = 0.5;
  const auto r = clv::run_whatif(inputs(sim.data, run, {incidents("half", half)}), opts(0));
  const double gain = r.scenarios[0].total.delta_clv.value;
  EXPECT_GT(gain, 0.0);

  // The sign and size follow the fitted gamma: with the resolution effects
  // turned around the same lever loses value, with them at zero it moves less.
  auto flipped = std::make_shared<clv::CovariateWhatIf>(*run);
  flipped->model.gamma_dropout[4] = -m.gamma_dropout[4];
  flipped->model.gamma_dropout[5] = -m.gamma_dropout[5];
  flipped->model.gamma_purchase[4] = -m.gamma_purchase[4];
  flipped->model.gamma_purchase[5] = -m.gamma_purchase[5];
  const auto rf = clv::run_whatif(inputs(sim.data, flipped, {incidents("half", half)}), opts(0));
  EXPECT_LT(rf.scenarios[0].total.delta_clv.value, 0.0);
  auto doubled = std::make_shared<clv::CovariateWhatIf>(*run);
  doubled->model.gamma_dropout[4] = 2 * m.gamma_dropout[4];
  const auto rd = clv::run_whatif(inputs(sim.data, doubled, {incidents("half", half)}), opts(0));
  EXPECT_GT(rd.scenarios[0].total.delta_clv.value, gain);
}

TEST(CovariateWhatIf, RecordCountMismatchIsAClearError) {
  OneCustomer c;
  c.data.customer_id.push_back("d");
  c.data.x.push_back(0), c.data.t_x.push_back(0), c.data.T.push_back(5);
  c.data.monetary.push_back(0);
  clv::IncidentLevers half;
  half.resolution_time_factor = 0.5;
  try {
    clv::run_whatif(inputs(c.data, c.run, {incidents("half", half)}), opts(0));
    FAIL();
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("records for 3 customers"), std::string::npos);
  }
}

}  // namespace

namespace {

// A plugin lever's covariate effects go through the incident levers: the
// retail plugin's faster_complaint_resolution (sla_overrun and
// repeat_contact_30d, both reduced by overrun_cut) halves resolution times
// once, exactly as the incidents lever does.
TEST(CovariateWhatIf, PluginCovariateLeverActsThroughTheIncidentLevers) {
  const OneCustomer c;
  clv::IncidentLevers half;
  half.resolution_time_factor = 0.5;
  clv::Scenario plugin;
  plugin.name = "plugin";
  plugin.target.all = true;
  clv::WhatIfInputs in = inputs(c.data, c.run, {incidents("half", half), plugin});
  in.plugin_effects = {
      {},
      {{"retail/faster_complaint_resolution", "covariate:sla_overrun", "reduce", 0.5},
       {"retail/faster_complaint_resolution", "covariate:repeat_contact_30d", "reduce", 0.5}}};
  const auto r = clv::run_whatif(in, opts(0));
  ASSERT_EQ(r.scenarios.size(), 2u);
  EXPECT_GT(r.scenarios[0].total.delta_clv.value, 0.0);
  EXPECT_DOUBLE_EQ(r.scenarios[0].total.delta_clv.value, r.scenarios[1].total.delta_clv.value);

  // Dissatisfaction cut by 0.5: the survey score 3 moves to 4.
  clv::IncidentLevers four;
  four.satisfaction = 4;
  clv::WhatIfInputs sat = inputs(c.data, c.run, {incidents("four", four), plugin});
  sat.plugin_effects = {
      {}, {{"hospitality/recovery_upgrade", "covariate:dissatisfaction", "reduce", 0.5}}};
  const auto rs = clv::run_whatif(sat, opts(0));
  EXPECT_NE(rs.scenarios[0].total.delta_clv.value, 0.0);
  EXPECT_NEAR(rs.scenarios[0].total.delta_clv.value, rs.scenarios[1].total.delta_clv.value,
              1e-12 * std::abs(rs.scenarios[0].total.delta_clv.value));

  // A covariate no incident lever carries is refused, naming it.
  clv::WhatIfInputs bad = inputs(c.data, c.run, {plugin});
  bad.plugin_effects = {{{"vendor/x", "covariate:weather", "reduce", 0.5}}};
  try {
    clv::run_whatif(bad, opts(0));
    FAIL() << "an unmapped covariate was accepted";
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("weather"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

clv::Scenario premium(const std::string& name, double increase, double level, double elasticity) {
  clv::Scenario s;
  s.name = name;
  s.line = 3;
  s.target.all = true;
  clv::ServicePremium p;
  p.price_increase = increase;
  p.min_satisfaction = level;
  p.elasticity.value = elasticity;
  p.line = 7;
  s.service_premium = p;
  return s;
}

// Service premium: only customer 0 has a scored incident (satisfaction 3).
// At level 3 it pays +10% with elasticity -1.5 and fixed unit costs, by hand:
// spend x 1.1, purchase rate x 1.1^-1.5 (alpha / 1.1^-1.5), margin
// 1 - 0.7 / 1.1; at level 3.5 (or for the unscored customers) nothing moves.
TEST(CovariateWhatIf, ServicePremiumPricesOnlyCustomersServedAboveTheLevel) {
  const OneCustomer c;
  const auto r = clv::run_whatif(
      inputs(c.data, c.run, {premium("at3", 0.1, 3, -1.5), premium("at3.5", 0.1, 3.5, -1.5)}),
      opts(0));
  ASSERT_EQ(r.scenarios.size(), 2u);
  const auto& at3 = r.scenarios[0].name == "at3" ? r.scenarios[0] : r.scenarios[1];
  const auto& above = r.scenarios[0].name == "at3" ? r.scenarios[1] : r.scenarios[0];
  const std::vector<double> raw = {1, 1.0 / 40, 2, 0, 1.5, 1.5, 3, 0};
  const auto& m = c.run->model;
  double lp = 0, ld = 0;
  for (size_t j = 0; j < raw.size(); ++j) {
    const double z = (raw[j] - m.scaling.mean[j]) / m.scaling.scale[j];
    lp += m.gamma_purchase[j] * z;
    ld += m.gamma_dropout[j] * z;
  }
  const clv::ParetoNbdParams p{m.r, m.alpha * std::exp(-lp) / std::pow(1.1, -1.5), m.s,
                               m.beta * std::exp(-ld)};
  const double margin = 1 - 0.7 / 1.1;
  const double expected =
      customer_clv(p, c.data.x[0], c.data.t_x[0], c.data.T[0], c.data.monetary[0]) / kMargin *
          margin * 1.1 -
      c.clv_of(0, raw);
  EXPECT_NE(expected, 0.0);
  EXPECT_NEAR(at3.total.delta_clv.value, expected, 1e-9 * std::abs(c.clv_of(0, raw)));
  EXPECT_EQ(above.total.delta_clv.value, 0.0);
  bool counted = false;
  for (const auto& line : at3.chain) {
    counted |= line == "service_premium charged to 1 of the targeted customers";
  }
  EXPECT_TRUE(counted);
}

TEST(CovariateWhatIf, ServicePremiumWithoutIncidentRecordsIsRefusedWithItsLine) {
  const OneCustomer c;
  clv::WhatIfInputs in = inputs(c.data, c.run, {premium("p", 0.05, 4, 0)});
  in.covariates.reset();
  try {
    clv::run_whatif(in, opts(0));
    FAIL() << "a service premium ran without incident records";
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("service_premium (line 7)"), std::string::npos)
        << e.what();
  }
}

TEST(CovariateWhatIf, MeanSatisfactionSkipsUnscoredIncidents) {
  clv::IncidentObservation a, b, u;
  a.satisfaction = 5, b.satisfaction = 2, u.satisfaction = -1;
  EXPECT_DOUBLE_EQ(*clv::mean_satisfaction({a, b, u}), 3.5);
  EXPECT_FALSE(clv::mean_satisfaction({u}).has_value());
  EXPECT_FALSE(clv::mean_satisfaction({}).has_value());
}

}  // namespace
