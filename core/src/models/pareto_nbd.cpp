#include "models/pareto_nbd.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "clv/error.hpp"
#include "math/dual.hpp"
#include "math/hypergeometric.hpp"
#include "math/log_sum_exp.hpp"
#include "models/pareto_nbd_kernel.hpp"

namespace clv {
namespace {

using math::lgamma;
using math::log;
using std::lgamma;
using std::log;
using Grad = math::Dual<4>;

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// Bounds of the scaled fast path in ParetoNbdModel::log_likelihood: scaled
// tails above kMinScaledTail keep full relative precision, and a ratio factor
// below kMaxRatioFactor cannot overflow when multiplied by a scaled tail <= 1.
constexpr double kMinScaledTail = 1e-200;
constexpr double kMaxRatioFactor = 1e300;

// log of int_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du times (r+s+x), choosing
// the representation whose 2F1 argument lies in [0, 1). Kept (with dual
// numbers) as the independent reference of pnbd_log_likelihood, which the
// tests compare the kernel with; the fit and the scores use tail_times_rsx.
template <class S>
S log_tail_integral(const S& r_x, const S& r_s_x, const S& alpha, const S& s, const S& beta,
                    double t) {
  if (math::value_of(alpha) >= math::value_of(beta)) {
    const S base = alpha + t;
    return math::log_hyp2f1(r_s_x, s + 1.0, r_s_x + 1.0, (alpha - beta) / base) - r_s_x * log(base);
  }
  const S base = beta + t;
  return math::log_hyp2f1(r_s_x, r_x, r_s_x + 1.0, (beta - alpha) / base) - r_s_x * log(base);
}

// The same quantity from the plain-double kernel (a short Euler-transformed
// series for z <= 1/2, quadrature in log time above): a bounded number of
// operations at every parameter point, so no evaluation near z = 1 can fail
// or run for millions of series terms. d receives the derivatives with respect
// to the log parameters when non-null.
double tail_times_rsx(double r, double alpha, double s, double beta, double x, double t,
                      double* d = nullptr) {
  const pnbd_kernel::LogValueGrad tail = pnbd_kernel::log_tail(r, alpha, s, beta, x, t);
  const double r_s_x = r + x + s;
  if (d) {
    d[0] = r * (tail.d[0] + 1.0 / r_s_x);
    d[1] = alpha * tail.d[1];
    d[2] = s * (tail.d[2] + 1.0 / r_s_x);
    d[3] = beta * tail.d[3];
  }
  return tail.value + std::log(r_s_x);
}

// tail_times_rsx for double or dual-number parameters (chain rule through the
// kernel's own derivatives).
template <class S>
S log_tail_rsx(const S& r, const S& alpha, const S& s, const S& beta, double x, double t) {
  if constexpr (std::is_same_v<S, double>) {
    return tail_times_rsx(r, alpha, s, beta, x, t);
  } else {
    double d[4];
    S out(tail_times_rsx(r.v, alpha.v, s.v, beta.v, x, t, d));
    const S* in[4] = {&r, &alpha, &s, &beta};
    for (int k = 0; k < 4; ++k) {
      for (size_t j = 0; j < out.d.size(); ++j) out.d[j] += d[k] / in[k]->v * in[k]->d[j];
    }
    return out;
  }
}

// The two parts of the likelihood after the common factor
// Gamma(r+x) alpha^r beta^s / Gamma(r): alive at T (log_alive), and died in
// (t_x, T] (log_died = log(s/(r+s+x) A0)); log_died = -inf when t_x = T.
template <bool kReference, class S>
void log_likelihood_parts(const S& r, const S& alpha, const S& s, const S& beta, double x,
                          double t_x, double T, S& log_alive, S& log_died, bool& died_possible) {
  const S r_x = r + x;
  log_alive = -r_x * log(alpha + T) - s * log(beta + T);
  died_possible = t_x < T;
  if (!died_possible) return;
  const S r_s_x = r_x + s;
  // The reference evaluation (pnbd_log_likelihood, what the tests compare the
  // kernel with) sums the 2F1 series; everything else uses the kernel.
  const auto tail = [&](double t) {
    if constexpr (kReference) {
      return log_tail_integral(r_x, r_s_x, alpha, s, beta, t);
    } else {
      return log_tail_rsx(r, alpha, s, beta, x, t);
    }
  };
  const S log_a0 = math::log_sub_exp(tail(t_x), tail(T));
  log_died = log(s) - log(r_s_x) + log_a0;
}

template <class S>
S row_log_likelihood(const S& r, const S& alpha, const S& s, const S& beta, double x, double t_x,
                     double T) {
  S log_alive(0.0), log_died(0.0);
  bool died_possible = false;
  log_likelihood_parts<true>(r, alpha, s, beta, x, t_x, T, log_alive, log_died, died_possible);
  const S head = lgamma(r + x) - lgamma(r) + r * log(alpha) + s * log(beta);
  // log_sub_exp of two equal values (t_x within rounding of T) gives -inf with
  // NaN derivatives; the died term is then negligible, so drop it.
  if (!died_possible || !std::isfinite(math::value_of(log_died))) return head + log_alive;
  return head + math::log_add_exp(log_alive, log_died);
}

Grad log_param(double value, int index) {
  Grad g = Grad::variable(value, index);
  g.d[index] = value;  // d value / d log value
  return g;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw Error::invalid_argument(message);
}

}  // namespace

void validate_pnbd_params(const ParetoNbdParams& p) {
  for (double v : {p.r, p.alpha, p.s, p.beta}) {
    require(std::isfinite(v) && v > 0.0,
            "Pareto/NBD parameters r, alpha, s, beta must be finite and > 0");
  }
}

void validate_pnbd_rows(const std::vector<PnbdRow>& rows) {
  require(!rows.empty(), "Pareto/NBD needs at least one customer row");
  for (size_t i = 0; i < rows.size(); ++i) {
    const PnbdRow& w = rows[i];
    // The message is built only on failure: this runs once per scored customer.
    const auto check = [i](bool ok, const char* what) {
      if (!ok) require(false, "row " + std::to_string(i + 1) + ": " + what);
    };
    check(
        std::isfinite(w.x) && std::isfinite(w.t_x) && std::isfinite(w.T) && std::isfinite(w.weight),
        "x, t_x, T and weight must be finite numbers");
    check(w.x >= 0.0 && w.x == std::floor(w.x), "x must be a whole number >= 0");
    // T = 0 (first purchase on the calibration-end day) is valid data: the
    // customer's likelihood is 1 and the fit leaves the row out; scores are
    // the prior's.
    check(w.T >= 0.0, "T must be >= 0 (time since the first purchase)");
    check(w.t_x >= 0.0 && w.t_x <= w.T, "t_x must satisfy 0 <= t_x <= T");
    check(w.x > 0.0 || w.t_x == 0.0, "t_x must be 0 when x = 0");
    check(w.weight > 0.0, "weight must be > 0");
  }
}

std::vector<PnbdRow> to_pnbd_rows(const RfmRows& rows) {
  std::vector<PnbdRow> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    out[i] = {rows.x[i], rows.t_x[i], rows.T[i], rows.weight.empty() ? 1.0 : rows.weight[i]};
  }
  return out;
}

