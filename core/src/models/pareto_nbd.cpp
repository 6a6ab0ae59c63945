#include "models/pareto_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "clv/error.hpp"
#include "math/dual.hpp"
#include "math/hypergeometric.hpp"
#include "math/log_sum_exp.hpp"

namespace clv {
namespace {

using math::lgamma;
using math::log;
using std::lgamma;
using std::log;
using Grad = math::Dual<4>;

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log of int_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du times (r+s+x), choosing
// the representation whose 2F1 argument lies in [0, 1).
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

// The two parts of the likelihood after the common factor
// Gamma(r+x) alpha^r beta^s / Gamma(r): alive at T (log_alive), and died in
// (t_x, T] (log_died = log(s/(r+s+x) A0)); log_died = -inf when t_x = T.
template <class S>
void log_likelihood_parts(const S& r, const S& alpha, const S& s, const S& beta, double x,
                          double t_x, double T, S& log_alive, S& log_died, bool& died_possible) {
  const S r_x = r + x;
  log_alive = -r_x * log(alpha + T) - s * log(beta + T);
  died_possible = t_x < T;
  if (!died_possible) return;
  const S r_s_x = r_x + s;
  const S log_a0 = math::log_sub_exp(log_tail_integral(r_x, r_s_x, alpha, s, beta, t_x),
                                     log_tail_integral(r_x, r_s_x, alpha, s, beta, T));
  log_died = log(s) - log(r_s_x) + log_a0;
}

template <class S>
S row_log_likelihood(const S& r, const S& alpha, const S& s, const S& beta, double x, double t_x,
                     double T) {
  S log_alive(0.0), log_died(0.0);
  bool died_possible = false;
  log_likelihood_parts(r, alpha, s, beta, x, t_x, T, log_alive, log_died, died_possible);
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
    const std::string where = "row " + std::to_string(i + 1) + ": ";
    require(
        std::isfinite(w.x) && std::isfinite(w.t_x) && std::isfinite(w.T) && std::isfinite(w.weight),
        where + "x, t_x, T and weight must be finite numbers");
    require(w.x >= 0.0 && w.x == std::floor(w.x), where + "x must be a whole number >= 0");
    require(w.T > 0.0, where + "T must be > 0 (time since the first purchase)");
    require(w.t_x >= 0.0 && w.t_x <= w.T, where + "t_x must satisfy 0 <= t_x <= T");
    require(w.x > 0.0 || w.t_x == 0.0, where + "t_x must be 0 when x = 0");
    require(w.weight > 0.0, where + "weight must be > 0");
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
  log_likelihood_parts<double>(p.r, p.alpha, p.s, p.beta, x, t_x, T, log_alive, log_died,
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

std::vector<PnbdScore> pnbd_score(const ParetoNbdParams& p, const std::vector<PnbdRow>& rows,
                                  double horizon, double discount_rate) {
  validate_pnbd_params(p);
  validate_pnbd_rows(rows);
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
    o.p_alive = pnbd_p_alive(p, w.x, w.t_x, w.T);
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

ParetoNbdModel::ParetoNbdModel(const std::vector<PnbdRow>& rows, int threads) {
  validate_pnbd_rows(rows);
  rows_ = collapse_pnbd_rows(rows);
  sort_for_caching();
  for (const PnbdRow& w : rows_) n_customers_ += w.weight;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads > 0 ? threads : hw;
}

ParetoNbdModel::ParetoNbdModel(const RfmRows& rows, int threads) {
  rows_ = to_pnbd_rows(rows);  // collapse_rfm already validated and merged them
  validate_pnbd_rows(rows_);
  sort_for_caching();
  for (const PnbdRow& w : rows_) n_customers_ += w.weight;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads > 0 ? threads : hw;
}

void ParetoNbdModel::sort_for_caching() {
  std::sort(rows_.begin(), rows_.end(), [](const PnbdRow& a, const PnbdRow& b) {
    return std::tie(a.x, a.T, a.t_x) < std::tie(b.x, b.T, b.t_x);
  });
  std::map<std::pair<double, double>, uint32_t> tx_index, T_index;
  row_tx_.resize(rows_.size());
  row_T_.resize(rows_.size());
  for (size_t i = 0; i < rows_.size(); ++i) {
    const PnbdRow& w = rows_[i];
    auto [tx_it, tx_new] = tx_index.try_emplace({w.x, w.t_x}, tx_keys_.size());
    if (tx_new) tx_keys_.push_back({w.x, w.t_x});
    row_tx_[i] = tx_it->second;
    auto [T_it, T_new] = T_index.try_emplace({w.x, w.T}, T_keys_.size());
    if (T_new) T_keys_.push_back({w.x, w.T});
    row_T_[i] = T_it->second;
  }
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

double ParetoNbdModel::log_likelihood(const Eigen::VectorXd& log_params,
                                      Eigen::VectorXd* grad) const {
  const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]),
               s = std::exp(log_params[2]), beta = std::exp(log_params[3]);
  if (grad) grad->setZero(4);
  for (double v : {r, alpha, s, beta}) {
    if (!(std::isfinite(v) && v > 0.0)) return kNegInf;
  }
  struct Partial {
    double ll = 0.0;
    std::array<double, 4> g{};
    bool failed = false;
  };
  const size_t n = rows_.size();
  const int threads = n >= 4096 ? std::min<int>(threads_, static_cast<int>(n / 2048)) : 1;
  std::vector<Partial> parts(std::max(threads, 1));
  // Runs fn(begin, end, part) over [0, count) on `threads` threads.
  auto run = [&](size_t count, auto&& fn) {
    if (threads <= 1 || count < 4096) {
      fn(size_t{0}, count, parts[0]);
      return;
    }
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) {
      pool.emplace_back([&, t] { fn(count * t / threads, count * (t + 1) / threads, parts[t]); });
    }
    fn(size_t{0}, count / threads, parts[0]);
    for (auto& th : pool) th.join();
  };
  auto evaluate = [&](auto tag) {
    using S = decltype(tag);
    S vr, va, vs, vb;
    if constexpr (std::is_same_v<S, double>) {
      vr = r, va = alpha, vs = s, vb = beta;
    } else {
      vr = log_param(r, 0), va = log_param(alpha, 1), vs = log_param(s, 2), vb = log_param(beta, 3);
    }
    const S shared = -lgamma(vr) + vr * log(va) + vs * log(vb);
    const S log_s = log(vs);
    // Per (x, t_x): log tail integral at t_x.
    std::vector<S> tail_tx(tx_keys_.size());
    run(tx_keys_.size(), [&](size_t b, size_t e, Partial& out) {
      try {
        for (size_t k = b; k < e; ++k) {
          const S r_x = vr + tx_keys_[k].first;
          tail_tx[k] = log_tail_integral(r_x, r_x + vs, va, vs, vb, tx_keys_[k].second);
        }
      } catch (const Error&) {
        out.failed = true;  // 2F1 series did not converge at these parameters
      }
    });
    // Per (x, T): common head, alive term, log(s/(r+s+x)) and tail at T.
    struct TTerms {
      S head, alive, died_factor, tail;
    };
    std::vector<TTerms> by_T(T_keys_.size());
    run(T_keys_.size(), [&](size_t b, size_t e, Partial& out) {
      try {
        for (size_t k = b; k < e; ++k) {
          const auto [x, T] = T_keys_[k];
          const S r_x = vr + x, r_s_x = r_x + vs;
          by_T[k] = {shared + lgamma(r_x), -r_x * log(va + T) - vs * log(vb + T),
                     log_s - log(r_s_x), log_tail_integral(r_x, r_s_x, va, vs, vb, T)};
        }
      } catch (const Error&) {
        out.failed = true;
      }
    });
    for (const Partial& part : parts) {
      if (part.failed) return;
    }
    run(n, [&](size_t b, size_t e, Partial& out) {
      S sum(0.0);
      for (size_t i = b; i < e; ++i) {
        const PnbdRow& w = rows_[i];
        const TTerms& t = by_T[row_T_[i]];
        S row = t.alive;
        if (w.t_x < w.T) {
          // Equal tails (t_x within rounding of T) give -inf: the died part is negligible.
          const S died = t.died_factor + math::log_sub_exp(tail_tx[row_tx_[i]], t.tail);
          if (std::isfinite(math::value_of(died))) row = math::log_add_exp(t.alive, died);
        }
        sum += w.weight * (t.head + row);
      }
      if constexpr (std::is_same_v<S, double>) {
        out.ll += sum;
      } else {
        out.ll += sum.v;
        for (int k = 0; k < 4; ++k) out.g[k] += sum.d[k];
      }
    });
  };
  if (grad) {
    evaluate(Grad());
  } else {
    evaluate(0.0);
  }
  double total = 0.0;
  std::array<double, 4> g{};
  for (const Partial& part : parts) {
    if (part.failed) return kNegInf;
    total += part.ll;
    for (int k = 0; k < 4; ++k) g[k] += part.g[k];
  }
  if (!std::isfinite(total)) return kNegInf;
  if (grad) {
    for (int k = 0; k < 4; ++k) {
      if (!std::isfinite(g[k])) return kNegInf;
      (*grad)[k] = g[k];
    }
  }
  return total;
}

}  // namespace clv
