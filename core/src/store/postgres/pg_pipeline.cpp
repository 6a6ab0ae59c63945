// The whole job against the CRM's PostgreSQL: the fit reads only the
// histogram, scoring reads one row per customer, and the scores go back in
// one transaction. Both reads share one snapshot, so they see the same data.
#include <chrono>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/postgres.hpp"
#include "domain/calendar.hpp"
#include "store/postgres/pg_source.hpp"

namespace clv {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Customers whose first purchase is on the calibration end day have T = 0:
// no model can fit or score them yet (they are counted, not scored).
size_t drop_zero_age(RfmData& rows) {
  size_t kept = 0, dropped = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!(rows.T[i] > 0)) {
      dropped += rows.weight.empty() ? 1 : static_cast<size_t>(rows.weight[i]);
      continue;
    }
    rows.x[kept] = rows.x[i];
    rows.t_x[kept] = rows.t_x[i];
    rows.T[kept] = rows.T[i];
    if (!rows.weight.empty()) rows.weight[kept] = rows.weight[i];
    ++kept;
  }
  rows.x.resize(kept);
  rows.t_x.resize(kept);
  rows.T.resize(kept);
  if (!rows.weight.empty()) rows.weight.resize(kept);
  return dropped;
}

CustomerSummary without_zero_age(const CustomerSummary& in, std::vector<double>& spend) {
  CustomerSummary out;
  out.period = in.period;
  out.source = in.source;
  out.duration_holdout = in.duration_holdout;
  out.diagnostics = in.diagnostics;
  std::vector<double> kept_spend;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!(in.T[i] > 0)) continue;
    out.ids.add(in.ids[i]);
    out.frequency.push_back(in.frequency[i]);
    out.recency.push_back(in.recency[i]);
    out.T.push_back(in.T[i]);
    out.monetary_value.push_back(in.monetary_value[i]);
    if (in.has_holdout()) {
      out.frequency_holdout.push_back(in.frequency_holdout[i]);
      out.monetary_value_holdout.push_back(in.monetary_value_holdout[i]);
    }
    kept_spend.push_back(spend[i]);
  }
  spend = std::move(kept_spend);
  return out;
}

}  // namespace

PgPipelineResult run_pg_pipeline(const std::string& conninfo, const PgMapping& mapping,
                                 const PgPipelineOptions& o) {
  if (!(o.score.horizon > 0)) {
    throw Error::invalid_argument("the scoring horizon must be positive (in the time unit)");
  }
  pg::PgSourceImpl source(conninfo, mapping);
  PgPipelineResult result;
  result.run_id = o.run_id.empty() ? fmt::format("{}-{}", o.count_model,
                                                 format_date(o.period.calibration_end_day))
                                   : o.run_id;
  FitOptions fit_options;
  fit_options.threads = o.fit_threads;

  source.begin_snapshot();
  auto t = std::chrono::steady_clock::now();
  PgHistogram histogram = source.histogram(o.period);
  result.seconds_histogram = seconds_since(t);
  result.customers_not_scored = drop_zero_age(histogram.rows);
  result.histogram_rows = histogram.rows.size();
  if (histogram.rows.size() == 0) {
    source.end_snapshot();
    throw Error::invalid_argument(fmt::format(
        "no customer has a purchase on or before {} in the mapped transactions ({} rows read)",
        format_date(o.period.calibration_end_day), histogram.diagnostics.rows_read));
  }
  t = std::chrono::steady_clock::now();
  result.count_fit = fit_model(o.count_model, histogram.rows, fit_options, o.period.unit);
  result.seconds_fit = seconds_since(t);

  t = std::chrono::steady_clock::now();
  std::vector<double> spend;
  CustomerSummary summary = source.summary_with_spend(o.period, spend);
  source.end_snapshot();
  if (result.customers_not_scored > 0) summary = without_zero_age(summary, spend);
  result.seconds_summary = seconds_since(t);
  result.diagnostics = summary.diagnostics;

  t = std::chrono::steady_clock::now();
  RfmData data = rfm_data_from_summary(summary);
  if (o.fit_spend_model) {
    // As clv::Engine: Gamma-Gamma on repeat buyers with positive spend; too
    // few, or no convergence, leaves the run without CLV.
    RfmData spenders;
    for (size_t k = 0; k < data.size(); ++k) {
      if (data.x[k] > 0 && data.monetary[k] > 0) {
        spenders.x.push_back(data.x[k]);
        spenders.t_x.push_back(data.t_x[k]);
        spenders.T.push_back(data.T[k]);
        spenders.monetary.push_back(data.monetary[k]);
      }
    }
    if (spenders.size() >= 10) {
      try {
        result.spend_fit = fit_model("gg", spenders, fit_options, o.period.unit);
        // q <= 1 means an infinite expected spend: no CLV rather than a failed run.
        const FitResult& gg = *result.spend_fit;
        for (size_t k = 0; k < gg.param_names.size(); ++k) {
          if (gg.param_names[k] == "q" && !(gg.params[k] > 1.0)) result.spend_fit.reset();
        }
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kNotConverged) throw;
      }
    }
  }
  const FitResult* spend_model = result.spend_fit ? &*result.spend_fit : nullptr;
  if (spend_model == nullptr) data.monetary.clear();
  const Scores scores = score(result.count_fit, data, o.score, spend_model);
  result.seconds_score = seconds_since(t);
  result.customers_scored = summary.size();

  t = std::chrono::steady_clock::now();
  PgScoreRun run;
  run.run_id = result.run_id;
  run.model = result.count_fit.model;
  run.horizon = o.score.horizon;
  run.count_fit_json = fit_result_to_json_text(result.count_fit);
  if (spend_model != nullptr) run.spend_fit_json = fit_result_to_json_text(*spend_model);
  source.write_scores(run, summary, scores, spend);
  result.seconds_write = seconds_since(t);
  result.transfer = source.transfer();
  return result;
}

}  // namespace clv
