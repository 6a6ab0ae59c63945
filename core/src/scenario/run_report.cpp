// ReportData for a fitted run. Everything is computed from the fitted models
// through the public scoring API and the model registry's scorer, so the
// report shows the same numbers `clv score` and `clv whatif` print.
#include "clv/run_report.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/scoring.hpp"
#include "ingest/csv_reader.hpp"
#include "models/holdout_comparison.hpp"
#include "models/model_registry.hpp"

namespace clv {

HoldoutColumns read_holdout_columns(const std::string& path) {
  CsvReader reader(path);
  CsvRecord rec;
  HoldoutColumns out;
  bool has_record = reader.next(rec);
  while (has_record && !rec.raw.empty() && rec.raw.front() == '#') {
    has_record = reader.next(rec);  // "# clv:" metadata (clv/summary_metadata.hpp)
  }
  if (!has_record) return out;
  int freq = -1, dur = -1;
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    if (rec.fields[i] == "frequency_holdout") freq = static_cast<int>(i);
    if (rec.fields[i] == "duration_holdout") dur = static_cast<int>(i);
  }
  if (freq < 0 || dur < 0) return out;
  while (reader.next(rec)) {
    if (static_cast<size_t>(std::max(freq, dur)) >= rec.fields.size()) {
      throw Error::invalid_argument(fmt::format("{}:{}: missing holdout columns", path, rec.line));
    }
    out.purchases.push_back(std::stod(std::string(rec.fields[freq])));
    out.duration = std::stod(std::string(rec.fields[dur]));
  }
  return out;
}

PurchasesOverTime track_purchases(const PurchaseHistory& history, const FitResult& fit) {
  const ModelEntry& entry = find_model(fit.model);
  if (entry.kind != ModelRole::kPurchaseCount || !entry.make_scorer || fit.model == "bgbb") {
    throw Error::invalid_argument(fmt::format(
        "purchases per period need a continuous-time purchase model (bgnbd, mbgnbd, pnbd); "
        "'{}' is not one",
        fit.model));
  }
  if (fit.time_unit.days != history.unit.days) {
    throw Error::invalid_argument(fmt::format(
        "the fit is in {}s but the purchase history in {}s: read the history in the fit's unit",
        fit.time_unit.name, history.unit.name));
  }
  const auto scorer = entry.make_scorer(fit.params);
  // A new customer is (x, t_x, T) = (0, 0, 0): E[X(t)] = E[Y(t) | 0, 0, 0]
  // (P(alive) < 1 at age 0 only for MBG/NBD).
  const double alive_at_birth = scorer->p_alive(0, 0, 0);
  return track_purchases(history, [&](double t) {
    return alive_at_birth * scorer->expected_purchases_if_alive(0, 0, t);
  });
}

namespace {

// Churn risk by segment and the fitted covariate drivers of a `clv churn`
// run. Customers of the run are matched to segments by id; those without
// one (no customers file, or not in the summary) form their own bar.
ChurnRisk churn_from_run(const StoredChurnRun& run, const RfmData& data,
                         const CustomerAttributes* attributes) {
  std::unordered_map<std::string, size_t> row_of;
  const bool segmented = attributes && !attributes->segment.empty();
  if (segmented) {
    for (size_t i = 0; i < data.customer_id.size(); ++i) row_of.emplace(data.customer_id[i], i);
  }
  std::map<std::string, std::pair<double, double>> by;  // segment -> (customers, sum of risk)
  for (size_t i = 0; i < run.customer.size(); ++i) {
    const auto it = row_of.find(run.customer[i]);
    auto& s = by[!segmented           ? std::string("all customers")
                 : it == row_of.end() ? std::string("(no segment)")
                                      : attributes->segment[it->second]];
    s.first += 1;
    s.second += run.churn_risk[i];
  }
  ChurnRisk churn;
  for (const auto& [name, v] : by) churn.segments.push_back({name, v.second / v.first, v.first});
  for (size_t k = 0; k < run.covariates.size(); ++k) {
    churn.drivers.push_back({run.covariates[k], run.dropout_effect[k]});
  }
  churn.effect_label =
      fmt::format("effect on the log dropout rate per SD (clv churn run {})", run.id);
  return churn;
}

}  // namespace

