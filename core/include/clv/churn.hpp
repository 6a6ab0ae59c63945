// Incident-aware churn risk: Pareto/NBD with time-invariant covariates
// (Fader & Hardie 2007; the CLVTools parameterization) and the per-customer
// churn risk, its risk band and its main drivers.
//
// Covariates z (standardized with the fit's scaling) scale the customer's
// gamma-mixing rates:   alpha_i = alpha * exp(-gamma_purchase' z)
//                       beta_i  = beta  * exp(-gamma_dropout'  z)
// so a positive gamma_purchase raises the purchase rate and a positive
// gamma_dropout raises the dropout rate (i.e. the churn risk).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "clv/covariates.hpp"
#include "clv/fit_result.hpp"
#include "clv/progress.hpp"

namespace clv {

struct CovariateParetoNbd {
  double r = 0, alpha = 0, s = 0, beta = 0;
  CovariateScaling scaling;            // names, mean, scale of each covariate
  std::vector<double> gamma_purchase;  // per standardized covariate
  std::vector<double> gamma_dropout;   // per standardized covariate
  // Everything the fitter reports: params in the order r, alpha, s, beta,
  // purchase:<name>..., dropout:<name>... with standard errors (natural scale).
  FitResult fit;
  // The same data fitted without covariates (r, alpha, s, beta): the start of
  // the covariate fit and the baseline of holdout comparisons.
  FitResult baseline;
};

// One customer's calibration history and raw (unstandardized) covariates in
// the order of model.scaling.names.
struct CustomerHistory {
  double x = 0, t_x = 0, T = 0;
  std::vector<double> covariates;
};

struct CovariateFitOptions {
  int max_iterations = 500;
  double gradient_tolerance = 1e-6;
  int threads = 0;  // 0 = all cores
  // Time-varying fits: the longest piece of a period over which the lifetime
  // integral is taken by one 3-point Gauss-Legendre rule (0 = whole periods,
  // right for weekly periods; irregular periods cut at events need ~1 week).
  double max_period_piece = 0;
  // Stage "fit" over the baseline and the covariate fit together (one
  // monotone count of likelihood passes); see FitOptions::progress.
  ProgressCallback progress;
};

// A covariate run for what-if incident and staff levers: the fitted model and
// every summary customer's records (rows aligned with the what-if summary),
// so that levers edit records and the covariates are rebuilt by the same
// builder, standardized with the fit's scaling. See docs/whatif.md.
struct CovariateWhatIf {
  CovariateParetoNbd model;
  CustomerCovariateData data;
  std::vector<std::string> notes;  // where the records and rules came from
};

// Maximum-likelihood fit. Throws Error::invalid_argument on bad summaries or
// covariates and Error::not_converged when the optimizer fails.
CovariateParetoNbd fit_covariate_pnbd(const std::vector<double>& x, const std::vector<double>& t_x,
                                      const std::vector<double>& T, const CovariateMatrix& raw,
                                      const CovariateFitOptions& options = {});

// Time-varying covariates of one customer (Pareto/NBD with time-varying
// covariates, Bachmann, Meierer & Naef 2021): values are constant within
// periods (e.g. weeks). Times are in the summary's unit, measured from the
// customer's first purchase like t_x and T.
struct CustomerCovariateSeries {
  std::vector<double> period_start;    // ascending; the first must be <= 0
  std::vector<double> values;          // periods x covariates, raw
  std::vector<double> purchase_times;  // the x repeat purchase times, in (0, T]
};

// Maximum-likelihood fit with time-varying covariates. The result uses the
// same type as the static fit (gammas per standard deviation of the pooled
// period values); predict_churn() on it treats the covariates as constant
// from T on. Throws Error::invalid_argument naming the first bad customer.
CovariateParetoNbd fit_dynamic_pnbd(const std::vector<double>& x, const std::vector<double>& t_x,
                                    const std::vector<double>& T,
                                    const std::vector<std::string>& covariate_names,
                                    const std::vector<CustomerCovariateSeries>& series,
                                    const CovariateFitOptions& options = {});

// One covariate effect with its uncertainty, in plain words: the gamma per
// standard deviation (and per raw unit), its standard error, the 90%
// interval and the two-sided p-value (normal approximation); "clear" when
// p < 0.05, "likely" when p < 0.10 (the 90% interval excludes 0), "unclear"
// otherwise, "unknown" without a standard error.
struct CovariateEffect {
  std::string covariate;
  std::string process;  // "purchase" or "dropout"
  double gamma = 0, std_error = 0, lower90 = 0, upper90 = 0, p_value = 1;
  double gamma_per_unit = 0;  // gamma / the covariate's raw sd
  std::string verdict;
  // e.g. "more unresolved_count: clearly more churn (x1.35 per sd)".
  std::string words;
};
std::vector<CovariateEffect> covariate_effects(const CovariateParetoNbd& model);

// Per-customer prediction over (T, T + horizon].
struct ChurnPrediction {
  double p_alive = 0;             // P(alive at T | history, covariates)
  double churn_risk = 0;          // P(dead by T + horizon)
  double p_no_purchase = 0;       // P(no purchase in (T, T + horizon])
  double expected_purchases = 0;  // E[purchases in (T, T + horizon]]
  // For the at-risk list: P(dead by T + horizon | alive at T), the risk a
  // retention action can still act on, and the expected purchase rate of
  // the customer if alive at T (posterior mean (r + x) / (alpha_i + T)).
  double risk_if_alive = 0;
  double purchase_rate_if_alive = 0;
};

// Value at risk over the horizon: P(alive at T) x P(churn in the horizon |
// alive) x the spend the customer would bring in the horizon if kept
// (purchase rate x horizon x spend per purchase). Customers already gone
// (P(alive) ~ 0) have little value at risk: nothing is left to save.
double value_at_risk(const ChurnPrediction& prediction, double spend_per_purchase, double horizon);

// Indices of the `top` customers with the highest value at risk (ties: the
// higher churn risk if alive, then the lower index).
std::vector<size_t> at_risk_order(const std::vector<double>& value_at_risk,
                                  const std::vector<ChurnPrediction>& predictions, size_t top);

// Each customer's expected spend per purchase: the Gamma-Gamma conditional
// mean (Fader, Hardie & Lee 2005) from its repeat purchases' mean spend
// `monetary` and count `x`, fitted on the repeat buyers; the repeat buyers'
// mean when Gamma-Gamma cannot be fitted (too few, or q <= 1); 1 (value in
// purchases) without spend data. `note` says which applied.
std::vector<double> spend_per_purchase(const std::vector<double>& x,
                                       const std::vector<double>& monetary, std::string* note);

// The plain Pareto/NBD (no covariates) as a covariate model with none, so
// churn risk, value at risk and the whole churn output work for a portfolio
// with transactions only.
CovariateParetoNbd plain_churn_model(const std::vector<double>& x, const std::vector<double>& t_x,
                                     const std::vector<double>& T,
                                     const CovariateFitOptions& options = {});

// Recomputes the prediction for one customer; used by scoring and by what-if
// with modified covariates. Throws Error::invalid_argument when the covariate
// count does not match the model.
ChurnPrediction predict_churn(const CovariateParetoNbd& model, const CustomerHistory& customer,
                              double horizon);

enum class RiskBand { kLow, kMedium, kHigh, kCritical };
// Band thresholds on churn risk: < 0.25 low, < 0.5 medium, < 0.75 high, else critical.
RiskBand risk_band(double churn_risk);
const char* risk_band_name(RiskBand band);

struct RiskDriver {
  std::string covariate;
  // churn_risk(customer) - churn_risk(customer with this covariate at the
  // portfolio mean): > 0 means the covariate raises this customer's risk.
  double effect = 0;
};

// The `top` covariates moving this customer's risk most, largest |effect| first.
std::vector<RiskDriver> churn_drivers(const CovariateParetoNbd& model,
                                      const CustomerHistory& customer, double horizon,
                                      size_t top = 3);

// Holdout validation of churn risk against observed holdout inactivity
// (no purchase in the holdout window).
struct CalibrationBin {
  double predicted = 0;  // mean predicted P(no purchase in holdout)
  double observed = 0;   // fraction with no purchase in holdout
  size_t customers = 0;
};
struct ChurnValidation {
  double auc = 0;                           // churn risk vs holdout inactivity
  std::vector<CalibrationBin> calibration;  // deciles of predicted P(no purchase)
  double mae_with_covariates = 0;           // holdout purchase count MAE
  double mae_without_covariates = 0;        // same, for Pareto/NBD without covariates
};

// Area under the ROC curve of `score` for the positives in `label` (ties count
// half). Throws Error::invalid_argument if either class is empty.
double roc_auc(const std::vector<double>& score, const std::vector<bool>& label);

// Scores every customer over a holdout of length `holdout_length` and compares
// with the purchases observed there (`holdout_purchases[i]`).
ChurnValidation validate_churn(const CovariateParetoNbd& model,
                               const std::vector<CustomerHistory>& customers,
                               const std::vector<double>& holdout_purchases, double holdout_length);

}  // namespace clv
