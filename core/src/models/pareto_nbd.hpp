// Pareto/NBD (Schmittlein, Morrison & Colombo 1987) in the formulation of
// Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
// Expressions": Poisson purchasing at rate lambda ~ Gamma(r, alpha) while
// alive, exponential lifetime with rate mu ~ Gamma(s, beta).
//
// All times (t_x, T, horizons) are in the time unit of the summary the model
// was fitted on; rates (alpha, beta, discount rate) are per that unit.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/likelihood_model.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

struct ParetoNbdParams {
  double r = 0.0, alpha = 0.0, s = 0.0, beta = 0.0;
};

// One (possibly collapsed) customer summary: x repeat purchases, the last at
// t_x, observed for T since the first purchase; weight = number of customers.
struct PnbdRow {
  double x = 0.0, t_x = 0.0, T = 0.0, weight = 1.0;
};

// Throws clv::Error::invalid_argument naming the first bad row.
void validate_pnbd_rows(const std::vector<PnbdRow>& rows);
void validate_pnbd_params(const ParetoNbdParams& p);

std::vector<PnbdRow> to_pnbd_rows(const RfmRows& rows);

// Merges rows with identical (x, t_x, T), summing weights (via collapse_rfm);
// order of first appearance is kept.
std::vector<PnbdRow> collapse_pnbd_rows(const std::vector<PnbdRow>& rows);

// Log-likelihood of one customer (weight ignored). Stable for alpha >= beta
// and alpha < beta (the 2F1 argument is always in [0, 1)), x in the
// thousands, t_x = T and t_x = 0.
double pnbd_log_likelihood(const ParetoNbdParams& p, double x, double t_x, double T);

// The same with the gradient with respect to (log r, log alpha, log s, log beta).
double pnbd_log_likelihood(const ParetoNbdParams& p, double x, double t_x, double T,
                           double grad[4]);

// P(alive at T | x, t_x, T).
double pnbd_p_alive(const ParetoNbdParams& p, double x, double t_x, double T);

// E[purchases in (T, T + t] | x, t_x, T).
double pnbd_conditional_expected(const ParetoNbdParams& p, double x, double t_x, double T,
                                 double t);

// The same for a customer known to be alive at T (multiply by P(alive) for
// the conditional expectation): (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)].
double pnbd_expected_if_alive(const ParetoNbdParams& p, double x, double T, double t);

// Discounted expected purchases over (T, T + horizon] for a customer alive at T:
// (r + x) / (alpha + T) * pnbd_discounted_survival_integral(s, beta + T, horizon, delta).
double pnbd_discounted_if_alive(const ParetoNbdParams& p, double x, double T, double horizon,
                                double discount_rate);

// E[X(t)] for a new customer over (0, t].
double pnbd_expected(const ParetoNbdParams& p, double t);

// P(X(t) = k) for a new customer, by adaptive Gauss-Kronrod quadrature over the
// death time (exact mixture representation, no alternating series).
double pnbd_probability_of_n(const ParetoNbdParams& p, double t, int k);

// Discounted expected residual transactions over (T, T + horizon] with
// continuous discount rate `discount_rate` per time unit (use log(1 + d) for a
// per-period rate d); horizon may be +infinity when discount_rate > 0.
//   DERT = P(alive) (r + x) / (alpha + T) * int_0^H exp(-delta t) ((beta+T)/(beta+T+t))^s dt
double pnbd_dert(const ParetoNbdParams& p, double x, double t_x, double T, double horizon,
                 double discount_rate);

// The lifetime integral above for one beta+T; exposed for caching and tests.
double pnbd_discounted_survival_integral(double s, double beta_plus_T, double horizon,
                                         double discount_rate);

// P(alive) with the 2F1 tail integrals memoised per distinct (x, t): a
// customer needs the tail at t_x and at T, and summaries from daily dates
// repeat both keys far more often than whole (x, t_x, T) rows. Parameters
// must stay the same for the cache's lifetime.
class PnbdAliveCache {
 public:
  double p_alive(const ParetoNbdParams& p, double x, double t_x, double T);

 private:
  // Per distinct (x, t): the log 2F1 tail at t and, once (x, t) has been a
  // customer's (x, T), log(died factor) - log(alive term) at T = t.
  struct Entry {
    double x = -1.0, t = 0.0;  // x = -1 marks an empty slot
    double log_tail = 0.0;
    double log_died_over_alive = std::numeric_limits<double>::quiet_NaN();
  };
  Entry& entry(const ParetoNbdParams& p, double x, double t);
  void grow();
  std::vector<Entry> slots_;  // open addressing, load factor <= 1/2
  size_t used_ = 0;
  double last_x_ = -1, last_tx_ = -1, last_T_ = -1, last_ = 0;
};

struct PnbdScore {
  double p_alive = 0.0;
  double expected_purchases = 0.0;  // over the horizon, undiscounted
  double dert = 0.0;                // discounted expected residual transactions
};

// Scores many customers; the lifetime integral is computed once per distinct T.
std::vector<PnbdScore> pnbd_score(const ParetoNbdParams& p, const std::vector<PnbdRow>& rows,
                                  double horizon, double discount_rate);

// Simulates one customer per entry of `observation_lengths` (their T), with a
// fixed seed. Purchase times are continuous; with time_step > 0 they are
// floored to that grid and purchases in the same grid cell count once (like
// daily transaction dates summarised in weeks: time_step = 1/7).
std::vector<PnbdRow> simulate_pnbd(const ParetoNbdParams& p,
                                   const std::vector<double>& observation_lengths,
                                   std::uint64_t seed, double time_step = 0.0);

// The LikelihoodModel the MLE fitter maximises; parameters r, alpha, s, beta.
class ParetoNbdModel : public LikelihoodModel {
 public:
  // Collapses identical rows; throws invalid_argument on bad rows.
  explicit ParetoNbdModel(const std::vector<PnbdRow>& rows, int threads = 0);
  // From already collapsed rows (models/rfm_rows.hpp, shared with BG/NBD).
  explicit ParetoNbdModel(const RfmRows& rows, int threads = 0);

  const std::vector<std::string>& param_names() const override;
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return rows_.size(); }
  // Distinct rows, sorted by (x, T, t_x) so per-x and per-(x, T) terms are
  // computed once per run.
  const std::vector<PnbdRow>& rows() const { return rows_; }

 private:
  void sort_for_caching();

  std::vector<PnbdRow> rows_;
  // The 2F1 tail integral depends on (x, t) only, and a row needs it at t_x
  // and at T: each distinct (x, t) of either kind is a tail key, computed once.
  // The alive and died factors depend on (x, T) only: one T key each.
  std::vector<std::pair<double, double>> tail_keys_, T_keys_;
  std::vector<uint32_t> row_tail_, row_T_;  // tail key at t_x and T key of each row
  std::vector<uint32_t> T_tail_;            // tail key at T of each T key
  // Index of each key's x among the distinct x values: the tails of one x are
  // compared on a common scale (see log_likelihood).
  std::vector<uint32_t> tail_group_, T_group_;
  size_t n_groups_ = 0;
  // Per-evaluation buffers, kept between evaluations: reallocating them costs
  // page faults on every call. Shared by copies; guarded by its own mutex.
  struct Workspace;
  std::shared_ptr<Workspace> workspace_;
  double n_customers_ = 0.0;
  int threads_ = 1;
};

}  // namespace clv
