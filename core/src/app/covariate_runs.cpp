#include "clv/covariate_runs.hpp"

#include <utility>

#include <fmt/format.h>
#include "churn/churn_run_store.hpp"
#include "churn/covariate_fit_record.hpp"
#include "churn/covariate_summary_csv.hpp"
#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"

namespace clv {
namespace {

CovariatePortfolio portfolio_of(DbCovariatePortfolio&& loaded) {
  CovariatePortfolio p;
  p.customer_id = std::move(loaded.summary.customer_id);
  p.x = std::move(loaded.summary.x);
  p.t_x = std::move(loaded.summary.t_x);
  p.T = std::move(loaded.summary.T);
  p.covariates = std::move(loaded.raw);
  p.monetary = std::move(loaded.summary.monetary);
  return p;
}

DbCovariateFit result_of(CovariateFitRecord&& record, DbCovariatePortfolio&& loaded,
                         int64_t run_id) {
  DbCovariateFit fit;
  fit.record_json = covariate_fit_record_to_json(record);
  fit.incidents_used = loaded.covariates.incidents_used;
  fit.portfolio = portfolio_of(std::move(loaded));
  fit.calibration_end = std::move(record.calibration_end);
  fit.unit = record.unit;
  fit.notes = std::move(record.notes);
  fit.model = std::move(record.model);
  fit.run_id = run_id;
  return fit;
}

}  // namespace

CovariatePortfolio read_static_covariate_portfolio(const std::string& path,
                                                   const std::string& spec) {
  CovariateSummary data = read_covariate_summary(path, parse_static_covariate_spec(spec));
  CovariatePortfolio p;
  p.customer_id = std::move(data.ids);
  p.x = std::move(data.x);
  p.t_x = std::move(data.t_x);
  p.T = std::move(data.T);
  p.covariates = std::move(data.covariates);
  p.unit = data.unit;
  return p;
}

DbCovariateFit fit_db_covariate_run(const DbCovariateFitRequest& request) {
  DbCovariateOptions options;
  options.db_path = request.db_path;
  options.calibration_end_day = request.calibration_end_day;
  options.unit = request.unit;
  options.plugin_dirs = request.plugin_dirs;
  options.use_plugins = request.use_plugins;
  options.progress = request.fit.progress;
  CovariateSpec spec = parse_covariate_spec(request.covariates);
  spec.time_varying = !request.snapshot && (spec.incidents || spec.staff);
  DbCovariatePortfolio loaded = load_db_covariate_portfolio(options, spec);
  CovariateFitRecord record = fit_db_covariates(loaded, options, spec, request.fit);
  const int64_t run_id = request.store ? save_covariate_fit_run(request.db_path, record) : 0;
  const FitCheck check = check_fit(record.model.baseline, loaded.summary);
  DbCovariateFit fit = result_of(std::move(record), std::move(loaded), run_id);
  fit.baseline_check = check;
  return fit;
}

DbCovariateFit load_db_covariate_run(const std::string& db_path, int64_t run_id) {
  int64_t found = 0;
  CovariateFitRecord record = load_covariate_fit_run(db_path, run_id, &found);
  int64_t seconds = 0;
  parse_timestamp(record.calibration_end, seconds);  // the record's own, validated on load
  DbCovariateOptions options;
  options.db_path = db_path;
  options.calibration_end_day = day_of(seconds);
  options.unit = record.unit;
  DbCovariatePortfolio loaded = load_db_covariate_portfolio(options, record.spec, &record);
  return result_of(std::move(record), std::move(loaded), found);
}

bool has_stored_covariate_fit(const std::string& db_path) {
  return has_covariate_fit_run(db_path);
}

DbCovariateFit fit_db_plain_churn(const DbCovariateFitRequest& request) {
  SummaryPeriod period;
  period.calibration_end_day = request.calibration_end_day;
  period.unit = request.unit;
  RfmData data =
      rfm_data_from_summary(summarize_database(request.db_path, period, request.fit.progress));
  if (data.size() < 2) {
    throw Error::invalid_argument(
        fmt::format("{} has {} customers with a purchase by {}; churn needs more", request.db_path,
                    data.size(), format_date(request.calibration_end_day)));
  }
  DbCovariateFit fit;
  fit.model = plain_churn_model(data.x, data.t_x, data.T, request.fit);
  fit.model.fit.time_unit = request.unit;
  fit.calibration_end = format_date(request.calibration_end_day);
  fit.unit = request.unit;
  fit.portfolio.customer_id = std::move(data.customer_id);
  fit.portfolio.x = std::move(data.x);
  fit.portfolio.t_x = std::move(data.t_x);
  fit.portfolio.T = std::move(data.T);
  fit.portfolio.monetary = std::move(data.monetary);
  fit.notes.push_back(
      fmt::format("Pareto/NBD without covariates (calibration end {}, time unit {})",
                  fit.calibration_end, request.unit.name));
  return fit;
}

AtRiskList rank_at_risk(const std::vector<ChurnScore>& scores, const CovariatePortfolio& portfolio,
                        double horizon, size_t top) {
  AtRiskList list;
  const std::vector<double> spend =
      spend_per_purchase(portfolio.x, portfolio.monetary, &list.spend_note);
  std::vector<ChurnPrediction> predictions(scores.size());
  list.value_at_risk.resize(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    predictions[i] = scores[i].prediction;
    list.value_at_risk[i] = value_at_risk(predictions[i], spend[i], horizon);
  }
  list.order = at_risk_order(list.value_at_risk, predictions, top);
  return list;
}

std::vector<ChurnScore> score_churn(const CovariateParetoNbd& model,
                                    const CovariatePortfolio& portfolio, double horizon,
                                    size_t drivers, const ProgressCallback& progress) {
  const size_t n = portfolio.size(), k = portfolio.covariates.n_covariates();
  const auto& raw = portfolio.covariates.values;
  std::vector<ChurnScore> scores(n);
  constexpr size_t kStride = 4096;  // a customer's drivers cost ~ a row of a summary pass x 16
  for (size_t i = 0; i < n; ++i) {
    if (progress && i % kStride == 0) progress(Progress{"score", i, n, "customers", 0});
    const CustomerHistory c{portfolio.x[i], portfolio.t_x[i], portfolio.T[i],
                            std::vector<double>(raw.begin() + static_cast<long>(i * k),
                                                raw.begin() + static_cast<long>((i + 1) * k))};
    scores[i] = {portfolio.customer_id[i], predict_churn(model, c, horizon),
                 churn_drivers(model, c, horizon, drivers)};
  }
  if (progress) progress(Progress{"score", n, n, "customers", 0});
  return scores;
}

int64_t store_churn_run(const std::string& db_path, const std::string& source,
                        const CovariateParetoNbd& model, double horizon,
                        const std::vector<ChurnScore>& scores,
                        const std::optional<TimeUnit>& unit) {
  std::vector<CustomerChurn> rows;
  rows.reserve(scores.size());
  for (const auto& s : scores) rows.push_back({s.customer, s.prediction, s.drivers});
  return save_churn_run(db_path, source, model, horizon, rows, unit);
}

}  // namespace clv
