// run_whatif: customers are collapsed into groups with the same history
// (x, t_x, T), segment and set of scenarios targeting them; every Monte
// Carlo draw scores each group once under the baseline parameters and once
// per scenario that targets it. Draws are computed in parallel but each
// draw's random numbers are generated up front in order, so results depend
// only on the seed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "clv/sector_economics.hpp"
#include "clv/whatif.hpp"
#include "models/clv_valuation.hpp"
#include "models/model_registry.hpp"
#include "models/pareto_nbd.hpp"
#include "scenario/count_model_levers.hpp"
#include "scenario/covariate_levers.hpp"
#include "scenario/parameter_draws.hpp"
#include "scenario/plugin_covariate_levers.hpp"
#include "scenario/scenario_costs.hpp"
#include "scenario/scenario_levers.hpp"

namespace clv {
namespace {

constexpr size_t kMaxScenarios = 64;  // targets are a 64-bit mask per customer

struct Group {
  double x, t_x, T;
  double n = 0, sum_spend = 0;  // customers and the sum of their mean spends
  uint32_t pair = 0;            // index of the distinct (x, T)
  uint32_t segment = 0;
  uint64_t mask = 0;  // bit s: scenario s targets these customers
  uint32_t row = 0;   // with covariates: the one customer of the group
  // Sum over the group of cost_to_serve x A(H) - referral_value: what a
  // customer alive now costs net (clv/sector_economics.hpp net_clv).
  double sum_net = 0;
};

struct Pair {
  double x, T;
};

// Per draw: [segment][metric] for the baseline, then per scenario the
// scenario's values [scenario][segment][metric]. Metrics: CLV, active, churned.
constexpr int kMetrics = 3;

struct DrawInputs {
  std::vector<double> count, spend;
  std::vector<double> gamma_purchase, gamma_dropout;  // covariate runs only
  std::vector<LeverValues> levers;                    // per scenario
};

// Pareto/NBD parameters of a customer with standardized covariates z.
ParetoNbdParams covariate_params(const std::vector<double>& base, const std::vector<double>& gp,
                                 const std::vector<double>& gd, const std::vector<double>& z) {
  double lin_p = 0, lin_d = 0;
  for (size_t j = 0; j < z.size(); ++j) lin_p += gp[j] * z[j], lin_d += gd[j] * z[j];
  return {base[0], base[1] * std::exp(-lin_p), base[2], base[3] * std::exp(-lin_d)};
}

// One customer's P(alive), discounted purchases if alive and survival to the
// horizon if alive, under covariate-scaled Pareto/NBD parameters.
struct CustomerTerms {
  double p_alive, discounted, survival;
};
CustomerTerms covariate_terms(const ParetoNbdParams& p, double x, double t_x, double T, double H,
                              double delta) {
  return {pnbd_p_alive(p, x, t_x, T), pnbd_discounted_if_alive(p, x, T, H, delta),
          std::pow((p.beta + T) / (p.beta + T + H), p.s)};
}

// Pairs sum over groups of the same (x, T) so alive-conditional terms are
// computed once per pair.
struct PairTerms {
  std::vector<double> discounted, survival;
};

class Evaluator {
 public:
  Evaluator(const ModelEntry& entry, const CountModelLevers& levers, const std::vector<Pair>& pairs,
            double horizon, double delta)
      : entry_(entry), levers_(levers), pairs_(pairs), horizon_(horizon), delta_(delta) {}

  void terms(const std::vector<double>& params, const std::vector<uint32_t>& which, PairTerms& out,
             CountModelScorer& scorer) const {
    out.discounted.resize(pairs_.size());
    out.survival.resize(pairs_.size());
    for (uint32_t k : which) {
      const Pair& p = pairs_[k];
      out.discounted[k] = scorer.discounted_purchases_if_alive(p.x, p.T, horizon_, delta_);
      out.survival[k] = levers_.survival_if_alive(params, p.x, p.T, horizon_);
    }
  }
  std::unique_ptr<CountModelScorer> scorer(const std::vector<double>& params) const {
    return entry_.make_scorer(params);
  }