std::vector<PnbdRow> collapse_pnbd_rows(const std::vector<PnbdRow>& rows) {
  std::vector<double> x(rows.size()), t_x(rows.size()), T(rows.size()), w(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    x[i] = rows[i].x;
    t_x[i] = rows[i].t_x;
    T[i] = rows[i].T;
    w[i] = rows[i].weight;
  }
  return to_pnbd_rows(collapse_rfm(x, t_x, T, w));
}

double pnbd_log_likelihood(const ParetoNbdParams& p, double x, double t_x, double T) {
  return row_log_likelihood<double>(p.r, p.alpha, p.s, p.beta, x, t_x, T);
}

double pnbd_log_likelihood(const ParetoNbdParams& p, double x, double t_x, double T,
                           double grad[4]) {
  const Grad ll = row_log_likelihood(log_param(p.r, 0), log_param(p.alpha, 1), log_param(p.s, 2),
                                     log_param(p.beta, 3), x, t_x, T);
  for (int i = 0; i < 4; ++i) grad[i] = ll.d[i];
  return ll.v;
}

double pnbd_p_alive(const ParetoNbdParams& p, double x, double t_x, double T) {
  double log_alive = 0.0, log_died = 0.0;
  bool died_possible = false;
  log_likelihood_parts<false, double>(p.r, p.alpha, p.s, p.beta, x, t_x, T, log_alive, log_died,
                                      died_possible);
  if (!died_possible) return 1.0;
  return 1.0 / (1.0 + std::exp(log_died - log_alive));
}

namespace {

// (1 - (b / (b + t))^(s - 1)) / (s - 1), continuous at s = 1.
double survival_mean_factor(double s, double b, double t) {
  const double log_ratio = std::log1p(t / b);  // log((b + t) / b)
  const double sm1 = s - 1.0;
  if (std::abs(sm1 * log_ratio) < 1e-10) return log_ratio * (1.0 - 0.5 * sm1 * log_ratio);
  return -std::expm1(-sm1 * log_ratio) / sm1;
}

}  // namespace

