// BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin
// 2007): Poisson purchasing with rate lambda ~ Gamma(r, alpha) while alive;
// after each purchase the customer drops out with probability p ~ Beta(a, b).
// MBG/NBD also allows dropout right after the first purchase (time 0), so
// customers with x = 0 may be dead. Times are in the summary's time unit.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "models/likelihood_model.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

enum class BgNbdVariant { kBgNbd, kMbgNbd };

struct BgNbdParams {
  double r = 0, alpha = 0, a = 0, b = 0;
};

// Throws Error::invalid_argument unless all four are finite and > 0.
void check_params(const BgNbdParams& p);

class BgNbdLikelihood : public LikelihoodModel {
 public:
  // `threads` = 0 uses all cores (only when there are enough rows to pay).
  BgNbdLikelihood(RfmRows rows, BgNbdVariant variant, int threads = 0);

  const std::vector<std::string>& param_names() const override;
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const override;
  bool hessian(const Eigen::VectorXd& log_params, Eigen::MatrixXd& h) const override;
  bool has_hessian() const override { return true; }
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return rows_.size(); }

 private:
  // log(alpha + v) and 1 / (alpha + v) for the distinct T and t_x.
  struct LogTerms {
    double alpha = -1;  // the alpha they were computed for; -1 = none
    std::vector<double> log_aT, inv_aT, log_atx, inv_atx;
  };
  // Fills `terms` for alpha unless it already holds them (the Hessian after
  // the gradient pass at the same point).
  void log_terms(double alpha, LogTerms& terms) const;

  RfmRows rows_;
  BgNbdVariant variant_;
  int chunks_;
  double n_customers_;
  std::vector<double> distinct_x_, distinct_T_, distinct_tx_, weight_of_x_;
  std::vector<uint32_t> x_index_, T_index_, tx_index_;
  // The per-T logs of the last pass, reused by the next (no reallocation of
  // four vectors of a million values per pass). One pass at a time holds
  // them; a concurrent pass on the same object uses its own.
  mutable std::mutex terms_mutex_;
  mutable LogTerms terms_;
};

// Per-customer predictions; (x, t_x, T) as in the summary.
double bgnbd_p_alive(const BgNbdParams& p, BgNbdVariant v, double x, double t_x, double T);

// E[X(t)] for a new customer over (0, t], and P(X(t) = k).
double bgnbd_expected_purchases(const BgNbdParams& p, BgNbdVariant v, double t);
double bgnbd_probability_of_purchases(const BgNbdParams& p, BgNbdVariant v, double t, int k);

// Expected purchases in (T, T + t] of a customer who is alive at T, and the
// same discounted continuously at rate delta per time unit:
// integral_0^H e^(-delta s) dE[Y(s) | alive] / ds ds. Both depend on x and T
// only (not t_x), so scoring caches them per (x, T); multiply by P(alive).
double bgnbd_expected_purchases_if_alive(const BgNbdParams& p, BgNbdVariant v, double x, double T,
                                         double t);
double bgnbd_discounted_purchases_if_alive(const BgNbdParams& p, BgNbdVariant v, double x, double T,
                                           double horizon, double delta);

// E[Y(t) | x, t_x, T] = P(alive) * expected_purchases_if_alive (FHL eq. 10).
double bgnbd_conditional_expected_purchases(const BgNbdParams& p, BgNbdVariant v, double x,
                                            double t_x, double T, double t);

// Simulates customers with the given observation lengths T (fixed seed).
// `granularity` > 0 rounds purchase times down to multiples of it (e.g. 1/7
// week for daily dates); 0 keeps continuous times.
// With `holdout` > 0 the customers are followed for that much longer and
// x_holdout counts their purchases in (T, T + holdout].
struct SimulatedRfm {
  std::vector<double> x, t_x, T, x_holdout;
};
SimulatedRfm simulate_bgnbd(const BgNbdParams& p, BgNbdVariant v, const std::vector<double>& T,
                            uint64_t seed, double granularity = 0.0, double holdout = 0.0);

}  // namespace clv
