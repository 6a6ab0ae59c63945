#include "models/bg_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "clv/error.hpp"
#include "math/hypergeometric.hpp"
#include "models/parallel_rows.hpp"

namespace clv {
namespace {

using boost::math::digamma;

// MBG/NBD's extra dropout opportunity at time 0 shifts b by one.
double shift(BgNbdVariant v) {
  return v == BgNbdVariant::kMbgNbd ? 1.0 : 0.0;
}

// Indexes each row's value into a table of distinct values, so terms that
// depend on x alone (lgamma, digamma) or T alone (log(alpha + T)) are computed
// once per distinct value, not per row.
void index_distinct(const std::vector<double>& values, std::vector<double>& distinct,
                    std::vector<uint32_t>& index) {
  std::unordered_map<double, uint32_t> seen;
  index.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    auto [it, inserted] = seen.try_emplace(values[i], static_cast<uint32_t>(distinct.size()));
    if (inserted) distinct.push_back(values[i]);
    index[i] = it->second;
  }
}

}  // namespace

void check_params(const BgNbdParams& p) {
  for (double v : {p.r, p.alpha, p.a, p.b}) {
    if (!(v > 0) || !std::isfinite(v)) {
      throw Error::invalid_argument(
          fmt::format("BG/NBD parameters must be finite and > 0 (got r={}, alpha={}, a={}, b={})",
                      p.r, p.alpha, p.a, p.b));
    }
  }
}

BgNbdLikelihood::BgNbdLikelihood(RfmRows rows, BgNbdVariant variant, int threads)
    : rows_(std::move(rows)), variant_(variant) {
  n_customers_ = rows_.total_weight();
  chunks_ = row_chunks(rows_.size(), threads);
  index_distinct(rows_.x, distinct_x_, x_index_);
  index_distinct(rows_.T, distinct_T_, T_index_);
  index_distinct(rows_.t_x, distinct_tx_, tx_index_);
  weight_of_x_.assign(distinct_x_.size(), 0.0);
  for (size_t i = 0; i < rows_.size(); ++i) weight_of_x_[x_index_[i]] += rows_.weight[i];
}

const std::vector<std::string>& BgNbdLikelihood::param_names() const {
  static const std::vector<std::string> names{"r", "alpha", "a", "b"};
  return names;
}

Eigen::VectorXd BgNbdLikelihood::start_params() const {
  // Purchase rate ~ repeat purchases per unit of observed time, with r = 1;
  // a = 1, b = 3 is a mild prior-like dropout probability of 1/4.
  double sum_x = 0, sum_T = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    sum_x += rows_.weight[i] * rows_.x[i];
    sum_T += rows_.weight[i] * rows_.T[i];
  }
  const double rate = std::max(sum_x, 0.1 * n_customers_) / std::max(sum_T, 1e-9);
  return Eigen::Vector4d(1.0, std::clamp(1.0 / rate, 1e-6, 1e9), 1.0, 3.0);
}