ReportData build_run_report(const RunReportInputs& in) {
  if (!in.data || !in.count_model) {
    throw Error::invalid_argument("the report needs a summary and a count model fit");
  }
  const RfmData& data = *in.data;
  const FitResult& fit = *in.count_model;
  ReportData r;
  r.metadata.model = fit.model;
  r.metadata.param_names = fit.param_names;
  r.metadata.params = fit.params;
  r.metadata.time_unit = fit.time_unit;
  r.metadata.data_source = in.data_source;
  r.metadata.generated_at = fmt::format(
      "{:%Y-%m-%d %H:%M} UTC",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));

  ScoreOptions so;
  so.horizon = in.horizon;
  so.margin = in.margin;
  so.annual_discount_rate = in.annual_discount_rate;
  const bool valued = in.spend_model && !data.monetary.empty();
  const Scores scores = score(fit, data, so, valued ? in.spend_model : nullptr);
  double alive = 0, purchases = 0, total_clv = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    alive += scores.p_alive[i];
    purchases += scores.expected_purchases[i];
    if (valued) total_clv += scores.clv[i];
  }
  r.summary.push_back({"Customers", fmt::format("{}", data.size())});
  r.summary.push_back({"Expected alive now", fmt::format("{:.0f}", alive)});
  r.summary.push_back(
      {fmt::format("Expected purchases, next {} {}s", in.horizon, fit.time_unit.name),
       fmt::format("{:.0f}", purchases)});
  if (valued) {
    r.summary.push_back({"Total CLV (horizon)", fmt::format("{}{:.0f}", in.currency, total_clv)});
    r.clv = ClvDistribution{scores.clv, in.currency};
  }
  r.summary.push_back({"Log-likelihood", fmt::format("{:.2f}", fit.log_likelihood)});

  // P(alive) heat map over frequency x recency at the median customer age.
  const auto scorer = find_model(fit.model).make_scorer(fit.params);
  {
    std::vector<double> ages = data.T;
    std::nth_element(ages.begin(), ages.begin() + ages.size() / 2, ages.end());
    const double T = ages[ages.size() / 2];
    // Rows up to the 95th percentile of x: a few very frequent buyers would
    // otherwise stretch the grid over frequencies almost nobody has.
    std::vector<double> xs = data.x;
    const size_t q95 = std::min(xs.size() - 1, static_cast<size_t>(0.95 * xs.size()));
    std::nth_element(xs.begin(), xs.begin() + q95, xs.end());
    const double max_x = std::max(1.0, std::ceil(xs[q95]));
    const int rows = static_cast<int>(std::min(max_x, 12.0)) + 1, cols = 12;
    AliveHeatMap heat;
    for (int i = 0; i < rows; ++i) {
      const double x = std::round(i * max_x / (rows - 1));
      heat.frequency_labels.push_back(fmt::format("{:.0f}", x));
    }
    for (int j = 0; j < cols; ++j) {
      heat.recency_labels.push_back(fmt::format("{:.0f}", T * (j + 1) / cols));
    }
    for (int i = 0; i < rows; ++i) {
      const double x = std::round(i * max_x / (rows - 1));
      for (int j = 0; j < cols; ++j) {
        const double t_x = x == 0 ? 0 : T * (j + 1) / cols;
        heat.probability.push_back(std::clamp(scorer->p_alive(x, t_x, T), 0.0, 1.0));
      }
    }
    r.alive = heat;
  }

  if (in.history) {
    const PurchasesOverTime tracking = track_purchases(*in.history, fit);
    double actual[2] = {0, 0}, expected[2] = {0, 0};  // calibration, holdout
    for (size_t k = 0; k < tracking.period.size(); ++k) {
      const int part = tracking.period[k] <= tracking.calibration_end + 1e-9 ? 0 : 1;
      actual[part] += tracking.actual[k];
      expected[part] += tracking.fitted[k];
    }
    r.summary.push_back({"Repeat purchases in calibration: actual / model",
                         fmt::format("{:.0f} / {:.0f}", actual[0], expected[0])});
    if (in.history->end_day > in.history->calibration_end_day) {
      r.summary.push_back({"Repeat purchases in holdout: actual / model",
                           fmt::format("{:.0f} / {:.0f}", actual[1], expected[1])});
    }
    // The same cohort counted twice: a mismatch means the dates or the
    // transactions are not the ones the summary was made from.
    double summary_x = 0;
    for (size_t i = 0; i < data.size(); ++i) {
      summary_x += data.x[i] * (data.weight.empty() ? 1.0 : data.weight[i]);
    }
    PurchasesOverTime shown = tracking;
    if (std::fabs(summary_x - actual[0]) > 0.5) {
      shown.note += fmt::format(
          "{}Warning: the transactions have {:.0f} repeat purchases in calibration but the "
          "summary has {:.0f}; give the --calibration-end and transactions the summary was "
          "made from.",
          shown.note.empty() ? "" : " ", actual[0], summary_x);
    }
    r.purchases = shown;
  }

  if (in.holdout && !in.holdout->purchases.empty()) {
    if (in.holdout->purchases.size() != data.size()) {
      throw Error::invalid_argument("holdout columns do not line up with the summary rows");
    }
    const auto groups = compare_holdout(*scorer, data.x, data.t_x, data.T, in.holdout->purchases,
                                        in.holdout->duration);
    CalibrationHoldout c;
    for (size_t g = 0; g < groups.size(); ++g) {
      c.frequency_labels.push_back(g + 1 == groups.size() ? fmt::format("{}+", groups[g].x)
                                                          : fmt::format("{}", groups[g].x));
      c.actual_holdout.push_back(groups[g].actual);
      c.predicted_holdout.push_back(groups[g].expected);
    }
    r.calibration = c;
  }

  if (in.service) r.service = *in.service;
  if (in.churn_run) {
    r.churn = churn_from_run(*in.churn_run, data, in.attributes);
  } else if (in.attributes && !in.attributes->segment.empty()) {
    // Without a churn run: expected share not alive now, by segment.
    std::map<std::string, std::pair<double, double>> by;  // segment -> (customers, sum P(dead))
    for (size_t i = 0; i < data.size(); ++i) {
      auto& s = by[in.attributes->segment[i]];
      s.first += 1;
      s.second += 1 - scores.p_alive[i];
    }
    ChurnRisk churn;
    for (const auto& [name, v] : by) churn.segments.push_back({name, v.second / v.first, v.first});
    // Drivers: how much lower P(alive) is for customers in each segment than overall.
    const double overall = 1 - alive / data.size();
    for (const auto& seg : churn.segments) {
      churn.drivers.push_back({"segment " + seg.segment, seg.churn_risk - overall});
    }
    churn.effect_label = "churn risk vs portfolio average";
    r.churn = churn;
  }

  if (in.whatif) {
    ScenarioComparison cmp;
    cmp.interval_level = in.whatif->interval_level;
    for (const auto& s : in.whatif->scenarios) {
      const WhatIfOutcome& t = s.total;
      const Estimate& net = t.net_benefit ? *t.net_benefit : t.delta_clv;
      ScenarioResult row;
      row.name = fmt::format("#{} {}", s.rank, s.name);
      row.estimate = net.value;
      row.lower = net.lower;
      row.upper = net.upper;
      row.delta_clv = ReportInterval{t.delta_clv.value, t.delta_clv.lower, t.delta_clv.upper};
      row.cost = t.cost;
      if (t.roi) row.roi = ReportInterval{t.roi->value, t.roi->lower, t.roi->upper};
      cmp.scenarios.push_back(std::move(row));
    }
    cmp.value_label = "change in total CLV minus cost";
    r.scenarios = cmp;
  }
  return r;
}

void write_run_report(const RunReportInputs& inputs, const std::string& path) {
  write_report(build_run_report(inputs), path);
}

}  // namespace clv
