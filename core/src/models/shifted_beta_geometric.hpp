// Shifted-beta-geometric (sBG) contractual retention model (Fader & Hardie
// 2007, "How to Project Customer Retention"): each customer churns at the end
// of any period with probability theta ~ Beta(alpha, beta), so the churn
// period T has P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta) and
// survival S(t) = B(alpha, beta + t) / B(alpha, beta). Times are in periods
// (contract renewals).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/likelihood_model.hpp"

namespace clv {

struct SbgParams {
  double alpha = 0.0, beta = 0.0;
};

// A cohort: lost[t-1] customers churned in period t, censored[t-1] customers
// were still active after t periods and observed no longer.
struct SbgData {
  std::vector<double> lost;
  std::vector<double> censored;
};

// From a survivor curve survivors[0] (cohort size), survivors[1], ...,
// survivors[k]: those still active after k periods are censored at k.
SbgData sbg_data_from_survivors(const std::vector<double>& survivors);

// From per-customer (periods, churned) pairs: churned = true means lost in
// period `periods` (>= 1); false means still active after `periods` (>= 0).
SbgData sbg_data_from_customers(const std::vector<std::pair<int, bool>>& customers);

void validate_sbg_data(const SbgData& data);
void validate_sbg_params(const SbgParams& p);

// Log-likelihood of the cohort, optionally with the gradient with respect to
// (log alpha, log beta).
double sbg_log_likelihood(const SbgParams& p, const SbgData& data, double grad[2] = nullptr);

double sbg_churn_probability(const SbgParams& p, int t);  // P(T = t), t >= 1
double sbg_survival(const SbgParams& p, int t);           // S(t), t >= 0
double sbg_retention_rate(const SbgParams& p, int t);     // r(t) = S(t) / S(t-1), t >= 1

// Discounted expected residual lifetime (Fader & Hardie 2010) of a customer
// who has made `renewals` renewals (is in period n = renewals + 1): the
// expected discounted number of remaining payments sum_{t>=n} S(t | T > n-1)
// / (1 + d)^(t - n), the next one undiscounted; d = discount rate per period.
//   = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))
double sbg_derl(const SbgParams& p, int renewals, double discount_rate);

// Simulates a cohort of `customers` observed for `periods` periods.
SbgData simulate_sbg(const SbgParams& p, int customers, int periods, std::uint64_t seed);

// The LikelihoodModel for the MLE fitter; parameters alpha, beta.
class SbgModel : public LikelihoodModel {
 public:
  explicit SbgModel(SbgData data);

  const std::vector<std::string>& param_names() const override;
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return data_.lost.size() + data_.censored.size(); }

 private:
  SbgData data_;
  double n_customers_ = 0.0;
};

}  // namespace clv