double BgNbdLikelihood::log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const {
  const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), a = std::exp(theta[2]),
               b = std::exp(theta[3]);
  const double m = shift(variant_);
  const bool modified = variant_ == BgNbdVariant::kMbgNbd;
  const double log_alpha = theta[1], log_a = theta[2];

  // Terms of x alone: A1 + A2 weighted by the customers with that x.
  double ll = 0, g_r = 0, g_alpha = 0, g_a = 0, g_b = 0;
  const double lg_r = std::lgamma(r), lg_b = std::lgamma(b), lg_ab = std::lgamma(a + b);
  const double dg_r = digamma(r), dg_b = digamma(b), dg_ab = digamma(a + b);
  std::vector<double> log_bx(distinct_x_.size()), inv_bx(distinct_x_.size());
  for (size_t k = 0; k < distinct_x_.size(); ++k) {
    const double x = distinct_x_[k], w = weight_of_x_[k];
    const double abxm = a + b + x + m;
    ll += w * (std::lgamma(r + x) - lg_r + r * log_alpha + lg_ab + std::lgamma(b + x + m) - lg_b -
               std::lgamma(abxm));
    if (grad) {
      const double dg_abxm = digamma(abxm);
      g_r += w * (digamma(r + x) - dg_r + log_alpha);
      g_alpha += w * r / alpha;
      g_a += w * (dg_ab - dg_abxm);
      g_b += w * (dg_ab + digamma(b + x + m) - dg_b - dg_abxm);
    }
    // Dropout term's b + x - 1 (BG/NBD, x > 0) or b + x (MBG/NBD).
    const double bx = b + x - 1.0 + m;
    log_bx[k] = bx > 0 ? std::log(bx) : 0.0;
    inv_bx[k] = bx > 0 ? 1.0 / bx : 0.0;
  }
  std::vector<double> log_aT(distinct_T_.size()), inv_aT(distinct_T_.size());
  for (size_t k = 0; k < distinct_T_.size(); ++k) {
    log_aT[k] = std::log(alpha + distinct_T_[k]);
    inv_aT[k] = 1.0 / (alpha + distinct_T_[k]);
  }
  // Daily data gives few distinct t_x too.
  std::vector<double> log_atx(distinct_tx_.size()), inv_atx(distinct_tx_.size());
  for (size_t k = 0; k < distinct_tx_.size(); ++k) {
    log_atx[k] = std::log(alpha + distinct_tx_[k]);
    inv_atx[k] = 1.0 / (alpha + distinct_tx_[k]);
  }

  // Per row: log(exp(A3) + [x > 0 or MBG] exp(A4)).
  std::vector<std::array<double, 5>> partial(chunks_, std::array<double, 5>{});
  for_row_chunks(rows_.size(), chunks_, [&](size_t begin, size_t end, int chunk) {
    double s_ll = 0, s_r = 0, s_alpha = 0, s_a = 0, s_b = 0;
    for (size_t i = begin; i < end; ++i) {
      const double x = rows_.x[i], w = rows_.weight[i];
      const uint32_t xi = x_index_[i], ti = T_index_[i];
      const double rx = r + x;
      const double a3 = -rx * log_aT[ti];
      if (x == 0 && !modified) {
        s_ll += w * a3;
        s_r -= w * log_aT[ti];
        s_alpha -= w * rx * inv_aT[ti];
        continue;
      }
      const uint32_t txi = tx_index_[i];
      const double a4 = log_a - log_bx[xi] - rx * log_atx[txi];
      // log(e^a3 + e^a4) with one exp and one log: e = e^(-|a3 - a4|).
      const double hi = std::max(a3, a4);
      const double e = std::exp(-std::abs(a3 - a4));
      s_ll += w * (hi + std::log1p(e));
      const double share_lo = e / (1.0 + e);  // weight of the smaller term
      const double w3 = w * (a3 >= a4 ? 1.0 - share_lo : share_lo), w4 = w - w3;
      s_r -= w3 * log_aT[ti] + w4 * log_atx[txi];
      s_alpha -= rx * (w3 * inv_aT[ti] + w4 * inv_atx[txi]);
      s_a += w4 / a;
      s_b -= w4 * inv_bx[xi];
    }
    partial[chunk] = {s_ll, s_r, s_alpha, s_a, s_b};
  });
  for (const auto& p : partial) {
    ll += p[0];
    g_r += p[1];
    g_alpha += p[2];
    g_a += p[3];
    g_b += p[4];
  }
  if (grad) {
    grad->resize(4);
    *grad << g_r * r, g_alpha * alpha, g_a * a, g_b * b;  // chain rule to log scale
  }
  if (std::isnan(ll)) return -std::numeric_limits<double>::infinity();
  return ll;
}

double bgnbd_p_alive(const BgNbdParams& p, BgNbdVariant v, double x, double t_x, double T) {
  if (x == 0 && v == BgNbdVariant::kBgNbd) return 1.0;
  const double m = shift(v);
  // 1 / (1 + a/(b+x-1+m) * ((alpha+T)/(alpha+t_x))^(r+x)), in log space.
  const double log_odds = std::log(p.a / (p.b + x - 1.0 + m)) +
                          (p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
  return 1.0 / (1.0 + std::exp(log_odds));
}

namespace {

// d/ds E[Y(s) | alive at T] = (r'/alpha') 2F1(r'+1, a; a+b'; -s/alpha'), the
// posterior mean of lambda e^(-lambda p s) with lambda ~ Gamma(r+x, alpha+T),
// p ~ Beta(a, b + x + m). Pfaff's transformation maps the negative argument
// into [0, 1) with all-positive parameters:
// 2F1(r'+1, a; a+b'; -u) = (1+u)^-(r'+1) 2F1(r'+1, b'; a+b'; u/(1+u)).
struct AliveRate {
  double r1, alpha1, a, b1;
  double operator()(double s) const {
    const double u = s / alpha1;
    return r1 / alpha1 *
           std::exp(math::log_hyp2f1_value(r1 + 1.0, b1, a + b1, u / (1.0 + u)) -
                    (r1 + 1.0) * std::log1p(u));
  }
};

double integrate(const AliveRate& rate, double delta, double horizon) {
  if (horizon <= 0) return 0.0;
  auto f = [&](double s) { return std::exp(-delta * s) * rate(s); };
  double error = 0;
  const double value = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
      f, 0.0, horizon, 12, 1e-11, &error);
  if (!std::isfinite(value)) throw Error::internal("BG/NBD residual-purchase integral not finite");
  return value;
}

}  // namespace

