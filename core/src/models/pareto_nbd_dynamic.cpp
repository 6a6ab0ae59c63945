#include "models/pareto_nbd_dynamic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "clv/error.hpp"
#include "models/covariate_row_model.hpp"
#include "models/parallel_rows.hpp"

namespace clv {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// Gauss-Legendre rules on [-1, 1]: 3 points for smooth periods, 5 for the
// panels of a period whose integrand changes by large factors.
constexpr int kMaxNodes = 5;
constexpr double kNode3[3] = {-0.7745966692414834, 0.0, 0.7745966692414834};
const double kLogWeight3[3] = {std::log(5.0 / 9.0), std::log(8.0 / 9.0), std::log(5.0 / 9.0)};
constexpr double kNode5[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831,
                              0.9061798459386640};
const double kLogWeight5[5] = {std::log(0.2369268850561891), std::log(0.4786286704993665),
                               std::log(0.5688888888888889), std::log(0.4786286704993665),
                               std::log(0.2369268850561891)};
// Panels per period: each covers a growth of exp(0.5) of one integrand
// factor, so a factor 1e40 in one week still fits.
constexpr int kMaxPanels = 400;

}  // namespace

ParetoNbdDynamicModel::ParetoNbdDynamicModel(DynamicCovariateRows rows,
                                             const std::vector<std::string>& covariate_names,
                                             const std::vector<double>& start, int threads,
                                             double max_piece)
    : rows_(std::move(rows)), start_(start), threads_(threads), max_piece_(max_piece) {
  if (covariate_names.size() != rows_.k || start_.size() != 4 ||
      rows_.first_period.size() != rows_.size() + 1) {
    throw Error::invalid_argument("dynamic covariate rows are inconsistent with their names/start");
  }
  names_ = {"r", "alpha", "s", "beta"};
  for (const auto& n : covariate_names) names_.push_back("purchase:" + n);
  for (const auto& n : covariate_names) names_.push_back("dropout:" + n);
  precompute_intervals();
}

void ParetoNbdDynamicModel::precompute_intervals() {
  const size_t k = rows_.k;
  first_pre_.assign(1, 0);
  first_post_.assign(1, 0);
  for (size_t i = 0; i < rows_.size(); ++i) {
    const double t_x = rows_.t_x[i], T = rows_.T[i];
    const size_t first = rows_.first_period[i], last = rows_.first_period[i + 1];
    const size_t groups_begin = pre_period_.size();
    for (size_t p = first; p < last; ++p) {
      const double a = std::max(0.0, rows_.period_start[p]);
      const double b = p + 1 < last ? std::min(T, rows_.period_start[p + 1]) : T;
      if (!(b > a)) continue;
      const double pre = std::min(b, t_x) - a;
      if (pre > 0) {
        // Merge with an earlier period of this customer with the same z row.
        const double* z = rows_.z.data() + p * k;
        size_t g = groups_begin;
        while (g < pre_period_.size() &&
               !std::equal(z, z + k, rows_.z.data() + size_t{pre_period_[g]} * k)) {
          ++g;
        }
        if (g == pre_period_.size()) {
          pre_period_.push_back(static_cast<uint32_t>(p));
          pre_length_.push_back(0.0);
        }
        pre_length_[g] += pre;
      }
      const double lo = std::max(a, t_x);
      if (b > lo) {
        const double pieces =
            max_piece_ > 0 ? std::min(256.0, std::ceil((b - lo) / max_piece_)) : 1.0;
        const double step = (b - lo) / pieces;
        for (int q = 0; q < static_cast<int>(pieces); ++q) {
          post_period_.push_back(static_cast<uint32_t>(p));
          post_lo_.push_back(lo + q * step);
          post_hi_.push_back(q + 1 == static_cast<int>(pieces) ? b : lo + (q + 1) * step);
        }
      }
    }
    first_pre_.push_back(pre_period_.size());
    first_post_.push_back(post_period_.size());
  }
}

Eigen::VectorXd ParetoNbdDynamicModel::start_params() const {
  Eigen::VectorXd start = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(names_.size()));
  for (int i = 0; i < 4; ++i) start[i] = start_[static_cast<size_t>(i)];
  return start;
}