 private:
  const ModelEntry& entry_;
  const CountModelLevers& levers_;
  const std::vector<Pair>& pairs_;
  double horizon_, delta_;
};

double group_spend(const std::vector<double>& g, const Group& grp) {
  // Sum over the group of E[spend | x, mbar] (Gamma-Gamma), linear in mbar.
  const double p = g[0], q = g[1], gamma = g[2];
  return p * (gamma * grp.n + grp.x * grp.sum_spend) / (p * grp.x + q - 1.0);
}

}  // namespace

std::optional<double> mean_satisfaction(const std::vector<IncidentObservation>& records) {
  double sum = 0;
  int k = 0;
  for (const IncidentObservation& r : records) {
    if (r.satisfaction >= 0) sum += r.satisfaction, ++k;
  }
  if (k == 0) return std::nullopt;
  return sum / k;
}

namespace {

void check_finite(double v, const char* what) {
  if (!std::isfinite(v)) {
    throw Error::internal(fmt::format(
        "what-if produced a non-finite {}; the fitted parameters or levers are out of range",
        what));
  }
}

}  // namespace

WhatIfResult run_whatif(const WhatIfInputs& in, const WhatIfOptions& options) {
  const RfmData& data = in.data;
  const size_t n = data.size();
  if (n == 0) throw Error::invalid_argument("the summary has no customers");
  if (data.monetary.size() != n) {
    throw Error::invalid_argument(
        "what-if values customers: the summary needs a monetary_value (or zbar) column");
  }
  if (in.scenarios.empty()) throw Error::invalid_argument("no scenarios to run");
  if (in.scenarios.size() > kMaxScenarios) {
    throw Error::invalid_argument(fmt::format("at most {} scenarios per run", kMaxScenarios));
  }
  if (options.draws < 0) throw Error::invalid_argument("--draws must be >= 0");
  const FitResult& count = in.count_model;
  const FitResult& spend = in.spend_model;
  if (spend.model != "gg" || spend.params.size() != 3) {
    throw Error::invalid_argument(
        fmt::format("the spend model must be a gg fit, not {}", spend.model));
  }
  if (!count.converged || !spend.converged) {
    throw Error::not_converged(fmt::format("the {} fit did not converge; refit before what-if",
                                           count.converged ? "gg" : count.model));
  }
  const CovariateWhatIf* cov = in.covariates.get();
  if (cov) {
    if (count.model != "pnbd" || count.params.size() != 4) {
      throw Error::invalid_argument(
          "a covariate run needs its r, alpha, s, beta as the pnbd count model");
    }
    if (cov->data.n_customers() != n) {
      throw Error::invalid_argument(fmt::format(
          "the covariate run has records for {} customers but the summary has {}; use the "
          "summary of the database the covariates were fitted on",
          cov->data.n_customers(), n));
    }
  }
  const CountModelLevers model_levers(count.model);
  const ModelEntry& entry = find_model(count.model);
  const double H = in.run.horizon;
  if (!(H > 0)) throw Error::invalid_argument("the horizon must be > 0");
  const double delta = discount_per_unit(in.run.annual_discount_rate, count.time_unit);
  const double margin = in.run.margin;
  // Cost to serve and referral value enter every CLV as in scoring
  // (score_by_sector): CLV = gross - P(alive) x (cost_to_serve x A(H) - referral).
  const double annuity = discounted_horizon(in.run.annual_discount_rate, count.time_unit, H);
  for (const auto* v : {&in.cost_to_serve, &in.referral_value}) {
    if (!v->empty() && v->size() != n) {
      throw Error::invalid_argument(
          fmt::format("{} {} values for {} customers", v->size(),
                      v == &in.cost_to_serve ? "cost to serve" : "referral value", n));
    }
    for (double x : *v) {
      if (!(std::isfinite(x) && x >= 0)) {
        throw Error::invalid_argument(
            fmt::format("{} must be >= 0, got {}",
                        v == &in.cost_to_serve ? "cost to serve" : "referral value", x));
      }
    }
  }
  auto net_of = [&](size_t i) {
    return (in.cost_to_serve.empty() ? 0.0 : in.cost_to_serve[i] * annuity) -
           (in.referral_value.empty() ? 0.0 : in.referral_value[i]);
  };

  // Levers per scenario.
  std::vector<ScenarioLevers> levers;
  for (size_t s = 0; s < in.scenarios.size(); ++s) {
    static const std::vector<ResolvedPluginEffect> kNone;
    levers.emplace_back(in.scenarios[s],
                        s < in.plugin_effects.size() ? in.plugin_effects[s] : kNone, margin, H,
                        cov != nullptr, in.request_body);
  }

  // Baseline point scores per customer, for targets (risk band, decile, value at risk).
  const auto point_scorer = entry.make_scorer(count.params);
  std::vector<double> clv0(n), churn_risk(n), value_at_risk(n);
  std::vector<std::vector<double>> z0;  // covariate runs: each customer's standardized covariates
  if (cov) {
    z0.resize(n);
    for (size_t i = 0; i < n; ++i) {
      z0[i] = cov->model.scaling.standardize(cov->data.row(i, cov->data.incidents[i]));
      if (!(data.monetary[i] >= 0) || !std::isfinite(data.monetary[i])) {
        throw Error::invalid_argument(
            fmt::format("customer row {}: mean spend {} must be >= 0", i + 1, data.monetary[i]));
      }
      const CustomerTerms t =
          covariate_terms(covariate_params(count.params, cov->model.gamma_purchase,
                                           cov->model.gamma_dropout, z0[i]),
                          data.x[i], data.t_x[i], data.T[i], H, delta);
      Group one{data.x[i], data.t_x[i], data.T[i], 1, data.monetary[i]};
      const double if_alive = margin * group_spend(spend.params, one) * t.discounted - net_of(i);
      clv0[i] = if_alive * t.p_alive;
      churn_risk[i] = 1 - t.p_alive * t.survival;
      value_at_risk[i] = if_alive * t.p_alive * (1 - t.survival);
    }
  } else {
    std::unordered_map<double, std::unordered_map<double, std::pair<double, double>>> cache;
    for (size_t i = 0; i < n; ++i) {
      auto& slot = cache[data.x[i]];
      auto it = slot.find(data.T[i]);
      if (it == slot.end()) {
        it = slot.emplace(data.T[i], std::pair{point_scorer->discounted_purchases_if_alive(
                                                   data.x[i], data.T[i], H, delta),
                                               model_levers.survival_if_alive(
                                                   count.params, data.x[i], data.T[i], H)})
                 .first;
      }
      const double pa = point_scorer->p_alive(data.x[i], data.t_x[i], data.T[i]);
      if (!(data.monetary[i] >= 0) || !std::isfinite(data.monetary[i])) {
        throw Error::invalid_argument(
            fmt::format("customer row {}: mean spend {} must be >= 0", i + 1, data.monetary[i]));
      }
      Group one{data.x[i], data.t_x[i], data.T[i], 1, data.monetary[i]};
      const double if_alive =
          margin * group_spend(spend.params, one) * it->second.first - net_of(i);
      clv0[i] = if_alive * pa;
      churn_risk[i] = 1 - pa * it->second.second;
      value_at_risk[i] = if_alive * pa * (1 - it->second.second);
    }
  }

  // Targets.
  std::vector<uint64_t> mask(n, 0);
  std::vector<CovariateScenario> covariate_scenarios;
  std::vector<double> targeted_count(in.scenarios.size(), 0);
  std::vector<uint32_t> decile(n, 0);
  {
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return clv0[a] > clv0[b]; });
    for (size_t r = 0; r < n; ++r) decile[order[r]] = static_cast<uint32_t>(1 + r * 10 / n);
  }
  const CustomerAttributes& attr = in.attributes;
  for (size_t s = 0; s < in.scenarios.size(); ++s) {
    const Scenario& sc = in.scenarios[s];
    const ScenarioTarget& t = sc.target;
    auto need = [&](const std::vector<std::string>& column, const char* name) {
      if (column.empty()) {
        throw Error::invalid_argument(fmt::format(
            "scenario '{}' filters on {}, but the run has no customers file with a {} column; "
            "add customers = \"customers.csv\" to [run]",
            sc.name, name, name));
      }
    };
    if (!t.sector.empty()) need(attr.sector, "sector");
    if (!t.segment.empty()) need(attr.segment, "segment");
    if (!t.region.empty()) need(attr.region, "region");
    auto in_list = [](const std::vector<std::string>& list, const std::string& v) {
      return std::find(list.begin(), list.end(), v) != list.end();
    };
    std::vector<char> selected(n, 1);
    for (size_t i = 0; i < n; ++i) {
      bool ok = true;
      if (!t.sector.empty()) ok = ok && in_list(t.sector, attr.sector[i]);
      if (!t.segment.empty()) ok = ok && in_list(t.segment, attr.segment[i]);
      if (!t.region.empty()) ok = ok && in_list(t.region, attr.region[i]);
      if (!t.risk_band.empty()) {
        const char* band = churn_risk[i] >= 0.7 ? "high" : churn_risk[i] >= 0.3 ? "medium" : "low";
        ok = ok && in_list(t.risk_band, band);
      }
      if (t.clv_decile_from > 0) {
        ok = ok && decile[i] >= static_cast<uint32_t>(t.clv_decile_from) &&
             decile[i] <= static_cast<uint32_t>(t.clv_decile_to);
      }
      selected[i] = ok;
    }
    if (t.top_by_value_at_risk > 0) {
      // The N most valuable at-risk customers among those the other filters keep.
      std::vector<uint32_t> pool;
      for (size_t i = 0; i < n; ++i) {
        if (selected[i]) pool.push_back(static_cast<uint32_t>(i));
      }
      const size_t keep =
          std::min<size_t>(pool.size(), static_cast<size_t>(t.top_by_value_at_risk));
      std::partial_sort(pool.begin(), pool.begin() + keep, pool.end(), [&](uint32_t a, uint32_t b) {
        return value_at_risk[a] != value_at_risk[b] ? value_at_risk[a] > value_at_risk[b] : a < b;
      });
      std::fill(selected.begin(), selected.end(), 0);
      for (size_t k = 0; k < keep; ++k) selected[pool[k]] = 1;
    }
    for (size_t i = 0; i < n; ++i) {
      if (selected[i]) {
        mask[i] |= uint64_t{1} << s;
        targeted_count[s] += 1;
      }
    }
    if (targeted_count[s] == 0) {
      throw Error::invalid_argument(
          fmt::format("scenario '{}' ({}): its target selects no customer; widen the filters",
                      sc.name, scenario_place(sc.line, sc.path + ".target")));
    }
    if (cov) {
      static const std::vector<ResolvedPluginEffect> kNone;
      covariate_scenarios.emplace_back(
          *cov,
          with_plugin_covariate_levers(sc,
                                       s < in.plugin_effects.size() ? in.plugin_effects[s] : kNone),
          selected, s);
    }
  }

  // Service premium: which targeted customers pay it (mean known survey
  // score of their observed incidents >= the level; ScenarioLevers refuses
  // the lever without a covariate run).
  std::vector<std::vector<char>> premium(in.scenarios.size());
  std::vector<double> premium_count(in.scenarios.size(), 0);
  for (size_t s = 0; s < in.scenarios.size(); ++s) {
    const auto& sp = levers[s].service_premium();
    if (!sp || !cov) continue;
    premium[s].assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (!(mask[i] >> s & 1)) continue;
      const std::optional<double> m = mean_satisfaction(cov->data.incidents[i]);
      if (m && *m >= sp->min_satisfaction) {
        premium[s][i] = 1;
        premium_count[s] += data.weight.empty() ? 1.0 : data.weight[i];
      }
    }
  }

  // Segments.
  std::vector<std::string> segment_names;
  std::vector<uint32_t> segment(n, 0);
  if (!attr.segment.empty()) {
    std::map<std::string, uint32_t> ids;
    for (size_t i = 0; i < n; ++i) ids.emplace(attr.segment[i], 0);
    for (auto& [name, id] : ids) {
      id = static_cast<uint32_t>(segment_names.size());
      segment_names.push_back(name);
    }
    for (size_t i = 0; i < n; ++i) segment[i] = ids[attr.segment[i]];
  }
  const size_t n_seg = std::max<size_t>(1, segment_names.size());

  // Costs: what each scenario's levers touch (scenario/scenario_costs.hpp),
  // per segment, and the distinct employees of each of its lever costs.
  std::vector<std::vector<CostBase>> cost_base(in.scenarios.size(), std::vector<CostBase>(n_seg));
  std::vector<std::vector<double>> cost_employees(in.scenarios.size());
  for (size_t s = 0; s < in.scenarios.size(); ++s) {
    const Scenario& sc = in.scenarios[s];
    for (const LeverCost& c : sc.costs) {
      if ((c.per_incident > 0 || c.per_employee > 0) && !cov) {
        throw Error::invalid_argument(fmt::format(
            "scenario '{}' ({}): {} of {} counts incidents or their handlers, which needs "
            "the incident records of a covariate run ({})",
            sc.name, scenario_place(c.line, c.path),
            c.per_incident > 0 ? "cost_per_incident" : "cost_per_employee", c.lever,
            covariate_fit_advice(in.request_body)));
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (!(mask[i] >> s & 1)) continue;
      const double w = data.weight.empty() ? 1.0 : data.weight[i];
      CostBase& b = cost_base[s][segment[i]];
      b.customers += w;
      if (cov) b.incidents += w * static_cast<double>(cov->data.incidents[i].size());
    }
    for (const LeverCost& c : sc.costs) {
      std::set<std::string> ids;
      if (c.per_employee > 0) {
        for (size_t i = 0; i < n; ++i) {
          if (!(mask[i] >> s & 1)) continue;
          for (const IncidentObservation& r : cov->data.incidents[i]) {
            if (!r.employee.empty() && (c.location.empty() || r.employee_location == c.location)) {
              ids.insert(r.employee);
            }
          }
        }
      }
      cost_employees[s].push_back(static_cast<double>(ids.size()));
    }
  }

  // Groups.
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto key_less = [&](uint32_t a, uint32_t b) {
    if (data.x[a] != data.x[b]) return data.x[a] < data.x[b];
    if (data.T[a] != data.T[b]) return data.T[a] < data.T[b];
    if (data.t_x[a] != data.t_x[b]) return data.t_x[a] < data.t_x[b];
    if (segment[a] != segment[b]) return segment[a] < segment[b];
    return mask[a] < mask[b];
  };
  std::sort(order.begin(), order.end(), key_less);
  std::vector<Group> groups;
  std::vector<Pair> pairs;
  for (uint32_t i : order) {
    const double w = data.weight.empty() ? 1.0 : data.weight[i];
    if (!groups.empty()) {
      Group& g = groups.back();
      if (!cov && g.x == data.x[i] && g.T == data.T[i] && g.t_x == data.t_x[i] &&
          g.segment == segment[i] && g.mask == mask[i]) {
        g.n += w;
        g.sum_spend += w * data.monetary[i];
        g.sum_net += w * net_of(i);
        continue;
      }
    }
    if (pairs.empty() || pairs.back().x != data.x[i] || pairs.back().T != data.T[i]) {
      pairs.push_back({data.x[i], data.T[i]});
    }
    groups.push_back({data.x[i], data.t_x[i], data.T[i], w, w * data.monetary[i],
                      static_cast<uint32_t>(pairs.size() - 1), segment[i], mask[i], i,
                      w * net_of(i)});
  }
  std::vector<uint32_t> all_pairs(pairs.size());
  std::iota(all_pairs.begin(), all_pairs.end(), 0);
  std::vector<std::vector<uint32_t>> scenario_groups(in.scenarios.size()),
      scenario_pairs(in.scenarios.size());
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    for (size_t s = 0; s < in.scenarios.size(); ++s) {
      if (groups[gi].mask >> s & 1) {
        scenario_groups[s].push_back(static_cast<uint32_t>(gi));
        if (scenario_pairs[s].empty() || scenario_pairs[s].back() != groups[gi].pair) {
          scenario_pairs[s].push_back(groups[gi].pair);
        }
      }
    }
  }

  // Random inputs of every draw, in order (draw 0 = point estimates).
  WhatIfResult result;
  const ParameterDraws count_draws(count), spend_draws(spend);
  if (!count_draws.has_uncertainty() || !spend_draws.has_uncertainty()) {
    result.notes.push_back(fmt::format(
        "{} fit has no usable covariance: its parameter uncertainty is not in the intervals",
        !count_draws.has_uncertainty() ? count.model : std::string("gg")));
  }
  for (const auto* d : {&count_draws, &spend_draws}) {
    if (d->has_uncertainty() && !d->correlated()) {
      result.notes.push_back(fmt::format(
          "{} fit has standard errors but no covariance (parameter files do not store it): "
          "parameter draws ignore correlations",
          d == &count_draws ? count.model : std::string("gg")));
    }
  }
  // Covariate effects: normal draws from their standard errors (the fit file
  // keeps no covariance, so independent of each other and of r, alpha, s, beta).
  std::vector<double> gamma_se;
  if (cov) {
    const FitResult& f = cov->model.fit;
    const size_t k = cov->model.scaling.names.size();
    gamma_se.assign(2 * k, 0.0);
    bool have = f.std_errors.size() == 4 + 2 * k;
    for (size_t j = 0; have && j < 2 * k; ++j) {
      gamma_se[j] = f.std_errors[4 + j];
      have = std::isfinite(gamma_se[j]) && gamma_se[j] >= 0;
    }
    if (!have) {
      gamma_se.assign(2 * k, 0.0);
      result.notes.push_back(
          "the covariate fit has no usable standard errors for its gammas: "
          "their uncertainty is not in the intervals");
    } else {
      result.notes.push_back("covariate gammas drawn independently from their standard errors");
    }
    for (const auto& note : cov->notes) result.notes.push_back(note);
  }
  const int n_draws = options.draws;
  std::vector<DrawInputs> inputs(n_draws + 1);
  std::mt19937_64 rng(options.seed);
  for (int d = 0; d <= n_draws; ++d) {
    DrawInputs& di = inputs[d];
    if (cov) {
      di.gamma_purchase = cov->model.gamma_purchase;
      di.gamma_dropout = cov->model.gamma_dropout;
    }
    if (d == 0) {
      di.count = count.params;
      di.spend = spend.params;
      for (const auto& l : levers) di.levers.push_back(l.point());
    } else {
      di.count = count_draws.draw(rng);
      di.spend = spend_draws.draw(rng);
      for (const auto& l : levers) di.levers.push_back(l.draw(rng));
      if (!(di.spend[1] > 1)) di.spend[1] = 1 + 1e-9;  // q <= 1 has no finite mean spend
      if (cov) {
        const size_t k = di.gamma_purchase.size();
        std::normal_distribution<double> normal;
        for (size_t j = 0; j < k; ++j) di.gamma_purchase[j] += gamma_se[j] * normal(rng);
        for (size_t j = 0; j < k; ++j) di.gamma_dropout[j] += gamma_se[k + j] * normal(rng);
      }
    }
  }

  const size_t n_scen = in.scenarios.size();
  const size_t per_draw = (1 + n_scen) * n_seg * kMetrics;
  std::vector<std::vector<double>> outputs(n_draws + 1, std::vector<double>(per_draw, 0.0));
  const Evaluator evaluator(entry, model_levers, pairs, H, delta);

  // Covariate runs: every group is one customer with its own parameters; a
  // targeted customer's scenario value is the probability-weighted mean over
  // its edited histories.
  auto run_covariate_draw = [&](int d) {
    const DrawInputs& di = inputs[d];
    std::vector<double>& out = outputs[d];
    std::vector<double> g_clv(groups.size()), g_active(groups.size()), g_churn(groups.size()),
        g_spend(groups.size());
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& g = groups[gi];
      const CustomerTerms t = covariate_terms(
          covariate_params(di.count, di.gamma_purchase, di.gamma_dropout, z0[g.row]), g.x, g.t_x,
          g.T, H, delta);
      g_spend[gi] = group_spend(di.spend, g);
      g_clv[gi] = margin * g_spend[gi] * t.p_alive * t.discounted - t.p_alive * g.sum_net;
      g_active[gi] = g.n * t.p_alive * t.survival;
      g_churn[gi] = g.n * t.p_alive * (1 - t.survival);
      double* o = &out[g.segment * kMetrics];
      o[0] += g_clv[gi];
      o[1] += g_active[gi];
      o[2] += g_churn[gi];
    }
    for (size_t s = 0; s < n_scen; ++s) {
      const LeverValues& lv_all = di.levers[s];
      const CovariateScenario& cs = covariate_scenarios[s];
      double* o = &out[(1 + s) * n_seg * kMetrics];
      std::copy(out.begin(), out.begin() + n_seg * kMetrics, o);
      for (uint32_t gi : scenario_groups[s]) {
        const Group& g = groups[gi];
        const LeverValues lv = !premium[s].empty() && premium[s][g.row]
                                   ? premium_values(lv_all, *levers[s].service_premium())
                                   : lv_all;
        static const std::vector<CovariateVariant> kNoChange;
        const std::vector<CovariateVariant>& variants =
            cs.changed(g.row) ? cs.variants(g.row) : kNoChange;
        const std::vector<CovariateVariant> unchanged = {{1.0, z0[g.row]}};
        double pa_disc = 0, pa = 0, active = 0, churned = 0;
        for (const CovariateVariant& v : variants.empty() ? unchanged : variants) {
          ParetoNbdParams p = covariate_params(di.count, di.gamma_purchase, di.gamma_dropout, v.z);
          p.alpha /= lv.purchase_rate_factor;
          p.beta /= lv.dropout_hazard_ratio;
          const CustomerTerms t = covariate_terms(p, g.x, g.t_x, g.T, H, delta);
          pa_disc += v.weight * t.p_alive * t.discounted;
          pa += v.weight * t.p_alive;
          active += v.weight * t.p_alive * t.survival;
          churned += v.weight * t.p_alive * (1 - t.survival);
        }
        double* os = o + g.segment * kMetrics;
        os[0] += lv.margin * lv.spend_factor * g_spend[gi] * pa_disc - pa * g.sum_net - g_clv[gi];
        os[1] += g.n * active - g_active[gi];
        os[2] += g.n * churned - g_churn[gi];
      }
    }
  };

  auto run_draw = [&](int d) {
    if (cov) return run_covariate_draw(d);
    const DrawInputs& di = inputs[d];
    std::vector<double>& out = outputs[d];
    PairTerms base_terms, terms;
    auto scorer = evaluator.scorer(di.count);
    evaluator.terms(di.count, all_pairs, base_terms, *scorer);
    std::vector<double> g_clv(groups.size()), g_active(groups.size()), g_churn(groups.size());
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& g = groups[gi];
      const double pa = scorer->p_alive(g.x, g.t_x, g.T);
      g_clv[gi] =
          margin * group_spend(di.spend, g) * pa * base_terms.discounted[g.pair] - pa * g.sum_net;
      g_active[gi] = g.n * pa * base_terms.survival[g.pair];
      g_churn[gi] = g.n * pa * (1 - base_terms.survival[g.pair]);
      double* o = &out[g.segment * kMetrics];
      o[0] += g_clv[gi];
      o[1] += g_active[gi];
      o[2] += g_churn[gi];
    }
    for (size_t s = 0; s < n_scen; ++s) {
      const LeverValues& lv = di.levers[s];
      double* o = &out[(1 + s) * n_seg * kMetrics];
      std::copy(out.begin(), out.begin() + n_seg * kMetrics, o);  // start from the baseline
      const std::vector<double> params =
          model_levers.apply(di.count, lv.purchase_rate_factor, lv.dropout_hazard_ratio);
      auto s_scorer = evaluator.scorer(params);
      evaluator.terms(params, scenario_pairs[s], terms, *s_scorer);
      for (uint32_t gi : scenario_groups[s]) {
        const Group& g = groups[gi];
        const double pa = s_scorer->p_alive(g.x, g.t_x, g.T);
        const double clv =
            lv.margin * lv.spend_factor * group_spend(di.spend, g) * pa * terms.discounted[g.pair] -
            pa * g.sum_net;
        double* os = o + g.segment * kMetrics;
        os[0] += clv - g_clv[gi];
        os[1] += g.n * pa * terms.survival[g.pair] - g_active[gi];
        os[2] += g.n * pa * (1 - terms.survival[g.pair]) - g_churn[gi];
      }
    }
  };

  // Parallel over draws; the calling thread reports progress.
  const int threads = std::max(
      1, std::min(n_draws + 1, options.threads > 0
                                   ? options.threads
                                   : static_cast<int>(std::thread::hardware_concurrency())));
  std::atomic<int> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int d; (d = next.fetch_add(1)) <= n_draws;) {
        try {
          run_draw(d);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          next = n_draws + 1;
        }
        done.fetch_add(1);
      }
    });
  }
  if (options.progress) {
    while (done.load() < n_draws + 1 && !failure) {
      options.progress(Progress{"whatif", static_cast<uint64_t>(done.load()),
                                static_cast<uint64_t>(n_draws + 1), "draws", 0});
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (options.progress) {
    const auto all = static_cast<uint64_t>(n_draws + 1);
    options.progress(Progress{"whatif", all, all, "draws", 0});
  }

  // Summaries.
  result.model = count.model;
  result.spend_model = spend.model;
  result.horizon = H;
  result.annual_discount_rate = in.run.annual_discount_rate;
  result.margin = margin;
  result.time_unit = count.time_unit.name;
  result.draws = n_draws;
  result.seed = options.seed;
  std::vector<double> seg_customers(n_seg, 0);
  std::vector<std::vector<double>> seg_targeted(n_scen, std::vector<double>(n_seg, 0));
  for (const Group& g : groups) {
    seg_customers[g.segment] += g.n;
    for (size_t s = 0; s < n_scen; ++s) {
      if (g.mask >> s & 1) seg_targeted[s][g.segment] += g.n;
    }
  }
  auto collect = [&](auto&& value_of) {
    std::vector<double> v(n_draws + 1);
    for (int d = 0; d <= n_draws; ++d) v[d] = value_of(outputs[d]);
    return v;
  };
  for (size_t s = 0; s < n_scen; ++s) {
    ScenarioOutcome so;
    so.name = in.scenarios[s].name;
    so.chain = levers[s].chain();
    if (cov) {
      const auto lines = covariate_scenarios[s].chain();
      so.chain.insert(so.chain.end(), lines.begin(), lines.end());
    }
    const LeverValues p = inputs[0].levers[s];
    const std::vector<double> moved =
        model_levers.apply(count.params, p.purchase_rate_factor, p.dropout_hazard_ratio);
    if (p.purchase_rate_factor != 1.0) {
      so.chain.push_back(fmt::format("model input: purchase rate x {:.4g} -> {}",
                                     p.purchase_rate_factor,
                                     model_levers.describe_purchase_rate(count.params, moved)));
    }
    if (p.dropout_hazard_ratio != 1.0) {
      so.chain.push_back(fmt::format("model input: dropout hazard x {:.4g} -> {}",
                                     p.dropout_hazard_ratio,
                                     model_levers.describe_dropout(count.params, moved)));
    }
    if (p.spend_factor != 1.0) {
      so.chain.push_back(
          fmt::format("model input: spend per purchase x {:.4g} (gg)", p.spend_factor));
    }
    if (p.margin != margin) {
      so.chain.push_back(fmt::format("model input: margin {:.4g} -> {:.4g}", margin, p.margin));
    }
    so.chain.push_back(fmt::format("applied to {} targeted customers of {}", targeted_count[s],
                                   static_cast<double>(n)));
    if (!premium[s].empty()) {
      so.chain.push_back(
          fmt::format("service_premium charged to {} of the targeted customers", premium_count[s]));
    }
    const Scenario& sc = in.scenarios[s];
    CostBase all_base;
    for (const CostBase& b : cost_base[s]) {
      all_base.customers += b.customers;
      all_base.incidents += b.incidents;
    }
    for (size_t k = 0; k < sc.costs.size(); ++k) {
      so.chain.push_back(describe_cost(sc.costs[k], all_base, cost_employees[s][k]));
    }
    const bool cost_given = !sc.costs.empty() || levers[s].plugin_cost_given();
    auto outcome = [&](const std::string& label, auto&& sum_over) {
      WhatIfOutcome o;
      o.segment = label;
      auto metric = [&](bool scenario, int m) {
        return collect([&](const std::vector<double>& out) {
          return sum_over([&](size_t seg) {
            return out[((scenario ? 1 + s : 0) * n_seg + seg) * kMetrics + m];
          });
        });
      };
      const auto base_clv = metric(false, 0), scen_clv = metric(true, 0);
      std::vector<double> delta_clv(base_clv.size());
      o.customers = sum_over([&](size_t seg) { return seg_customers[seg]; });
      o.targeted = sum_over([&](size_t seg) { return seg_targeted[s][seg]; });
      std::optional<double> cost;
      if (cost_given) {
        CostBase part;
        part.customers = sum_over([&](size_t seg) { return cost_base[s][seg].customers; });
        part.incidents = sum_over([&](size_t seg) { return cost_base[s][seg].incidents; });
        double c = o.targeted * levers[s].cost_per_targeted();
        for (size_t k = 0; k < sc.costs.size(); ++k) {
          c += lever_cost(sc.costs[k], all_base, part, cost_employees[s][k]);
        }
        cost = c;
      }
      for (size_t d = 0; d < base_clv.size(); ++d) {
        delta_clv[d] = scen_clv[d] - base_clv[d];
        check_finite(base_clv[d], "baseline CLV");
        check_finite(delta_clv[d], "change in CLV");
      }
      o.baseline_clv = estimate_from_draws(base_clv);
      o.scenario_clv = estimate_from_draws(scen_clv);
      o.delta_clv = estimate_from_draws(delta_clv);
      for (int m = 1; m < kMetrics; ++m) {
        for (bool scenario : {false, true}) {
          for (double v : metric(scenario, m)) check_finite(v, "expected customer count");
        }
      }
      o.baseline_active = estimate_from_draws(metric(false, 1));
      o.scenario_active = estimate_from_draws(metric(true, 1));
      o.baseline_churned = estimate_from_draws(metric(false, 2));
      o.scenario_churned = estimate_from_draws(metric(true, 2));
      CostOutcome money = cost_outcome(cost, delta_clv);
      o.cost = money.cost;
      o.net_benefit = money.net_benefit;
      o.roi = money.roi;
      return o;
    };
    so.total = outcome("all", [&](auto&& f) {
      double t = 0;
      for (size_t seg = 0; seg < n_seg; ++seg) t += f(seg);
      return t;
    });
    if (!segment_names.empty()) {
      for (size_t seg = 0; seg < n_seg; ++seg) {
        so.segments.push_back(outcome(segment_names[seg], [&](auto&& f) { return f(seg); }));
      }
    }
    result.scenarios.push_back(std::move(so));
  }
  std::stable_sort(result.scenarios.begin(), result.scenarios.end(),
                   [](const ScenarioOutcome& a, const ScenarioOutcome& b) {
                     return a.total.delta_clv.value - a.total.cost.value_or(0) >
                            b.total.delta_clv.value - b.total.cost.value_or(0);
                   });
  for (size_t i = 0; i < result.scenarios.size(); ++i)
    result.scenarios[i].rank = static_cast<int>(i + 1);
  return result;
}

}  // namespace clv
