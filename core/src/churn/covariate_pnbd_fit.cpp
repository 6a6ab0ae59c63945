// Fitting Pareto/NBD with time-invariant covariates: a no-covariate fit first
// (a good start and the baseline), then the covariate model from there.
#include <fmt/format.h>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "models/fit_progress.hpp"
#include "models/mle_fitter.hpp"
#include "models/pareto_nbd.hpp"
#include "models/pareto_nbd_covariates.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

CovariateParetoNbd fit_covariate_pnbd(const std::vector<double>& x, const std::vector<double>& t_x,
                                      const std::vector<double>& T, const CovariateMatrix& raw,
                                      const CovariateFitOptions& options) {
  if (raw.n_customers() != x.size() || x.size() != t_x.size() || x.size() != T.size()) {
    throw Error::invalid_argument(fmt::format(
        "{} summaries (x {}, t_x {}, T {}) but covariates for {} customers; give one covariate "
        "row per customer in summary order",
        x.size(), x.size(), t_x.size(), T.size(), raw.n_customers()));
  }
  CovariateParetoNbd out;
  out.scaling = fit_scaling(raw);
  const CovariateMatrix z = standardize(raw, out.scaling);

  FitOptions fit_options;
  fit_options.max_iterations = options.max_iterations;
  fit_options.gradient_tolerance = options.gradient_tolerance;
  fit_options.threads = options.threads;
  fit_options.progress = options.progress;
  FitProgressScope progress(fit_options);  // the baseline and the covariate fit: one count

  ParetoNbdModel plain(collapse_rfm(x, t_x, T), options.threads);
  out.baseline = maximize_likelihood(plain, fit_options, "pnbd");

  const size_t k = raw.n_covariates();
  ParetoNbdCovariateModel model(collapse_covariate_rows(x, t_x, T, z.values, k), raw.names,
                                out.baseline.params, options.threads);
  out.fit = fit_covariate_row_model(model, fit_options, "pnbd_cov");
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