double ParetoNbdDynamicModel::customer_ll(size_t i, const Eigen::VectorXd& theta, double* grad,
                                          std::vector<double>& scratch) const {
  const size_t k = rows_.k;
  const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), s = std::exp(theta[2]),
               beta = std::exp(theta[3]);
  const double* gamma_p = theta.data() + 4;
  const double* gamma_d = gamma_p + k;
  const double x = rows_.x[i], r_x = r + x;
  // scratch: dA, dB (d A / d gamma_p, d B / d gamma_d), and the weighted
  // sums of the died-term integrand's gamma derivatives gA, gB, gz.
  scratch.assign(5 * k, 0.0);
  double* dA = scratch.data();
  double* dB = dA + k;
  double* gA = dB + k;
  double* gB = gA + k;
  double* gz = gB + k;
  auto linear = [k](const double* g, const double* z) {
    double v = 0.0;
    for (size_t j = 0; j < k; ++j) v += g[j] * z[j];
    return v;
  };
  // A(t_x), B(t_x): cumulative purchase / dropout multipliers up to t_x.
  double A = 0.0, B = 0.0;
  for (size_t g = first_pre_[i]; g < first_pre_[i + 1]; ++g) {
    const double* z = rows_.z.data() + size_t{pre_period_[g]} * k;
    const double len = pre_length_[g];
    const double u = std::exp(linear(gamma_p, z)) * len, v = std::exp(linear(gamma_d, z)) * len;
    A += u;
    B += v;
    if (grad) {
      for (size_t j = 0; j < k; ++j) {
        dA[j] += z[j] * u;
        dB[j] += z[j] * v;
      }
    }
  }
  // Died in (t_x, T]: s int exp(lin_d) (alpha+A(t))^-(r+x) (beta+B(t))^-(s+1) dt,
  // Gauss-Legendre per period (see below), summed relative to a running maximum.
  double ref = kNegInf;
  double sum = 0.0, sum_la = 0.0, sum_lb = 0.0, sum_ia = 0.0, sum_ib = 0.0;
  auto rescale = [&](double new_ref) {
    const double f = std::isfinite(ref) ? std::exp(ref - new_ref) : 0.0;
    sum *= f, sum_la *= f, sum_lb *= f, sum_ia *= f, sum_ib *= f;
    if (grad) {
      for (size_t j = 0; j < 3 * k; ++j) gA[j] *= f;  // gA, gB, gz are contiguous
    }
    ref = new_ref;
  };
  // Consecutive periods mostly repeat the covariate row and the full-week
  // length: their exponentials and logs are reused.
  const double* last_z = nullptr;
  double lin_d = 0.0, u = 0.0, v = 0.0, last_half = -1.0, log_half = 0.0;
  for (size_t q = first_post_[i]; q < first_post_[i + 1]; ++q) {
    const double* z = rows_.z.data() + size_t{post_period_[q]} * k;
    if (!last_z || !std::equal(z, z + k, last_z)) {
      lin_d = linear(gamma_d, z);
      u = std::exp(linear(gamma_p, z));
      v = std::exp(lin_d);
      last_z = z;
    }
    const double lo = post_lo_[q], hi = post_hi_[q];
    const double P = alpha + A, Q = beta + B;
    // Adds one Gauss-Legendre panel [t0, t0 + width] (offsets from lo) with
    // `count` nodes to the running sums.
    auto add_panel = [&](double t0, double width, int count, const double* nodes,
                         const double* log_weights) {
      const double half = 0.5 * width;
      if (half != last_half) {
        log_half = std::log(half);
        last_half = half;
      }
      double l[kMaxNodes], la[kMaxNodes], lb[kMaxNodes], At[kMaxNodes], Bt[kMaxNodes], d[kMaxNodes];
      double top = kNegInf;
      for (int n = 0; n < count; ++n) {
        d[n] = t0 + half * (1.0 + nodes[n]);
        At[n] = P + u * d[n];
        Bt[n] = Q + v * d[n];
        la[n] = std::log(At[n]);
        lb[n] = std::log(Bt[n]);
        l[n] = log_weights[n] + log_half + lin_d - r_x * la[n] - (s + 1.0) * lb[n];
        top = std::max(top, l[n]);
      }
      if (top > ref) rescale(top);
      double pe = 0.0, pa = 0.0, pad = 0.0, pb = 0.0, pbd = 0.0;
      for (int n = 0; n < count; ++n) {
        const double e = std::exp(l[n] - ref);
        const double ia = e / At[n], ib = e / Bt[n];
        pe += e;
        sum_la += e * la[n];
        sum_lb += e * lb[n];
        pa += ia;
        pb += ib;
        pad += ia * d[n];
        pbd += ib * d[n];
      }
      sum += pe;
      sum_ia += pa;
      sum_ib += pb;
      if (grad) {
        for (size_t j = 0; j < k; ++j) {
          gA[j] += dA[j] * pa + z[j] * u * pad;
          gB[j] += dB[j] * pb + z[j] * v * pbd;
          gz[j] += z[j] * pe;
        }
      }
    };
    // The hazard is constant within the period, so the integrand is
    // (P + u t)^-(r+x) (Q + v t)^-(s+1): smooth unless a base grows by a
    // large factor over the period (small beta or alpha against the weekly
    // rate, e.g. a customer's first weeks without purchases). Three nodes
    // are exact to ~1e-12 when (r+x) u h / P and (s+1) v h / Q are below
    // 0.02; otherwise the period is split where either base has grown by a
    // factor exp(0.5 / power), each part by five nodes (error ~1e-15).
    const double h = hi - lo;
    const double grow = std::max(r_x * u * h / P, (s + 1.0) * v * h / Q);
    if (grow <= 0.02) {
      add_panel(0.0, h, 3, kNode3, kLogWeight3);
    } else {
      const double step_a = std::expm1(0.5 / r_x) / u, step_b = std::expm1(0.5 / (s + 1.0)) / v;
      double t0 = 0.0;
      for (int panel = 0; panel < kMaxPanels && t0 < h; ++panel) {
        double width = std::min(step_a * (P + u * t0), step_b * (Q + v * t0));
        if (panel + 1 == kMaxPanels || t0 + width >= h) width = h - t0;
        add_panel(t0, width, 5, kNode5, kLogWeight5);
        t0 += width;
      }
    }
    const double len = hi - lo;
    A += u * len;
    B += v * len;
    if (grad) {
      for (size_t j = 0; j < k; ++j) {
        dA[j] += z[j] * u * len;
        dB[j] += z[j] * v * len;
      }
    }
  }
  // The died integral carries the factor s; alive at T: (alpha+A(T))^-(r+x) (beta+B(T))^-s.
  const double log_s = std::log(s);
  const double AT = alpha + A, BT = beta + B, laT = std::log(AT), lbT = std::log(BT);
  const double l_alive = -r_x * laT - s * lbT - log_s;  // relative to the s-scaled sums
  if (l_alive > ref) rescale(l_alive);
  const double e1 = std::exp(l_alive - ref);
  const double total = sum + e1;
  const double log_alpha = theta[1], log_beta = theta[3];
  const double* S = rows_.purchase_sum.data() + i * k;
  double ll = std::lgamma(r_x) - std::lgamma(r) + r * log_alpha + s * log_beta + log_s + ref +
              std::log(total);
  for (size_t j = 0; j < k; ++j) ll += gamma_p[j] * S[j];
  if (grad) {
    const double inv = 1.0 / total;
    grad[0] =
        boost::math::digamma(r_x) - boost::math::digamma(r) + log_alpha - (sum_la + e1 * laT) * inv;
    grad[1] = r / alpha - r_x * (sum_ia + e1 / AT) * inv;
    // d/ds: the died part has s^1 (beta+B)^-(s+1), the alive part (beta+B)^-s.
    grad[2] = log_beta + (sum / s - sum_lb - e1 * lbT) * inv;
    grad[3] = s / beta - ((s + 1.0) * sum_ib + s * e1 / BT) * inv;
    for (size_t j = 0; j < k; ++j) {
      grad[4 + j] = -r_x * (gA[j] + e1 * dA[j] / AT) * inv + S[j];
      grad[4 + k + j] = (gz[j] - (s + 1.0) * gB[j] - s * e1 * dB[j] / BT) * inv;
    }
    // Natural scale -> log scale for r, alpha, s, beta.
    grad[0] *= r;
    grad[1] *= alpha;
    grad[2] *= s;
    grad[3] *= beta;
  }
  return ll;
}

