#include "models/bg_nbd_covariates.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "clv/error.hpp"
#include "models/mle_fitter.hpp"
#include "models/pareto_nbd_covariates.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

BgNbdCovariateModel::BgNbdCovariateModel(CovariateRows rows,
                                         const std::vector<std::string>& covariate_names,
                                         const std::vector<double>& start, int threads)
    : CovariateRowModel(std::move(rows), covariate_names, start, threads,
                        CovariateLink{{"r", "alpha", "a", "b"},
                                      {"purchase:", "dropout:"},
                                      {-1, 0, 1, 1},
                                      {1.0, -1.0, 1.0, 1.0}}) {}

std::unique_ptr<CovariateRowModel> BgNbdCovariateModel::with_rows(CovariateRows rows) const {
  return std::make_unique<BgNbdCovariateModel>(std::move(rows), covariate_names(), start(),
                                               threads());
}

double BgNbdCovariateModel::row_log_likelihood(size_t i, const double q[4],
                                               const pnbd_kernel::CountTerms& counts,
                                               double* grad) const {
  const CovariateRows& w = rows();
  return bgnbd_row_log_likelihood({q[0], q[1], q[2], q[3]}, w.x[i], w.t_x[i], w.T[i], counts, grad);
}

double bgnbd_row_log_likelihood(const BgNbdParams& p, double x, double t_x, double T,
                                const pnbd_kernel::CountTerms& counts, double* grad) {
  // L = B(a, b+x)/B(a, b) Gamma(r+x) alpha^r / Gamma(r) *
  //     [(alpha+T)^-(r+x) + [x > 0] a/(b+x-1) (alpha+t_x)^-(r+x)]   (FHL 2005, eq. 6)
  const double r_x = p.r + x;
  const double lT = std::log(p.alpha + T);
  const double alive = -r_x * lT;
  double mix = alive, w_died = 0.0, l_tx = 0.0;
  if (x > 0) {
    l_tx = std::log(p.alpha + t_x);
    const double died = std::log(p.a / (p.b + x - 1.0)) - r_x * l_tx;
    const double top = std::max(alive, died);
    const double e_alive = std::exp(alive - top), e_died = std::exp(died - top);
    mix = top + std::log(e_alive + e_died);
    w_died = e_died / (e_alive + e_died);
  }
  double beta_part = 0.0, d_a = 0.0, d_b = 0.0;
  if (x > 0) {
    using boost::math::digamma;
    beta_part = std::lgamma(p.b + x) - std::lgamma(p.b) + std::lgamma(p.a + p.b) -
                std::lgamma(p.a + p.b + x);
    if (grad) {
      const double common = digamma(p.a + p.b) - digamma(p.a + p.b + x);
      d_a = common;
      d_b = digamma(p.b + x) - digamma(p.b) + common;
    }
  }
  const double log_alpha = std::log(p.alpha);
  const double ll = counts.log_gamma_ratio + p.r * log_alpha + beta_part + mix;
  if (!std::isfinite(ll)) return -std::numeric_limits<double>::infinity();
  if (grad) {
    const double w_alive = 1.0 - w_died;
    grad[0] = p.r * (counts.digamma_diff + log_alpha - w_alive * lT - w_died * l_tx);
    grad[1] = p.alpha * (p.r / p.alpha - w_alive * r_x / (p.alpha + T) -
                         (x > 0 ? w_died * r_x / (p.alpha + t_x) : 0.0));
    grad[2] = p.a * (d_a + w_died / p.a);
    grad[3] = p.b * (d_b - (x > 0 ? w_died / (p.b + x - 1.0) : 0.0));
  }
  return ll;
}

BgNbdCovariateFit fit_bgnbd_covariates(const std::vector<double>& x, const std::vector<double>& t_x,
                                       const std::vector<double>& T, const std::vector<double>& z,
                                       const std::vector<std::string>& names,
                                       const FitOptions& options) {
  const size_t k = names.size();
  if (k == 0) throw Error::invalid_argument("BG/NBD with covariates needs at least one covariate");
  BgNbdCovariateFit out;
  out.covariate_names = names;
  BgNbdLikelihood plain(collapse_rfm(x, t_x, T), BgNbdVariant::kBgNbd, options.threads);
  out.baseline = maximize_likelihood(plain, options, "bgnbd");
  BgNbdCovariateModel model(collapse_covariate_rows(x, t_x, T, z, k), names, out.baseline.params,
                            options.threads);
  FitOptions cov_options = options;
  cov_options.start.clear();  // the model starts from the baseline
  out.fit = fit_covariate_row_model(model, cov_options, "bgnbd_cov");
  covariate_fit_to_gammas(out.fit);
  out.r = out.fit.params[0];
  out.alpha = out.fit.params[1];
  out.a = out.fit.params[2];
  out.b = out.fit.params[3];
  out.gamma_purchase.assign(out.fit.params.begin() + 4, out.fit.params.begin() + 4 + k);
  out.gamma_dropout.assign(out.fit.params.begin() + 4 + k, out.fit.params.end());
  return out;
}

BgNbdParams bgnbd_customer_params(const BgNbdCovariateFit& model, const std::vector<double>& z) {
  const size_t k = model.gamma_purchase.size();
  if (z.size() != k) {
    throw Error::invalid_argument(
        fmt::format("{} covariate values for a model with {} covariates ({}...); give them in the "
                    "model's order",
                    z.size(), k, k ? model.covariate_names[0] : std::string()));
  }
  double lin_p = 0.0, lin_d = 0.0;
  for (size_t j = 0; j < k; ++j) {
    if (!std::isfinite(z[j])) throw Error::invalid_argument("covariate values must be finite");
    lin_p += model.gamma_purchase[j] * z[j];
    lin_d += model.gamma_dropout[j] * z[j];
  }
  BgNbdParams p{model.r, model.alpha * std::exp(-lin_p), model.a * std::exp(lin_d),
                model.b * std::exp(lin_d)};
  check_params(p);
  return p;
}

double bgnbd_covariate_p_alive(const BgNbdCovariateFit& model, double x, double t_x, double T,
                               const std::vector<double>& z) {
  return bgnbd_p_alive(bgnbd_customer_params(model, z), BgNbdVariant::kBgNbd, x, t_x, T);
}

double bgnbd_covariate_conditional_expected(const BgNbdCovariateFit& model, double x, double t_x,
                                            double T, const std::vector<double>& z, double t) {
  return bgnbd_conditional_expected_purchases(bgnbd_customer_params(model, z), BgNbdVariant::kBgNbd,
                                              x, t_x, T, t);
}

}  // namespace clv
