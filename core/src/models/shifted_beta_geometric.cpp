#include "models/shifted_beta_geometric.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "clv/error.hpp"
#include "math/dual.hpp"
#include "math/hypergeometric.hpp"
#include "math/log_sum_exp.hpp"

namespace clv {
namespace {

using math::log_beta;
using Grad = math::Dual<2>;

void require(bool ok, const std::string& message) {
  if (!ok) throw Error::invalid_argument(message);
}

template <class S>
S cohort_log_likelihood(const S& alpha, const S& beta, const SbgData& data) {
  const S lb = log_beta(alpha, beta);
  S total(0.0);
  for (size_t i = 0; i < data.lost.size(); ++i) {
    if (data.lost[i] == 0.0) continue;
    const double t = static_cast<double>(i + 1);
    total += data.lost[i] * (log_beta(alpha + 1.0, beta + (t - 1.0)) - lb);
  }
  for (size_t i = 0; i < data.censored.size(); ++i) {
    if (data.censored[i] == 0.0) continue;
    const double t = static_cast<double>(i + 1);
    total += data.censored[i] * (log_beta(alpha, beta + t) - lb);
  }
  return total;
}

Grad log_param(double value, int index) {
  Grad g = Grad::variable(value, index);
  g.d[index] = value;
  return g;
}

}  // namespace

SbgData sbg_data_from_survivors(const std::vector<double>& survivors) {
  require(survivors.size() >= 2, "an sBG survivor curve needs the cohort size and >= 1 period");
  SbgData data;
  for (size_t t = 1; t < survivors.size(); ++t) {
    require(std::isfinite(survivors[t]) && survivors[t] >= 0.0 && survivors[t] <= survivors[t - 1],
            "survivor counts must be finite, >= 0 and non-increasing (period " + std::to_string(t) +
                ")");
    data.lost.push_back(survivors[t - 1] - survivors[t]);
  }
  data.censored.assign(data.lost.size(), 0.0);
  data.censored.back() = survivors.back();
  return data;
}

SbgData sbg_data_from_customers(const std::vector<std::pair<int, bool>>& customers) {
  SbgData data;
  for (size_t i = 0; i < customers.size(); ++i) {
    const auto [periods, churned] = customers[i];
    require(periods >= (churned ? 1 : 0),
            "customer " + std::to_string(i + 1) +
                ": periods must be >= 1 for a churned and >= 0 for an active customer");
    if (periods == 0) continue;  // active but not yet through one period: no information
    const size_t t = static_cast<size_t>(periods);
    if (data.lost.size() < t) {
      data.lost.resize(t, 0.0);
      data.censored.resize(t, 0.0);
    }
    (churned ? data.lost : data.censored)[t - 1] += 1.0;
  }
  return data;
}

void validate_sbg_data(const SbgData& data) {
  require(data.lost.size() == data.censored.size(),
          "sBG data: lost and censored must cover the same periods");
  double total = 0.0;
  for (size_t i = 0; i < data.lost.size(); ++i) {
    require(std::isfinite(data.lost[i]) && data.lost[i] >= 0.0 && std::isfinite(data.censored[i]) &&
                data.censored[i] >= 0.0,
            "sBG data: counts must be finite and >= 0 (period " + std::to_string(i + 1) + ")");
    total += data.lost[i] + data.censored[i];
  }
  require(total > 0.0, "sBG data: no customers observed for at least one period");
}

void validate_sbg_params(const SbgParams& p) {
  require(std::isfinite(p.alpha) && p.alpha > 0.0 && std::isfinite(p.beta) && p.beta > 0.0,
          "sBG parameters alpha, beta must be finite and > 0");
}

double sbg_log_likelihood(const SbgParams& p, const SbgData& data, double grad[2]) {
  if (!grad) return cohort_log_likelihood<double>(p.alpha, p.beta, data);
  const Grad ll = cohort_log_likelihood(log_param(p.alpha, 0), log_param(p.beta, 1), data);
  grad[0] = ll.d[0];
  grad[1] = ll.d[1];
  return ll.v;
}

double sbg_churn_probability(const SbgParams& p, int t) {
  require(t >= 1, "churn period must be >= 1");
  return std::exp(log_beta(p.alpha + 1.0, p.beta + t - 1.0) - log_beta(p.alpha, p.beta));
}

double sbg_survival(const SbgParams& p, int t) {
  require(t >= 0, "survival time must be >= 0");
  return std::exp(log_beta(p.alpha, p.beta + t) - log_beta(p.alpha, p.beta));
}

double sbg_retention_rate(const SbgParams& p, int t) {
  require(t >= 1, "retention period must be >= 1");
  return (p.beta + t - 1.0) / (p.alpha + p.beta + t - 1.0);
}

double sbg_derl(const SbgParams& p, int renewals, double discount_rate) {
  validate_sbg_params(p);
  require(renewals >= 0, "renewals must be >= 0");
  require(std::isfinite(discount_rate) && discount_rate > 0.0,
          "DERL needs a discount rate per period > 0");
  const double n = renewals + 1.0;
  const double first = (p.beta + n - 1.0) / (p.alpha + p.beta + n - 1.0);
  return first * std::exp(math::log_hyp2f1_value(1.0, p.beta + n, p.alpha + p.beta + n,
                                                 1.0 / (1.0 + discount_rate)));
}

SbgData simulate_sbg(const SbgParams& p, int customers, int periods, std::uint64_t seed) {
  validate_sbg_params(p);
  require(customers >= 1 && periods >= 1, "simulate at least one customer for one period");
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> ga(p.alpha, 1.0), gb(p.beta, 1.0);
  SbgData data{std::vector<double>(periods, 0.0), std::vector<double>(periods, 0.0)};
  for (int i = 0; i < customers; ++i) {
    const double a = ga(rng), theta = a / (a + gb(rng));
    // Churn period is geometric on {1, 2, ...} with success probability theta.
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const double t = theta >= 1.0 ? 1.0 : std::ceil(std::log1p(-u) / std::log1p(-theta));
    if (t >= 1.0 && t <= periods) {
      data.lost[static_cast<size_t>(t) - 1] += 1.0;
    } else if (t > periods) {
      data.censored[periods - 1] += 1.0;
    } else {
      data.lost[0] += 1.0;  // u = 0 edge case
    }
  }
  return data;
}

SbgModel::SbgModel(SbgData data) : data_(std::move(data)) {
  validate_sbg_data(data_);
  for (size_t i = 0; i < data_.lost.size(); ++i) n_customers_ += data_.lost[i] + data_.censored[i];
}

const std::vector<std::string>& SbgModel::param_names() const {
  static const std::vector<std::string> names{"alpha", "beta"};
  return names;
}

Eigen::VectorXd SbgModel::start_params() const {
  // Match the first-period churn rate with alpha + beta = 2 (mean of theta).
  const double first = std::clamp(data_.lost[0] / n_customers_, 0.05, 0.95);
  Eigen::VectorXd start(2);
  start << 2.0 * first, 2.0 * (1.0 - first);
  return start;
}

double SbgModel::log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const {
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  const SbgParams p{std::exp(log_params[0]), std::exp(log_params[1])};
  if (grad) grad->setZero(2);
  if (!(std::isfinite(p.alpha) && p.alpha > 0 && std::isfinite(p.beta) && p.beta > 0)) {
    return kNegInf;
  }
  double g[2] = {0.0, 0.0};
  const double ll = sbg_log_likelihood(p, data_, grad ? g : nullptr);
  if (!std::isfinite(ll) || !std::isfinite(g[0]) || !std::isfinite(g[1])) return kNegInf;
  if (grad) *grad << g[0], g[1];
  return ll;
}

}  // namespace clv