double pnbd_expected_if_alive(const ParetoNbdParams& p, double x, double T, double t) {
  if (t <= 0.0) return 0.0;
  const double b = p.beta + T;
  return (p.r + x) * b / (p.alpha + T) * survival_mean_factor(p.s, b, t);
}

double pnbd_conditional_expected(const ParetoNbdParams& p, double x, double t_x, double T,
                                 double t) {
  return pnbd_p_alive(p, x, t_x, T) * pnbd_expected_if_alive(p, x, T, t);
}

double pnbd_expected(const ParetoNbdParams& p, double t) {
  if (t <= 0.0) return 0.0;
  return p.r * p.beta / p.alpha * survival_mean_factor(p.s, p.beta, t);
}

double pnbd_probability_of_n(const ParetoNbdParams& p, double t, int k) {
  require(k >= 0, "P(X(t)=k) needs k >= 0");
  require(t >= 0.0, "P(X(t)=k) needs t >= 0");
  const double kd = k;
  const double log_nb_const = std::lgamma(p.r + kd) - std::lgamma(p.r) - std::lgamma(kd + 1.0);
  // log P(k purchases in (0, u] | alive throughout), gamma-mixed over lambda.
  auto log_nb = [&](double u) {
    const double log_u_part = k == 0 ? 0.0 : kd * std::log(u / (p.alpha + u));
    return log_nb_const + p.r * std::log(p.alpha / (p.alpha + u)) + log_u_part;
  };
  if (t == 0.0) return k == 0 ? 1.0 : 0.0;
  const double alive = std::exp(log_nb(t) + p.s * std::log(p.beta / (p.beta + t)));
  // Death at u in (0, t): density s beta^s / (beta + u)^(s+1).
  auto died = [&](double u) {
    if (u <= 0.0 && k > 0) return 0.0;
    return std::exp(log_nb(u) + std::log(p.s) + p.s * std::log(p.beta) -
                    (p.s + 1.0) * std::log(p.beta + u));
  };
  const double died_part =
      boost::math::quadrature::gauss_kronrod<double, 31>::integrate(died, 0.0, t, 15, 1e-12);
  return std::min(1.0, alive + died_part);
}

double pnbd_discounted_survival_integral(double s, double beta_plus_T, double horizon,
                                         double discount_rate) {
  require(discount_rate >= 0.0 && std::isfinite(discount_rate),
          "discount rate must be finite and >= 0");
  require(horizon >= 0.0, "horizon must be >= 0");
  if (horizon == 0.0) return 0.0;
  if (discount_rate == 0.0) {
    require(std::isfinite(horizon), "an infinite horizon needs a discount rate > 0");
    return beta_plus_T * survival_mean_factor(s, beta_plus_T, horizon);
  }
  auto f = [&](double t) { return std::exp(-discount_rate * t - s * std::log1p(t / beta_plus_T)); };
  using Gk = boost::math::quadrature::gauss_kronrod<double, 31>;
  return Gk::integrate(f, 0.0, horizon, 15, 1e-12);
}

double pnbd_discounted_if_alive(const ParetoNbdParams& p, double x, double T, double horizon,
                                double discount_rate) {
  return (p.r + x) / (p.alpha + T) *
         pnbd_discounted_survival_integral(p.s, p.beta + T, horizon, discount_rate);
}

double pnbd_dert(const ParetoNbdParams& p, double x, double t_x, double T, double horizon,
                 double discount_rate) {
  return pnbd_p_alive(p, x, t_x, T) * pnbd_discounted_if_alive(p, x, T, horizon, discount_rate);
}

namespace {

// Day-grid times and whole x have all-zero low mantissa bits: the key bits
// are fully mixed (murmur3 finaliser) before the low bits pick a slot.
size_t alive_key_hash(double x, double t) {
  uint64_t h = std::bit_cast<uint64_t>(x) * 0x9E3779B97F4A7C15ULL ^ std::bit_cast<uint64_t>(t);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return static_cast<size_t>(h);
}

}  // namespace

void PnbdAliveCache::grow() {
  std::vector<Entry> old(std::max<size_t>(1024, slots_.size() * 2));
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Entry& e : old) {
    if (e.x < 0.0) continue;
    size_t s = alive_key_hash(e.x, e.t) & mask;
    while (slots_[s].x >= 0.0) s = (s + 1) & mask;
    slots_[s] = e;
  }
}

