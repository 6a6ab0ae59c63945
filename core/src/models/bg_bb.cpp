#include "models/bg_bb.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "clv/error.hpp"
#include "math/dual.hpp"
#include "math/hypergeometric.hpp"
#include "math/log_sum_exp.hpp"

namespace clv {
namespace {

using math::log_beta;
using Grad = math::Dual<4>;

void require(bool ok, const std::string& message) {
  if (!ok) throw Error::invalid_argument(message);
}

// log P(data) for one pattern: alive through all n opportunities, or died at
// the start of opportunity t_x + i + 1 (i = 0 .. n - t_x - 1).
template <class S>
S row_log_likelihood(const S& alpha, const S& beta, const S& gamma, const S& delta, double x,
                     double t_x, double n) {
  const S lb_ab = log_beta(alpha, beta), lb_gd = log_beta(gamma, delta);
  S total = log_beta(alpha + x, beta + (n - x)) - lb_ab + log_beta(gamma, delta + n) - lb_gd;
  const int died_terms = static_cast<int>(n - t_x);
  for (int i = 0; i < died_terms; ++i) {
    const S term = log_beta(alpha + x, beta + (t_x - x + i)) - lb_ab +
                   log_beta(gamma + 1.0, delta + (t_x + i)) - lb_gd;
    total = math::log_add_exp(total, term);
  }
  return total;
}

Grad log_param(double value, int index) {
  Grad g = Grad::variable(value, index);
  g.d[index] = value;
  return g;
}

// log P(transacting at opportunity n + 1 while alive, jointly with the data)
// without the death part: B(alpha+x+1, beta+n-x) / B(alpha, beta).
double log_next_purchase_factor(const BgBbParams& p, double x, double n) {
  return log_beta(p.alpha + x + 1.0, p.beta + n - x) - log_beta(p.alpha, p.beta);
}

}  // namespace

void validate_bgbb_params(const BgBbParams& p) {
  for (double v : {p.alpha, p.beta, p.gamma, p.delta}) {
    require(std::isfinite(v) && v > 0.0,
            "BG/BB parameters alpha, beta, gamma, delta must be finite and > 0");
  }
}

void validate_bgbb_rows(const std::vector<BgBbRow>& rows) {
  require(!rows.empty(), "BG/BB needs at least one row");
  for (size_t i = 0; i < rows.size(); ++i) {
    const BgBbRow& w = rows[i];
    const std::string where = "row " + std::to_string(i + 1) + ": ";
    require(
        std::isfinite(w.x) && std::isfinite(w.t_x) && std::isfinite(w.n) && std::isfinite(w.weight),
        where + "frequency, recency, periods and weight must be finite");
    require(w.x == std::floor(w.x) && w.t_x == std::floor(w.t_x) && w.n == std::floor(w.n),
            where + "frequency, recency and periods must be whole numbers of periods");
    require(w.n >= 1.0, where + "periods must be >= 1");
    require(w.x >= 0.0 && w.x <= w.t_x && w.t_x <= w.n,
            where + "need 0 <= frequency <= recency <= periods");
    require(w.x > 0.0 || w.t_x == 0.0, where + "recency must be 0 when frequency is 0");
    require(w.weight > 0.0, where + "weight must be > 0");
  }
}

std::vector<BgBbRow> collapse_bgbb_rows(const std::vector<BgBbRow>& rows) {
  std::map<std::array<double, 3>, size_t> index;
  std::vector<BgBbRow> out;
  for (const BgBbRow& w : rows) {
    auto [it, inserted] = index.try_emplace({w.x, w.t_x, w.n}, out.size());
    if (inserted) {
      out.push_back(w);
    } else {
      out[it->second].weight += w.weight;
    }
  }
  return out;
}

double bgbb_log_likelihood(const BgBbParams& p, double x, double t_x, double n) {
  return row_log_likelihood<double>(p.alpha, p.beta, p.gamma, p.delta, x, t_x, n);
}

double bgbb_log_likelihood(const BgBbParams& p, double x, double t_x, double n, double grad[4]) {
  const Grad ll = row_log_likelihood(log_param(p.alpha, 0), log_param(p.beta, 1),
                                     log_param(p.gamma, 2), log_param(p.delta, 3), x, t_x, n);
  for (int i = 0; i < 4; ++i) grad[i] = ll.d[i];
  return ll.v;
}

double bgbb_p_alive(const BgBbParams& p, double x, double t_x, double n) {
  const double log_alive = log_beta(p.alpha + x, p.beta + n - x) - log_beta(p.alpha, p.beta) +
                           log_beta(p.gamma, p.delta + n + 1.0) - log_beta(p.gamma, p.delta);
  return std::exp(log_alive - bgbb_log_likelihood(p, x, t_x, n));
}

double bgbb_conditional_expected(const BgBbParams& p, double x, double t_x, double n, int future) {
  // Sum over k of P(alive through n + k and transact there | data); exact for
  // every gamma (the closed form divides by gamma - 1).
  const double log_front = log_next_purchase_factor(p, x, n) - bgbb_log_likelihood(p, x, t_x, n) -
                           log_beta(p.gamma, p.delta);
  double sum = 0.0;
  for (int k = 1; k <= future; ++k) {
    sum += std::exp(log_front + log_beta(p.gamma, p.delta + n + k));
  }
  return sum;
}

double bgbb_discounted_if_alive(const BgBbParams& p, double x, double n, double future,
                                double delta) {
  // E[p | data, alive] = (alpha + x) / (alpha + beta + n); survival from n + 1
  // to n + k given alive at n + 1 is B(gamma, delta + n + k) / B(gamma, delta + n + 1).
  const double periods = std::floor(future);
  const double log_base =
      std::log((p.alpha + x) / (p.alpha + p.beta + n)) - log_beta(p.gamma, p.delta + n + 1.0);
  double sum = 0.0;
  for (int k = 1; k <= periods; ++k) {
    sum += std::exp(log_base + log_beta(p.gamma, p.delta + n + k) - delta * k);
  }
  return sum;
}

double bgbb_expected_if_alive(const BgBbParams& p, double x, double n, double future) {
  return bgbb_discounted_if_alive(p, x, n, future, 0.0);
}

double bgbb_expected(const BgBbParams& p, int n) {
  double sum = 0.0;
  for (int k = 1; k <= n; ++k) {
    sum += std::exp(log_beta(p.gamma, p.delta + k) - log_beta(p.gamma, p.delta));
  }
  return p.alpha / (p.alpha + p.beta) * sum;
}

double bgbb_probability_of_purchases(const BgBbParams& p, int n, int x) {
  require(n >= 0, "P(X(n)=x) needs n >= 0 opportunities");
  if (x < 0 || x > n) return 0.0;
  const double lb_ab = log_beta(p.alpha, p.beta), lb_gd = log_beta(p.gamma, p.delta);
  const auto log_choose = [](double m, double k) {
    return std::lgamma(m + 1.0) - std::lgamma(k + 1.0) - std::lgamma(m - k + 1.0);
  };
  const double xd = x, nd = n;
  // Alive through all n opportunities, x transactions among them ...
  double prob = std::exp(log_choose(nd, xd) + log_beta(p.alpha + xd, p.beta + nd - xd) - lb_ab +
                         log_beta(p.gamma, p.delta + nd) - lb_gd);
  // ... or died at the start of opportunity i + 1 after x transactions in 1..i.
  for (int i = x; i < n; ++i) {
    const double id = i;
    prob += std::exp(log_choose(id, xd) + log_beta(p.alpha + xd, p.beta + id - xd) - lb_ab +
                     log_beta(p.gamma + 1.0, p.delta + id) - lb_gd);
  }
  return prob;
}

double bgbb_dert(const BgBbParams& p, double x, double t_x, double n, double discount_rate,
                 int horizon) {
  require(std::isfinite(discount_rate) && discount_rate > -1.0,
          "discount rate per period must be > -1");
  const double log_front = log_next_purchase_factor(p, x, n) - bgbb_log_likelihood(p, x, t_x, n) -
                           log_beta(p.gamma, p.delta);
  const double log_v = -std::log1p(discount_rate);
  if (horizon >= 0) {
    double sum = 0.0;
    for (int k = 1; k <= horizon; ++k) {
      sum += std::exp(log_front + log_beta(p.gamma, p.delta + n + k) + k * log_v);
    }
    return sum;
  }
  require(discount_rate > 0.0, "an unlimited horizon needs a discount rate > 0");
  // sum_k B(gamma, delta+n+k) v^k = B(gamma, delta+n+1) v 2F1(1, delta+n+1; gamma+delta+n+1; v)
  const double b = p.delta + n + 1.0;
  return std::exp(log_front + log_beta(p.gamma, b) + log_v +
                  math::log_hyp2f1_value(1.0, b, p.gamma + b, std::exp(log_v)));
}

std::vector<BgBbRow> simulate_bgbb(const BgBbParams& p, const std::vector<int>& opportunities,
                                   std::uint64_t seed) {
  validate_bgbb_params(p);
  std::mt19937_64 rng(seed);
  auto draw_beta = [&rng](double a, double b) {
    const double ga = std::gamma_distribution<double>(a, 1.0)(rng);
    const double gb = std::gamma_distribution<double>(b, 1.0)(rng);
    return ga / (ga + gb);
  };
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<BgBbRow> out;
  out.reserve(opportunities.size());
  for (int n : opportunities) {
    require(n >= 1, "every simulated customer needs >= 1 opportunity");
    const double prob = draw_beta(p.alpha, p.beta), theta = draw_beta(p.gamma, p.delta);
    BgBbRow row{0.0, 0.0, static_cast<double>(n), 1.0};
    for (int t = 1; t <= n; ++t) {
      if (unit(rng) < theta) break;  // dies at the start of opportunity t
      if (unit(rng) < prob) {
        row.x += 1.0;
        row.t_x = t;
      }
    }
    out.push_back(row);
  }
  return out;
}

BgBbModel::BgBbModel(const std::vector<BgBbRow>& rows) {
  validate_bgbb_rows(rows);
  rows_ = collapse_bgbb_rows(rows);
  for (const BgBbRow& w : rows_) n_customers_ += w.weight;
}

const std::vector<std::string>& BgBbModel::param_names() const {
  static const std::vector<std::string> names{"alpha", "beta", "gamma", "delta"};
  return names;
}

Eigen::VectorXd BgBbModel::start_params() const {
  // Transaction probability from the observed rate, uninformative Beta
  // weights (sum 2) for p and theta.
  double sum_x = 0.0, sum_n = 0.0;
  for (const BgBbRow& w : rows_) {
    sum_x += w.weight * w.x;
    sum_n += w.weight * w.n;
  }
  const double rate = std::clamp(sum_x / sum_n, 0.05, 0.95);
  Eigen::VectorXd start(4);
  start << 2.0 * rate, 2.0 * (1.0 - rate), 1.0, 1.0;
  return start;
}

double BgBbModel::log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const {
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  const double a = std::exp(log_params[0]), b = std::exp(log_params[1]),
               g = std::exp(log_params[2]), d = std::exp(log_params[3]);
  if (grad) grad->setZero(4);
  for (double v : {a, b, g, d}) {
    if (!(std::isfinite(v) && v > 0.0)) return kNegInf;
  }
  double total = 0.0;
  std::array<double, 4> sum{};
  if (grad) {
    const Grad ga = log_param(a, 0), gb = log_param(b, 1), gg = log_param(g, 2),
               gd = log_param(d, 3);
    for (const BgBbRow& w : rows_) {
      const Grad ll = row_log_likelihood(ga, gb, gg, gd, w.x, w.t_x, w.n);
      total += w.weight * ll.v;
      for (int k = 0; k < 4; ++k) sum[k] += w.weight * ll.d[k];
    }
  } else {
    for (const BgBbRow& w : rows_) {
      total += w.weight * row_log_likelihood<double>(a, b, g, d, w.x, w.t_x, w.n);
    }
  }
  if (!std::isfinite(total)) return kNegInf;
  if (grad) {
    for (int k = 0; k < 4; ++k) {
      if (!std::isfinite(sum[k])) return kNegInf;
      (*grad)[k] = sum[k];
    }
  }
  return total;
}

}  // namespace clv
