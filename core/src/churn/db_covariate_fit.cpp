// The covariate Pareto/NBD fitted to a database portfolio: as a snapshot at
// the calibration end (static covariates) or with incidents and staff acting
// from when they happen (time-varying, each customer's periods cut at its
// own incident events). Constant or collinear columns are dropped with a note.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "churn/covariate_fit_record.hpp"
#include "churn/covariate_screening.hpp"
#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "store/purchase_days.hpp"

namespace clv {
namespace {

// Each customer's covariate series: periods cut at its incident events, and
// its repeat purchase times (distinct purchase days after the first).
std::vector<CustomerCovariateSeries> covariate_series(const DbCovariatePortfolio& p,
                                                      const CustomerCovariateData& data,
                                                      const DbCovariateOptions& options) {
  const RfmData& s = p.summary;
  const auto days = load_purchase_days(options.db_path, s.customer_id, options.calibration_end_day);
  std::vector<CustomerCovariateSeries> series(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    CustomerCovariateSeries& c = series[i];
    if (days[i].empty() || static_cast<double>(days[i].size() - 1) != s.x[i]) {
      throw Error::corrupt_data(fmt::format(
          "customer {} has {} purchase days by {} but the summary counts {} repeat purchases; "
          "the database changed while fitting, refit",
          s.customer_id[i], days[i].size(), format_date(options.calibration_end_day), s.x[i]));
    }
    for (size_t d = 1; d < days[i].size(); ++d) {
      c.purchase_times.push_back(static_cast<double>(days[i][d] - days[i][0]) / options.unit.days);
    }
    std::vector<double> starts = {0.0};
    for (double t : data.change_times(i)) starts.push_back(t);
    for (double t : starts) {
      const std::vector<double> row = data.row_at(i, data.incidents[i], t);
      // A change that leaves the row as it was (e.g. only a survey-less
      // resolution of a column not kept) does not start a new period.
      if (!c.period_start.empty() &&
          std::equal(row.begin(), row.end(), c.values.end() - static_cast<long>(row.size()))) {
        continue;
      }
      c.period_start.push_back(t);
      c.values.insert(c.values.end(), row.begin(), row.end());
    }
  }
  return series;
}

// The period rows that overlap each customer's observation, pooled: what
// the time-varying fit standardizes with, so also what is screened.
CovariateMatrix pooled_rows(const std::vector<CustomerCovariateSeries>& series,
                            const std::vector<double>& T, const std::vector<std::string>& names) {
  CovariateMatrix pooled{names, {}};
  const size_t k = names.size();
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& c = series[i];
    for (size_t p = 0; p < c.period_start.size() && c.period_start[p] < T[i]; ++p) {
      pooled.values.insert(pooled.values.end(), c.values.begin() + static_cast<long>(p * k),
                           c.values.begin() + static_cast<long>((p + 1) * k));
    }
  }
  return pooled;
}

void keep_series_columns(std::vector<CustomerCovariateSeries>& series, size_t k,
                         const std::vector<size_t>& kept) {
  for (auto& c : series) {
    std::vector<double> values;
    values.reserve(c.period_start.size() * kept.size());
    for (size_t p = 0; p < c.period_start.size(); ++p)
      for (size_t j : kept) values.push_back(c.values[p * k + j]);
    c.values = std::move(values);
  }
}

}  // namespace

CovariateFitRecord fit_db_covariates(const DbCovariatePortfolio& p,
                                     const DbCovariateOptions& options, const CovariateSpec& spec,
                                     const CovariateFitOptions& fit_options) {
  CovariateFitRecord rec;
  rec.spec = spec;
  rec.notes = p.covariates.notes;
  const CustomerCovariateData& data = p.covariates.data;
  const std::vector<std::string> names = data.names();
  const size_t k = names.size();
  const RfmData& s = p.summary;

  std::vector<CustomerCovariateSeries> series;
  CovariateScreen screen;
  if (spec.time_varying) {
    series = covariate_series(p, data, options);
    screen = screen_covariates(pooled_rows(series, s.T, names));
  } else {
    screen = screen_covariates(p.raw);
  }
  rec.notes.insert(rec.notes.end(), screen.notes.begin(), screen.notes.end());
  if (screen.kept.empty()) {
    throw Error::invalid_argument(fmt::format(
        "none of the covariates ({}) varies across the customers; there is nothing to fit (clv "
        "churn without --covariates gives the plain model's churn risk)",
        fmt::join(names, ", ")));
  }
  std::vector<std::string> kept_names;
  for (size_t j : screen.kept) kept_names.push_back(names[j]);
  if (spec.time_varying) {
    keep_series_columns(series, k, screen.kept);
    CovariateFitOptions options_tv = fit_options;
    if (!(options_tv.max_period_piece > 0)) options_tv.max_period_piece = 7.0 / options.unit.days;
    rec.model = fit_dynamic_pnbd(s.x, s.t_x, s.T, kept_names, series, options_tv);
    rec.notes.push_back(
        "incidents and staff enter the dropout hazard from when they happen (time-varying "
        "covariates); an unresolved incident's survey counts from 2 SLAs after it was opened");
  } else {
    rec.model =
        fit_covariate_pnbd(s.x, s.t_x, s.T, select_columns(p.raw, screen.kept), fit_options);
  }
  rec.model.fit.time_unit = options.unit;
  rec.model.baseline.time_unit = options.unit;
  // Record the kept columns, so that churn and what-if rebuild exactly them.
  const size_t k_static = data.static_columns.n_covariates();
  const size_t k_inc = k - k_static;
  if (screen.kept.size() != k) {
    rec.spec.columns.clear();
    rec.spec.incidents = rec.spec.staff = false;
    for (size_t j : screen.kept) {
      if (j >= k_inc) continue;
      rec.spec.columns.push_back(names[j]);
      (names[j].rfind("staff_", 0) == 0 ? rec.spec.staff : rec.spec.incidents) = true;
    }
    // Only whole-group tokens cannot stand for a subset: a kept subset is
    // listed by name (selected_columns() then returns exactly it).
  }
  for (size_t j : screen.kept)
    if (j >= k_inc) rec.static_names.push_back(names[j]);
  rec.calibration_end = format_date(options.calibration_end_day);
  rec.unit = options.unit;
  rec.sectors = p.covariates.sectors;
  rec.rules = p.covariates.data.rules;
  rec.unknown_fill = p.covariates.data.unknown_fill;
  return rec;
}

}  // namespace clv