PnbdAliveCache::Entry& PnbdAliveCache::entry(const ParetoNbdParams& p, double x, double t) {
  if (2 * (used_ + 1) > slots_.size()) grow();
  x += 0.0, t += 0.0;  // folds -0 into 0
  const size_t mask = slots_.size() - 1;
  size_t s = alive_key_hash(x, t) & mask;
  while (true) {
    Entry& e = slots_[s];
    if (e.x == x && e.t == t) return e;
    if (e.x < 0.0) {
      e = Entry{x, t, tail_times_rsx(p.r, p.alpha, p.s, p.beta, x, t)};
      ++used_;
      return e;
    }
    s = (s + 1) & mask;
  }
}

double PnbdAliveCache::p_alive(const ParetoNbdParams& p, double x, double t_x, double T) {
  if (!(t_x < T)) return 1.0;  // purchased at the end: certainly alive
  if (x == last_x_ && t_x == last_tx_ && T == last_T_) return last_;
  const double tail_tx = entry(p, x, t_x).log_tail;
  Entry& at_T = entry(p, x, T);  // after the t_x lookup: a lookup may move entries
  if (std::isnan(at_T.log_died_over_alive)) {
    const double r_x = p.r + x;
    at_T.log_died_over_alive = std::log(p.s) - std::log(r_x + p.s) + r_x * std::log(p.alpha + T) +
                               p.s * std::log(p.beta + T);
  }
  // P(alive) = 1 / (1 + died / alive), died / alive = exp(log_died_over_alive
  // + tail(t_x)) (1 - exp(tail(T) - tail(t_x))).
  const double one_minus_q = -std::expm1(at_T.log_tail - tail_tx);
  double alive = 1.0;  // equal tails (t_x within rounding of T): nothing died
  if (one_minus_q > 0.0) {
    const double log_factor = at_T.log_died_over_alive + tail_tx;
    const double ratio = log_factor < 700.0 ? std::exp(log_factor) * one_minus_q
                                            : std::exp(log_factor + std::log(one_minus_q));
    alive = 1.0 / (1.0 + ratio);
  }
  last_x_ = x, last_tx_ = t_x, last_T_ = T, last_ = alive;
  return alive;
}

std::vector<PnbdScore> pnbd_score(const ParetoNbdParams& p, const std::vector<PnbdRow>& rows,
                                  double horizon, double discount_rate) {
  validate_pnbd_params(p);
  validate_pnbd_rows(rows);
  // P(alive) needs two 2F1 tails, one per (x, t_x) and one per (x, T) key:
  // daily-granularity summaries repeat those keys, so each is computed once.
  PnbdAliveCache alive_cache;
  std::unordered_map<double, double> integral_by_T;
  std::vector<PnbdScore> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const PnbdRow& w = rows[i];
    auto it = integral_by_T.find(w.T);
    if (it == integral_by_T.end()) {
      it = integral_by_T
               .emplace(w.T, pnbd_discounted_survival_integral(p.s, p.beta + w.T, horizon,
                                                               discount_rate))
               .first;
    }
    PnbdScore& o = out[i];
    o.p_alive = alive_cache.p_alive(p, w.x, w.t_x, w.T);
    const double rate = (p.r + w.x) / (p.alpha + w.T);
    const double b = p.beta + w.T;
    o.expected_purchases = std::isfinite(horizon)
                               ? o.p_alive * rate * b * survival_mean_factor(p.s, b, horizon)
                               : std::numeric_limits<double>::quiet_NaN();
    if (!std::isfinite(horizon)) {
      require(p.s > 1.0, "expected purchases over an infinite horizon need s > 1");
      o.expected_purchases = o.p_alive * rate * b / (p.s - 1.0);
    }
    o.dert = o.p_alive * rate * it->second;
  }
  return out;
}

std::vector<PnbdRow> simulate_pnbd(const ParetoNbdParams& p,
                                   const std::vector<double>& observation_lengths,
                                   std::uint64_t seed, double time_step) {
  validate_pnbd_params(p);
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> mu_dist(p.s, 1.0 / p.beta);
  std::vector<PnbdRow> out;
  out.reserve(observation_lengths.size());
  for (double T : observation_lengths) {
    require(T > 0.0 && std::isfinite(T), "observation lengths must be finite and > 0");
    const double lambda = lambda_dist(rng);
    const double mu = mu_dist(rng);
    const double death = std::exponential_distribution<double>(mu)(rng);
    const double end = std::min(death, T);
    PnbdRow row{0.0, 0.0, T, 1.0};
    if (lambda > 0.0) {
      std::exponential_distribution<double> gap(lambda);
      double last_cell = 0.0;
      for (double t = gap(rng); t <= end; t += gap(rng)) {
        if (time_step > 0.0) {
          const double cell = std::floor(t / time_step) * time_step;
          if (cell <= last_cell || cell > T) continue;  // same day as a counted purchase
          last_cell = cell;
          row.x += 1.0;
          row.t_x = cell;
        } else {
          row.x += 1.0;
          row.t_x = t;
        }
      }
    }
    out.push_back(row);
  }
  return out;
}

