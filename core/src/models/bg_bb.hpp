// BG/BB (Fader, Hardie & Shang 2010, "Customer-Base Analysis in a
// Discrete-Time Noncontractual Setting"): at each of n discrete transaction
// opportunities a living customer transacts with probability p ~ Beta(alpha,
// beta) and, at the start of each opportunity, dies with probability
// theta ~ Beta(gamma, delta). Times are counted in opportunities (periods).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/likelihood_model.hpp"

namespace clv {

struct BgBbParams {
  double alpha = 0.0, beta = 0.0, gamma = 0.0, delta = 0.0;
};

// x transactions in n opportunities, the last at opportunity t_x (0 if x = 0);
// weight = number of customers with this pattern (donations: 22 patterns).
struct BgBbRow {
  double x = 0.0, t_x = 0.0, n = 0.0, weight = 1.0;
};

// Throws clv::Error::invalid_argument naming the first bad row.
void validate_bgbb_rows(const std::vector<BgBbRow>& rows);
void validate_bgbb_params(const BgBbParams& p);

// Log-likelihood of one pattern (weight ignored), and with the gradient with
// respect to (log alpha, log beta, log gamma, log delta).
double bgbb_log_likelihood(const BgBbParams& p, double x, double t_x, double n);
double bgbb_log_likelihood(const BgBbParams& p, double x, double t_x, double n, double grad[4]);

// P(alive at opportunity n + 1 | x, t_x, n).
double bgbb_p_alive(const BgBbParams& p, double x, double t_x, double n);

// E[transactions in opportunities n+1 .. n+future | x, t_x, n].
double bgbb_conditional_expected(const BgBbParams& p, double x, double t_x, double n, int future);

// Alive-conditional parts for scorers: with P(alive at n + 1) from
// bgbb_p_alive, p_alive * bgbb_expected_if_alive = bgbb_conditional_expected.
// `future` is floored to whole periods; discounting is e^(-delta k) for the
// purchase at opportunity n + k (delta = continuous rate per period).
double bgbb_expected_if_alive(const BgBbParams& p, double x, double n, double future);
double bgbb_discounted_if_alive(const BgBbParams& p, double x, double n, double future,
                                double delta);

// E[X(n)] for a new customer over opportunities 1..n.
double bgbb_expected(const BgBbParams& p, int n);

// P(X(n) = x) for a new customer: x transactions in opportunities 1..n
// (Fader, Hardie & Shang 2010, eq. 8). 0 for x < 0 or x > n.
double bgbb_probability_of_purchases(const BgBbParams& p, int n, int x);

// Discounted expected residual transactions: sum over k >= 1 of
// P(transaction at n + k | data) / (1 + d)^k, d = discount rate per period.
// horizon < 0 (default) means all future periods (closed form with 2F1);
// otherwise the first `horizon` future periods.
double bgbb_dert(const BgBbParams& p, double x, double t_x, double n, double discount_rate,
                 int horizon = -1);

// Simulates one customer per entry of `opportunities` with a fixed seed.
std::vector<BgBbRow> simulate_bgbb(const BgBbParams& p, const std::vector<int>& opportunities,
                                   std::uint64_t seed);

// Merges identical (x, t_x, n) patterns, summing weights.
std::vector<BgBbRow> collapse_bgbb_rows(const std::vector<BgBbRow>& rows);

// The LikelihoodModel for the MLE fitter; parameters alpha, beta, gamma, delta.
class BgBbModel : public LikelihoodModel {
 public:
  explicit BgBbModel(const std::vector<BgBbRow>& rows);

  const std::vector<std::string>& param_names() const override;
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return rows_.size(); }
  const std::vector<BgBbRow>& rows() const { return rows_; }

 private:
  std::vector<BgBbRow> rows_;
  double n_customers_ = 0.0;
};

}  // namespace clv
