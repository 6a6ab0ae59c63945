// Fitting Pareto/NBD with time-varying covariates: validate and standardize
// the series, precompute each customer's covariate sum at its purchase
// times, start from the no-covariate fit.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "models/fit_progress.hpp"
#include "models/mle_fitter.hpp"
#include "models/pareto_nbd.hpp"
#include "models/pareto_nbd_covariates.hpp"
#include "models/pareto_nbd_dynamic.hpp"
#include "models/rfm_rows.hpp"

namespace clv {
namespace {

void validate_series(const CustomerCovariateSeries& c, size_t k, double x, double T, size_t i) {
  const size_t periods = c.period_start.size();
  auto bad = [&](const std::string& what) {
    return Error::invalid_argument(
        fmt::format("time-varying covariates of customer {} (0-based): {}", i, what));
  };
  if (periods == 0 || c.period_start[0] > 0) {
    throw bad("the first period must start at or before the first purchase (time <= 0)");
  }
  if (c.values.size() != periods * k) {
    throw bad(fmt::format("{} values for {} periods x {} covariates", c.values.size(), periods, k));
  }
  for (size_t p = 0; p < periods; ++p) {
    if (!std::isfinite(c.period_start[p]) || (p && c.period_start[p] <= c.period_start[p - 1])) {
      throw bad("period starts must be finite and strictly ascending");
    }
  }
  for (double v : c.values)
    if (!std::isfinite(v)) throw bad("a covariate value is not finite; fill or drop it");
  if (static_cast<double>(c.purchase_times.size()) != x) {
    throw bad(fmt::format("{} purchase times for x = {}; give every repeat purchase time",
                          c.purchase_times.size(), x));
  }
  for (double t : c.purchase_times)
    if (!(t > 0 && t <= T)) throw bad(fmt::format("purchase time {} is outside (0, T={}]", t, T));
}

}  // namespace

CovariateParetoNbd fit_dynamic_pnbd(const std::vector<double>& x, const std::vector<double>& t_x,
                                    const std::vector<double>& T,
                                    const std::vector<std::string>& covariate_names,
                                    const std::vector<CustomerCovariateSeries>& series,
                                    const CovariateFitOptions& options) {
  const size_t n = x.size(), k = covariate_names.size();
  if (series.size() != n || t_x.size() != n || T.size() != n) {
    throw Error::invalid_argument(fmt::format(
        "{} summaries but {} covariate series; give one series per customer in summary order", n,
        series.size()));
  }
  validate_rfm(x, t_x, T, {});
  // Pool the periods that overlap each customer's observation for scaling.
  CovariateMatrix pooled{covariate_names, {}};
  for (size_t i = 0; i < n; ++i) {
    validate_series(series[i], k, x[i], T[i], i);
    const auto& c = series[i];
    for (size_t p = 0; p < c.period_start.size(); ++p) {
      const double end = p + 1 < c.period_start.size() ? c.period_start[p + 1] : T[i] + 1.0;
      if (end > 0 && c.period_start[p] < T[i]) {
        pooled.values.insert(pooled.values.end(), c.values.begin() + p * k,
                             c.values.begin() + (p + 1) * k);
      }
    }
  }
  CovariateParetoNbd out;
  out.scaling = fit_scaling(pooled);

  DynamicCovariateRows rows;
  rows.k = k;
  rows.x = x;
  rows.t_x = t_x;
  rows.T = T;
  rows.purchase_sum.assign(n * k, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const auto& c = series[i];
    rows.first_period.push_back(rows.period_start.size());
    for (size_t p = 0; p < c.period_start.size(); ++p) {
      if (c.period_start[p] >= T[i]) break;  // periods after T carry no information
      rows.period_start.push_back(c.period_start[p]);
      for (size_t j = 0; j < k; ++j) {
        rows.z.push_back((c.values[p * k + j] - out.scaling.mean[j]) / out.scaling.scale[j]);
      }
    }
    const double* z0 = rows.z.data() + rows.first_period.back() * k;
    const size_t periods = rows.period_start.size() - rows.first_period.back();
    for (double t : c.purchase_times) {
      // The period containing t: the last one starting at or before it.
      const auto begin = rows.period_start.begin() + static_cast<long>(rows.first_period.back());
      const size_t p = static_cast<size_t>(
          std::upper_bound(begin, begin + static_cast<long>(periods), t) - begin - 1);
      for (size_t j = 0; j < k; ++j) rows.purchase_sum[i * k + j] += z0[p * k + j];
    }
  }
  rows.first_period.push_back(rows.period_start.size());

  FitOptions fit_options;
  fit_options.max_iterations = options.max_iterations;
  fit_options.gradient_tolerance = options.gradient_tolerance;
  fit_options.threads = options.threads;
  fit_options.progress = options.progress;
  FitProgressScope progress(fit_options);  // the baseline and the covariate fit: one count
  ParetoNbdModel plain(collapse_rfm(x, t_x, T), options.threads);
  out.baseline = maximize_likelihood(plain, fit_options, "pnbd");
  ParetoNbdDynamicModel model(std::move(rows), covariate_names, out.baseline.params,
                              options.threads, options.max_period_piece);
  out.fit = fit_dynamic_covariate_model(model, fit_options, "pnbd_dyncov");
  covariate_fit_to_gammas(out.fit);
  out.r = out.fit.params[0];
  out.alpha = out.fit.params[1];
  out.s = out.fit.params[2];
  out.beta = out.fit.params[3];
  out.gamma_purchase.assign(out.fit.params.begin() + 4, out.fit.params.begin() + 4 + k);
  out.gamma_dropout.assign(out.fit.params.begin() + 4 + k, out.fit.params.end());
  progress.finish();
  return out;
}

}  // namespace clv