namespace {

// Rows with T = 0 contribute exactly 0 to the log-likelihood (no observation
// time): dropped, so that n_customers counts the customers that inform the fit.
void drop_unobserved(std::vector<PnbdRow>& rows) {
  std::erase_if(rows, [](const PnbdRow& w) { return w.T == 0.0; });
}

}  // namespace

ParetoNbdModel::ParetoNbdModel(const std::vector<PnbdRow>& rows, int threads) {
  validate_pnbd_rows(rows);
  rows_ = collapse_pnbd_rows(rows);
  drop_unobserved(rows_);
  sort_for_caching();
  for (const PnbdRow& w : rows_) n_customers_ += w.weight;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads > 0 ? threads : hw;
}

ParetoNbdModel::ParetoNbdModel(const RfmRows& rows, int threads) {
  rows_ = to_pnbd_rows(rows);  // collapse_rfm already validated and merged them
  validate_pnbd_rows(rows_);
  drop_unobserved(rows_);
  sort_for_caching();
  for (const PnbdRow& w : rows_) n_customers_ += w.weight;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads > 0 ? threads : hw;
}

void ParetoNbdModel::sort_for_caching() {
  const size_t n = rows_.size();
  const auto by_T_then_tail = [](const PnbdRow& a, const PnbdRow& b) {
    return std::tie(a.T, a.t_x) < std::tie(b.T, b.t_x);
  };
  double max_x = 0.0;
  for (const PnbdRow& w : rows_) max_x = std::max(max_x, w.x);
  if (max_x < 1 << 20) {
    // x is a whole number: a counting sort by x, then small sorts per x.
    std::vector<size_t> start(static_cast<size_t>(max_x) + 2, 0);
    for (const PnbdRow& w : rows_) ++start[static_cast<size_t>(w.x) + 1];
    for (size_t v = 1; v < start.size(); ++v) start[v] += start[v - 1];
    std::vector<PnbdRow> sorted(n);
    for (const PnbdRow& w : rows_) sorted[start[static_cast<size_t>(w.x)]++] = w;
    rows_ = std::move(sorted);
    for (size_t begin = 0, v = 0; v + 1 < start.size(); ++v) {
      std::sort(rows_.begin() + begin, rows_.begin() + start[v], by_T_then_tail);
      begin = start[v];
    }
  } else {
    std::sort(rows_.begin(), rows_.end(), [&](const PnbdRow& a, const PnbdRow& b) {
      return a.x < b.x || (a.x == b.x && by_T_then_tail(a, b));
    });
  }
  if (n >= (size_t{1} << 31)) {
    throw Error::invalid_argument("Pareto/NBD handles at most 2^31 - 1 distinct rows");
  }
  row_tail_.resize(n);
  row_T_.resize(n);
  // (x, T) keys are runs of the sorted rows; tail keys are the distinct t_x
  // and T of each x group, found by sorting them (T keys flagged by the top bit).
  constexpr uint32_t kIsTKey = 1u << 31;
  std::vector<std::pair<double, uint32_t>> times;
  for (size_t begin = 0; begin < n;) {
    const double x = rows_[begin].x;
    size_t end = begin;
    while (end < n && rows_[end].x == x) ++end;
    const auto group = static_cast<uint32_t>(n_groups_++);
    times.clear();
    for (size_t i = begin; i < end; ++i) {
      if (i == begin || rows_[i].T != rows_[i - 1].T) {
        times.push_back({rows_[i].T, static_cast<uint32_t>(T_keys_.size()) | kIsTKey});
        T_keys_.push_back({x, rows_[i].T});
        T_group_.push_back(group);
      }
      row_T_[i] = static_cast<uint32_t>(T_keys_.size() - 1);
      times.push_back({rows_[i].t_x, static_cast<uint32_t>(i)});
    }
    std::sort(times.begin(), times.end());
    for (size_t k = 0; k < times.size(); ++k) {
      if (k == 0 || times[k].first != times[k - 1].first) {
        tail_keys_.push_back({x, times[k].first});
        tail_group_.push_back(group);
      }
      const auto key = static_cast<uint32_t>(tail_keys_.size() - 1);
      const uint32_t id = times[k].second;
      if (id & kIsTKey) {
        T_tail_.resize(T_keys_.size());
        T_tail_[id & ~kIsTKey] = key;
      } else {
        row_tail_[id] = key;
      }
    }
    begin = end;
  }
  workspace_ = std::make_shared<Workspace>();
}