double ParetoNbdDynamicModel::log_likelihood(const Eigen::VectorXd& theta,
                                             Eigen::VectorXd* grad) const {
  const size_t np = 4 + 2 * rows_.k;
  if (grad) grad->setZero(static_cast<Eigen::Index>(np));
  for (int q = 0; q < 4; ++q) {
    if (!std::isfinite(std::exp(theta[q])) || !(std::exp(theta[q]) > 0)) return kNegInf;
  }
  struct Partial {
    double ll = 0.0;
    std::vector<double> g;
    bool failed = false;
  };
  // Each customer walks its own periods: a few hundred flops per period, so
  // fewer customers per thread pay off than for the closed-form models.
  const int chunks = row_chunks(rows_.size() * 20, threads_);
  std::vector<Partial> partial(static_cast<size_t>(chunks));
  for_row_chunks(rows_.size(), chunks, [&](size_t begin, size_t end, int c) {
    Partial& out = partial[static_cast<size_t>(c)];
    out.g.assign(np, 0.0);
    std::vector<double> scratch, g(np);
    for (size_t i = begin; i < end; ++i) {
      const double ll = customer_ll(i, theta, grad ? g.data() : nullptr, scratch);
      if (!std::isfinite(ll)) {
        out.failed = true;
        return;
      }
      out.ll += ll;
      if (grad)
        for (size_t q = 0; q < np; ++q) out.g[q] += g[q];
    }
  });
  double total = 0.0;
  for (const Partial& part : partial) {
    if (part.failed) return kNegInf;
    total += part.ll;
    if (grad)
      for (size_t q = 0; q < np; ++q) (*grad)[static_cast<Eigen::Index>(q)] += part.g[q];
  }
  return total;
}

FitResult fit_dynamic_covariate_model(const ParetoNbdDynamicModel& model, const FitOptions& options,
                                      std::string model_name) {
  return fit_from_good_start(
      model,
      [&](const Eigen::VectorXd& theta) { return gradient_difference_hessian(model, theta); },
      options, std::move(model_name));
}

}  // namespace clv