double bgnbd_expected_purchases_if_alive(const BgNbdParams& p, BgNbdVariant v, double x, double T,
                                         double t) {
  if (!(t >= 0)) throw Error::invalid_argument("prediction horizon t must be >= 0");
  if (t == 0) return 0.0;
  const double r1 = p.r + x, alpha1 = p.alpha + T, b1 = p.b + x + shift(v);
  const double c = p.a + b1 - 1.0;
  // Closed form (FHL eq. 10 without the P(alive) factor); it cancels when
  // a ~ 1 and needs c > 0, so those cases integrate the rate instead.
  if (std::abs(p.a - 1.0) > 1e-3 && c > 0.5) {
    const double z = t / (alpha1 + t);
    // All 2F1 parameters are positive here (c > 0.5), so the series has no sign changes.
    const double tail = std::exp(math::log_hyp2f1_value(r1, b1, c, z) + r1 * std::log1p(-z));
    const double value = c / (p.a - 1.0) * (1.0 - tail);
    if (std::isfinite(value) && value >= 0) return value;
  }
  return integrate(AliveRate{r1, alpha1, p.a, b1}, 0.0, t);
}

double bgnbd_discounted_purchases_if_alive(const BgNbdParams& p, BgNbdVariant v, double x, double T,
                                           double horizon, double delta) {
  if (!(delta >= 0) || !std::isfinite(delta)) {
    throw Error::invalid_argument("discount rate must be finite and >= 0");
  }
  if (delta == 0) return bgnbd_expected_purchases_if_alive(p, v, x, T, horizon);
  return integrate(AliveRate{p.r + x, p.alpha + T, p.a, p.b + x + shift(v)}, delta, horizon);
}

double bgnbd_conditional_expected_purchases(const BgNbdParams& p, BgNbdVariant v, double x,
                                            double t_x, double T, double t) {
  return bgnbd_p_alive(p, v, x, t_x, T) * bgnbd_expected_purchases_if_alive(p, v, x, T, t);
}

double bgnbd_expected_purchases(const BgNbdParams& p, BgNbdVariant v, double t) {
  // A new customer is alive at 0 with probability 1 (BG/NBD) or b/(a+b) (MBG/NBD).
  const double alive = v == BgNbdVariant::kMbgNbd ? p.b / (p.a + p.b) : 1.0;
  return alive * bgnbd_expected_purchases_if_alive(p, v, 0.0, 0.0, t);
}

double bgnbd_probability_of_purchases(const BgNbdParams& p, BgNbdVariant v, double t, int k) {
  if (k < 0) return 0.0;
  if (!(t > 0)) return k == 0 ? 1.0 : 0.0;  // nothing can happen in zero time
  const double m = shift(v), x = k;
  const double log_beta_ab = std::lgamma(p.a) + std::lgamma(p.b) - std::lgamma(p.a + p.b);
  const auto log_beta = [](double u, double w) {
    return std::lgamma(u) + std::lgamma(w) - std::lgamma(u + w);
  };
  const double q = p.alpha / (p.alpha + t);
  // NBD(k): P(k purchases in t | alive throughout), mixed over lambda.
  const double log_nbd = std::lgamma(p.r + x) - std::lgamma(p.r) - std::lgamma(x + 1.0) +
                         p.r * std::log(q) + x * std::log1p(-q);
  double prob = std::exp(log_beta(p.a, p.b + x + m) - log_beta_ab + log_nbd);
  if (k == 0 && v == BgNbdVariant::kMbgNbd) prob += p.a / (p.a + p.b);  // dead at time 0
  if (k > 0) {
    // Died right after the k-th purchase, which happened before t:
    // P(NBD >= k) = I_{1-q}(k, r) (regularized incomplete beta).
    const double at_least_k = boost::math::ibeta(x, p.r, 1.0 - q);
    prob += std::exp(log_beta(p.a + 1.0, p.b + x - 1.0 + m) - log_beta_ab) * at_least_k;
  }
  return prob;
}

SimulatedRfm simulate_bgnbd(const BgNbdParams& p, BgNbdVariant v, const std::vector<double>& T,
                            uint64_t seed, double granularity, double holdout) {
  check_params(p);
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> rate_dist(p.r, 1.0 / p.alpha), ga(p.a, 1.0), gb(p.b, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  SimulatedRfm out;
  out.x.resize(T.size());
  out.t_x.resize(T.size());
  out.T = T;
  if (holdout > 0) out.x_holdout.assign(T.size(), 0.0);
  for (size_t i = 0; i < T.size(); ++i) {
    const double lambda = rate_dist(rng);
    const double ua = ga(rng), ub = gb(rng);
    const double drop = ua / (ua + ub);
    double t = 0, last = 0;
    int x = 0, future = 0;
    const bool dead_at_start = v == BgNbdVariant::kMbgNbd && unif(rng) < drop;
    if (!dead_at_start && lambda > 0) {
      std::exponential_distribution<double> gap(lambda);
      while (true) {
        t += gap(rng);
        if (t > T[i] + holdout) break;
        if (t > T[i]) {
          ++future;
        } else {
          ++x;
          last = t;
        }
        if (unif(rng) < drop) break;
      }
    }
    if (granularity > 0) last = std::floor(last / granularity) * granularity;
    out.x[i] = x;
    if (holdout > 0) out.x_holdout[i] = future;
    out.t_x[i] = x > 0 ? std::min(last, T[i]) : 0.0;
  }
  return out;
}

}  // namespace clv