const std::vector<std::string>& ParetoNbdModel::param_names() const {
  static const std::vector<std::string> names{"r", "alpha", "s", "beta"};
  return names;
}

Eigen::VectorXd ParetoNbdModel::start_params() const {
  // Scale-aware start: purchase rate ~ mean x / mean T, mean lifetime ~ mean T.
  double sum_x = 0.0, sum_T = 0.0;
  for (const PnbdRow& w : rows_) {
    sum_x += w.weight * w.x;
    sum_T += w.weight * w.T;
  }
  const double mean_x = sum_x / n_customers_, mean_T = sum_T / n_customers_;
  Eigen::VectorXd start(4);
  start << 1.0, mean_T / std::max(mean_x, 0.1), 1.0, mean_T;
  return start;
}

namespace {

// [begin, end) of chunk c when `count` items are split into `chunks` ranges.
std::pair<size_t, size_t> chunk_range(size_t count, int chunks, int c) {
  return {count * c / chunks, count * (c + 1) / chunks};
}

// Runs fn(begin, end, chunk) for `chunks` contiguous ranges of [0, count),
// chunk 0 on the calling thread; `bounds` (size chunks + 1) overrides the
// default even split when non-empty.
template <class Fn>
void run_chunks(size_t count, int chunks, Fn&& fn, const std::vector<size_t>& bounds = {}) {
  const auto range = [&](int c) {
    return bounds.empty() ? chunk_range(count, chunks, c)
                          : std::make_pair(bounds[c], bounds[c + 1]);
  };
  if (chunks <= 1) {
    fn(size_t{0}, count, 0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(chunks - 1);
  for (int c = 1; c < chunks; ++c) {
    pool.emplace_back([&, c] {
      const auto [b, e] = range(c);
      fn(b, e, c);
    });
  }
  const auto [b, e] = range(0);
  fn(b, e, 0);
  for (auto& th : pool) th.join();
}

}  // namespace

struct ParetoNbdModel::Workspace {
  struct TailTerms {
    double tail, scaled;
    std::array<double, 4> d;  // d tail / d log params, with a gradient only
  };
  struct TTerms {
    double head, alive, died_factor, tail;
    double ratio_factor, scaled_tail;  // exp(died_factor - alive + scale), exp(tail - scale)
  };
  struct TCoef {
    double head = 0, alive = 0, died_factor = 0;
  };
  std::mutex mutex;
  std::vector<TailTerms> by_tail;
  std::vector<TTerms> by_T;
  std::vector<TCoef> coef_T;
  std::vector<std::vector<double>> coef_tail;  // one per row chunk
};

// The likelihood is evaluated in three passes. (1) The 2F1 tails and the
// per-(x, T) terms once per distinct key; with a gradient, the tails'
// analytic derivatives from the plain-double kernel. (2) The rows, in doubles:
// each row's log-likelihood is a smooth function of its keys' terms, so its
// gradient is a weighted sum of their gradients; the row pass only adds those
// weights (the row's d LL / d term) into per-key coefficients. (3) With a
// gradient, the key terms' derivatives (closed form for the non-tail terms)
// are contracted with the coefficients. The gradient then costs about twice
// the value instead of a Dual<4> evaluation of every row.
double ParetoNbdModel::log_likelihood(const Eigen::VectorXd& log_params,
                                      Eigen::VectorXd* grad) const {
  const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]),
               s = std::exp(log_params[2]), beta = std::exp(log_params[3]);
  if (grad) grad->setZero(4);
  for (double v : {r, alpha, s, beta}) {
    if (!(std::isfinite(v) && v > 0.0)) return kNegInf;
  }
  const size_t n = rows_.size(), n_tail = tail_keys_.size(), n_T = T_keys_.size();
  const int threads = n >= 4096 ? std::min<int>(threads_, static_cast<int>(n / 2048)) : 1;
  const auto chunks_for = [&](size_t count) { return count >= 4096 ? threads : 1; };
  std::vector<char> failed(threads, 0);
  Workspace& ws = *workspace_;
  std::lock_guard<std::mutex> lock(ws.mutex);
  using TailTerms = Workspace::TailTerms;
  using TTerms = Workspace::TTerms;
  using TCoef = Workspace::TCoef;

