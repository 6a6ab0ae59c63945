#include "models/bg_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "clv/error.hpp"
#include "math/hypergeometric.hpp"
#include "models/distinct_index.hpp"
#include "models/parallel_rows.hpp"

namespace clv {
namespace {

using boost::math::digamma;

// MBG/NBD's extra dropout opportunity at time 0 shifts b by one.
double shift(BgNbdVariant v) {
  return v == BgNbdVariant::kMbgNbd ? 1.0 : 0.0;
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
  // The three indexes are independent: T's (the largest, almost one value per
  // row in fractional weeks) on a second thread when there are rows enough.
  if (chunks_ > 1) {
    std::thread by_T([this] { index_distinct(rows_.T, distinct_T_, T_index_); });
    index_distinct(rows_.x, distinct_x_, x_index_);
    index_distinct(rows_.t_x, distinct_tx_, tx_index_);
    by_T.join();
  } else {
    index_distinct(rows_.x, distinct_x_, x_index_);
    index_distinct(rows_.T, distinct_T_, T_index_);
    index_distinct(rows_.t_x, distinct_tx_, tx_index_);
  }
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

void BgNbdLikelihood::log_terms(double alpha, LogTerms& terms) const {
  if (terms.alpha == alpha) return;
  // log(alpha + T) per distinct T and t_x: summaries in fractional weeks have
  // almost one distinct T per customer, so these loops share the threads too.
  const auto fill = [&](const std::vector<double>& values, std::vector<double>& logs,
                        std::vector<double>& invs) {
    logs.resize(values.size());
    invs.resize(values.size());
    for_row_chunks(values.size(), row_chunks(values.size(), chunks_),
                   [&](size_t begin, size_t end, int) {
                     for (size_t k = begin; k < end; ++k) {
                       logs[k] = std::log(alpha + values[k]);
                       invs[k] = 1.0 / (alpha + values[k]);
                     }
                   });
  };
  fill(distinct_T_, terms.log_aT, terms.inv_aT);
  fill(distinct_tx_, terms.log_atx, terms.inv_atx);
  terms.alpha = alpha;
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
  std::unique_lock<std::mutex> hold(terms_mutex_, std::try_to_lock);
  LogTerms own;
  LogTerms& terms = hold.owns_lock() ? terms_ : own;
  log_terms(alpha, terms);
  const std::vector<double>&log_aT = terms.log_aT, &inv_aT = terms.inv_aT, &log_atx = terms.log_atx,
        &inv_atx = terms.inv_atx;

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

bool BgNbdLikelihood::hessian(const Eigen::VectorXd& theta, Eigen::MatrixXd& h) const {
  // On the natural scale (r, alpha, a, b) each row is a fixed part plus
  // log(e^a3 + e^a4); with pi the share of e^a4 its Hessian is
  // (1-pi) H3 + pi H4 + pi (1-pi) (g4 - g3)(g4 - g3)'. The log-scale Hessian
  // is p_k p_j H_kj + delta_kj p_k g_k (g the natural-scale gradient).
  Eigen::VectorXd grad_log(4);
  if (!std::isfinite(log_likelihood(theta, &grad_log))) return false;
  const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), a = std::exp(theta[2]),
               b = std::exp(theta[3]);
  const double m = shift(variant_);
  const bool modified = variant_ == BgNbdVariant::kMbgNbd;
  using boost::math::trigamma;
  Eigen::Matrix4d hn = Eigen::Matrix4d::Zero();
  const double tg_r = trigamma(r), tg_b = trigamma(b), tg_ab = trigamma(a + b);
  std::vector<double> inv_bx(distinct_x_.size()), log_bx(distinct_x_.size());
  for (size_t k = 0; k < distinct_x_.size(); ++k) {
    const double x = distinct_x_[k], w = weight_of_x_[k];
    const double tg_abxm = trigamma(a + b + x + m);
    hn(0, 0) += w * (trigamma(r + x) - tg_r);
    hn(0, 1) += w / alpha;
    hn(1, 1) -= w * r / (alpha * alpha);
    hn(2, 2) += w * (tg_ab - tg_abxm);
    hn(2, 3) += w * (tg_ab - tg_abxm);
    hn(3, 3) += w * (tg_ab + trigamma(b + x + m) - tg_b - tg_abxm);
    const double bx = b + x - 1.0 + m;
    inv_bx[k] = bx > 0 ? 1.0 / bx : 0.0;
    log_bx[k] = bx > 0 ? std::log(bx) : 0.0;
  }
  std::unique_lock<std::mutex> hold(terms_mutex_, std::try_to_lock);
  LogTerms own;
  LogTerms& terms = hold.owns_lock() ? terms_ : own;
  log_terms(alpha, terms);
  const std::vector<double>&log_aT = terms.log_aT, &inv_aT = terms.inv_aT, &log_atx = terms.log_atx,
        &inv_atx = terms.inv_atx;
  const double log_a = theta[2];
  // The upper triangle as 10 sums: (r,r) (r,alpha) (r,a) (r,b) (alpha,alpha)
  // (alpha,a) (alpha,b) (a,a) (a,b) (b,b).
  std::vector<std::array<double, 10>> partial(chunks_, std::array<double, 10>{});
  for_row_chunks(rows_.size(), chunks_, [&](size_t begin, size_t end, int chunk) {
    std::array<double, 10> acc{};
    for (size_t i = begin; i < end; ++i) {
      const double x = rows_.x[i], w = rows_.weight[i];
      const uint32_t xi = x_index_[i], ti = T_index_[i];
      const double rx = r + x;
      const double iT = inv_aT[ti];
      if (x == 0 && !modified) {
        acc[1] -= w * iT;            // (r, alpha)
        acc[4] += w * rx * iT * iT;  // (alpha, alpha)
        continue;
      }
      const uint32_t txi = tx_index_[i];
      const double itx = inv_atx[txi], ibx = inv_bx[xi];
      const double a3 = -rx * log_aT[ti];
      const double a4 = log_a - log_bx[xi] - rx * log_atx[txi];
      const double pi = 1.0 / (1.0 + std::exp(a3 - a4));  // share of e^a4
      const double q = pi * (1.0 - pi);
      const double d[4] = {log_aT[ti] - log_atx[txi], rx * (iT - itx), 1.0 / a, -ibx};
      acc[0] += w * q * d[0] * d[0];
      acc[1] += w * (-(1.0 - pi) * iT - pi * itx + q * d[0] * d[1]);
      acc[2] += w * q * d[0] * d[2];
      acc[3] += w * q * d[0] * d[3];
      acc[4] += w * ((1.0 - pi) * rx * iT * iT + pi * rx * itx * itx + q * d[1] * d[1]);
      acc[5] += w * q * d[1] * d[2];
      acc[6] += w * q * d[1] * d[3];
      acc[7] += w * (-pi / (a * a) + q * d[2] * d[2]);
      acc[8] += w * q * d[2] * d[3];
      acc[9] += w * (pi * ibx * ibx + q * d[3] * d[3]);
    }
    partial[chunk] = acc;
  });
  for (const auto& acc : partial) {
    hn(0, 0) += acc[0];
    hn(0, 1) += acc[1];
    hn(0, 2) += acc[2];
    hn(0, 3) += acc[3];
    hn(1, 1) += acc[4];
    hn(1, 2) += acc[5];
    hn(1, 3) += acc[6];
    hn(2, 2) += acc[7];
    hn(2, 3) += acc[8];
    hn(3, 3) += acc[9];
  }
  const double p[4] = {r, alpha, a, b};
  h.resize(4, 4);
  for (int k = 0; k < 4; ++k) {
    for (int j = k; j < 4; ++j) {
      h(k, j) = h(j, k) = p[k] * p[j] * hn(k, j) + (k == j ? grad_log[k] : 0.0);
    }
  }
  return h.allFinite();
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