  // Pass 1: key terms.
  const double shared = -std::lgamma(r) + r * std::log(alpha) + s * std::log(beta);
  const double log_s = std::log(s);
  // Per tail key (x, t): the log tail at t and, for the row pass, the tail on
  // the scale of its x group (see below).
  std::vector<TailTerms>& by_tail = ws.by_tail;
  by_tail.resize(n_tail);
  // With a gradient the kernel's analytic tail derivatives are kept here for
  // the contraction in pass 3.
  run_chunks(n_tail, chunks_for(n_tail), [&](size_t b, size_t e, int c) {
    try {
      for (size_t k = b; k < e; ++k) {
        const auto [x, t] = tail_keys_[k];
        by_tail[k].tail =
            tail_times_rsx(r, alpha, s, beta, x, t, grad ? by_tail[k].d.data() : nullptr);
      }
    } catch (const Error&) {
      failed[c] = 1;
    }
  });
  for (char f : failed) {
    if (f) return kNegInf;
  }
  // A row's died/alive likelihood ratio is exp(died_factor - alive) times
  // (exp(tail(t_x)) - exp(tail(T))). Measured against the largest tail of the
  // row's x, both exponentials are computed once per key, so a row needs one
  // log1p instead of four transcendental calls. Rows whose scaled tails would
  // lose their precision to underflow (x in the thousands) take the log path.
  std::vector<double> scale(n_groups_, kNegInf);
  for (size_t k = 0; k < n_tail; ++k) {
    double& c = scale[tail_group_[k]];
    c = std::max(c, by_tail[k].tail);
  }
  run_chunks(n_tail, chunks_for(n_tail), [&](size_t b, size_t e, int) {
    for (size_t k = b; k < e; ++k) {
      by_tail[k].scaled = std::exp(by_tail[k].tail - scale[tail_group_[k]]);
    }
  });
  std::vector<TTerms>& by_T = ws.by_T;
  by_T.resize(n_T);
  run_chunks(n_T, chunks_for(n_T), [&](size_t b, size_t e, int c) {
    try {
      double last_x = -1.0, lgamma_r_x = 0.0;  // keys are sorted by x
      for (size_t k = b; k < e; ++k) {
        const auto [x, T] = T_keys_[k];
        const double r_x = r + x, r_s_x = r_x + s;
        if (x != last_x) last_x = x, lgamma_r_x = std::lgamma(r_x);
        TTerms& t = by_T[k];
        t.head = shared + lgamma_r_x;
        t.alive = -r_x * std::log(alpha + T) - s * std::log(beta + T);
        t.died_factor = log_s - std::log(r_s_x);
        t.tail = by_tail[T_tail_[k]].tail;
        t.ratio_factor = std::exp(t.died_factor - t.alive + scale[T_group_[k]]);
        t.scaled_tail = by_tail[T_tail_[k]].scaled;
      }
    } catch (const Error&) {
      failed[c] = 1;
    }
  });
  for (char f : failed) {
    if (f) return kNegInf;
  }

  // Pass 2: rows. Chunks end where the (x, T) key changes, so each chunk owns
  // its T keys' coefficients; tail keys recur across T and get one
  // coefficient array per chunk.
  const int row_chunks = chunks_for(n);
  std::vector<size_t> bounds(row_chunks + 1, n);
  bounds[0] = 0;
  for (int c = 1; c < row_chunks; ++c) {
    size_t b = std::max(bounds[c - 1], chunk_range(n, row_chunks, c).first);
    while (b > 0 && b < n && row_T_[b] == row_T_[b - 1]) ++b;
    bounds[c] = b;
  }
  std::vector<TCoef>& coef_T = ws.coef_T;
  std::vector<std::vector<double>>& coef_tail = ws.coef_tail;
  if (grad) {
    coef_T.assign(n_T, TCoef{});
    coef_tail.resize(row_chunks);
  }
  std::vector<double> sums(row_chunks, 0.0);
  const auto row_pass = [&](auto gradient_tag) {
    constexpr bool with_gradient = decltype(gradient_tag)::value;
    run_chunks(
        n, row_chunks,
        [&](size_t b, size_t e, int c) {
          double* ctx = nullptr;
          if constexpr (with_gradient) {
            coef_tail[c].assign(n_tail, 0.0);
            ctx = coef_tail[c].data();
          }
          double sum = 0.0;
          for (size_t i = b; i < e; ++i) {
            const PnbdRow& w = rows_[i];
            const TTerms& t = by_T[row_T_[i]];
            double row = t.alive, p_died = 0.0, one_minus_q = 1.0;
            const TailTerms& tx = by_tail[row_tail_[i]];
            if (!(w.t_x < w.T)) {
              // Purchased at T: certainly alive.
            } else if (tx.scaled >= kMinScaledTail && t.ratio_factor <= kMaxRatioFactor) {
              const double diff = tx.scaled - t.scaled_tail;
              // Equal tails (t_x within rounding of T): the died part is negligible.
              if (diff > 0.0) {
                const double ratio = t.ratio_factor * diff;
                row = t.alive + std::log1p(ratio);
                p_died = ratio / (1.0 + ratio);
                one_minus_q = diff / tx.scaled;
              }
            } else {
              // log A0 = tail(t_x) + log(1 - q), q = exp(tail(T) - tail(t_x)).
              const double l1 = tx.tail;
              one_minus_q = -std::expm1(t.tail - l1);
              const double died = t.died_factor + l1 + std::log(one_minus_q);
              // Equal tails (t_x within rounding of T) give -inf (or NaN): the
              // died part is negligible, so drop it.
              if (std::isfinite(died)) {
                if (t.alive >= died) {
                  const double ratio = std::exp(died - t.alive);
                  row = t.alive + std::log1p(ratio);
                  p_died = ratio / (1.0 + ratio);
                } else {
                  const double ratio = std::exp(t.alive - died);
                  row = died + std::log1p(ratio);
                  p_died = 1.0 / (1.0 + ratio);
                }
              }
            }
            sum += w.weight * (t.head + row);
            if constexpr (with_gradient) {
              // d row = (1 - p) d alive + p (d died_factor + d tail(t_x) / (1 - q)
              //         - q / (1 - q) d tail(T)), p = P(died | row).
              TCoef& k = coef_T[row_T_[i]];
              const double wp = w.weight * p_died;
              k.head += w.weight;
              k.alive += w.weight - wp;
              if (p_died > 0.0) {
                const double scaled = wp / one_minus_q;
                k.died_factor += wp;
                ctx[T_tail_[row_T_[i]]] -= scaled - wp;  // wp q / (1 - q)
                ctx[row_tail_[i]] += scaled;
              }
            }
          }
          sums[c] = sum;
        },
        bounds);
  };
  if (grad) {
    row_pass(std::true_type{});
  } else {
    row_pass(std::false_type{});
  }
  double total = 0.0;
  for (double part : sums) total += part;
  if (!std::isfinite(total)) return kNegInf;
  if (!grad) return total;

  // Pass 3: d key term / d log params, contracted with the coefficients.
  for (int c = 1; c < row_chunks; ++c) {
    for (size_t k = 0; k < n_tail; ++k) coef_tail[0][k] += coef_tail[c][k];
  }
  std::vector<std::array<double, 4>> partial(threads, std::array<double, 4>{});
  run_chunks(n_tail, chunks_for(n_tail), [&](size_t b, size_t e, int c) {
    for (size_t k = b; k < e; ++k) {
      const double coef = coef_tail[0][k];
      if (coef == 0.0) continue;
      for (int j = 0; j < 4; ++j) partial[c][j] += coef * by_tail[k].d[j];
    }
  });
  const double digamma_r = boost::math::digamma(r);
  run_chunks(n_T, chunks_for(n_T), [&](size_t b, size_t e, int c) {
    std::array<double, 4>& g = partial[c];
    double last_x = -1.0, digamma_r_x = 0.0;
    for (size_t k = b; k < e; ++k) {
      const TCoef& coef = coef_T[k];
      const auto [x, T] = T_keys_[k];
      const double r_x = r + x, r_s_x = r_x + s;
      if (x != last_x) last_x = x, digamma_r_x = boost::math::digamma(r_x);
      // head = shared + lgamma(r + x); the shared part is added once below.
      g[0] += coef.head * r * (digamma_r_x - digamma_r);
      // alive = -(r + x) log(alpha + T) - s log(beta + T)
      g[0] -= coef.alive * r * std::log(alpha + T);
      g[1] -= coef.alive * r_x * alpha / (alpha + T);
      g[2] -= coef.alive * s * std::log(beta + T);
      g[3] -= coef.alive * s * beta / (beta + T);
      // died_factor = log s - log(r + s + x)
      g[0] -= coef.died_factor * r / r_s_x;
      g[2] += coef.died_factor * (1.0 - s / r_s_x);
    }
  });
  // d shared / d log params times the number of customers, without the
  // -lgamma(r) part already folded into digamma_r_x - digamma_r above.
  std::array<double, 4> g{r * std::log(alpha), r, s * std::log(beta), s};
  for (int j = 0; j < 4; ++j) g[j] *= n_customers_;
  for (const auto& part : partial) {
    for (int j = 0; j < 4; ++j) g[j] += part[j];
  }
  for (int k = 0; k < 4; ++k) {
    if (!std::isfinite(g[k])) return kNegInf;
    (*grad)[k] = g[k];
  }
  return total;
}

}  // namespace clv
