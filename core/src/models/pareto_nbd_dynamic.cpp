#include "models/pareto_nbd_dynamic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "clv/error.hpp"
#include "models/parallel_rows.hpp"

namespace clv {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// 3-point Gauss-Legendre on [-1, 1].
constexpr double kNode[3] = {-0.7745966692414834, 0.0, 0.7745966692414834};
constexpr double kWeight[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};

// Running log-sum-exp of terms e^{l} with the matching sum of e^{l} * dl, so
// that terms far below the largest one neither underflow nor overflow.
struct LogSumAccumulator {
  double max = kNegInf;
  double sum = 0.0;
  std::vector<double> weighted_grad;

  void reset(size_t np) {
    max = kNegInf;
    sum = 0.0;
    weighted_grad.assign(np, 0.0);
  }
  void add(double l, const double* dl, size_t np) {
    if (l > max) {
      const double rescale = std::isfinite(max) ? std::exp(max - l) : 0.0;
      sum *= rescale;
      for (double& g : weighted_grad) g *= rescale;
      max = l;
    }
    const double w = std::exp(l - max);
    sum += w;
    if (dl)
      for (size_t q = 0; q < np; ++q) weighted_grad[q] += w * dl[q];
  }
};

}  // namespace

ParetoNbdDynamicModel::ParetoNbdDynamicModel(DynamicCovariateRows rows,
                                             const std::vector<std::string>& covariate_names,
                                             const std::vector<double>& start, int threads)
    : rows_(std::move(rows)), start_(start), threads_(threads) {
  if (covariate_names.size() != rows_.k || start_.size() != 4 ||
      rows_.first_period.size() != rows_.size() + 1) {
    throw Error::invalid_argument("dynamic covariate rows are inconsistent with their names/start");
  }
  names_ = {"r", "alpha", "s", "beta"};
  for (const auto& n : covariate_names) names_.push_back("purchase:" + n);
  for (const auto& n : covariate_names) names_.push_back("dropout:" + n);
}

Eigen::VectorXd ParetoNbdDynamicModel::start_params() const {
  Eigen::VectorXd start = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(names_.size()));
  for (int i = 0; i < 4; ++i) start[i] = start_[static_cast<size_t>(i)];
  return start;
}

double ParetoNbdDynamicModel::customer_ll(size_t i, const Eigen::VectorXd& theta, double* grad,
                                          std::vector<double>& scratch) const {
  const size_t k = rows_.k, np = 4 + 2 * k;
  const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), s = std::exp(theta[2]),
               beta = std::exp(theta[3]);
  const double x = rows_.x[i], t_x = rows_.t_x[i], T = rows_.T[i];
  // scratch: dl (np), dA (k), dB (k)
  scratch.resize(np + 2 * k);
  double* dl = scratch.data();
  double* dA = dl + np;
  double* dB = dA + k;
  std::fill(dA, dA + 2 * k, 0.0);
  double A = 0.0, B = 0.0;
  const double log_alpha = std::log(alpha), log_beta = std::log(beta);
  const double base = r * log_alpha + s * log_beta;
  LogSumAccumulator acc;
  acc.reset(grad ? np : 0);

  const size_t first = rows_.first_period[i], last = rows_.first_period[i + 1];
  for (size_t p = first; p < last; ++p) {
    const double a = std::max(0.0, rows_.period_start[p]);
    const double b = p + 1 < last ? std::min(T, rows_.period_start[p + 1]) : T;
    if (!(b > a)) continue;
    const double* z = rows_.z.data() + p * k;
    double lin_p = 0.0, lin_d = 0.0;
    for (size_t j = 0; j < k; ++j) {
      lin_p += theta[static_cast<Eigen::Index>(4 + j)] * z[j];
      lin_d += theta[static_cast<Eigen::Index>(4 + k + j)] * z[j];
    }
    const double u = std::exp(lin_p), v = std::exp(lin_d);
    const double lo = std::max(a, t_x);
    if (b > lo) {
      const double half = 0.5 * (b - lo), mid = 0.5 * (b + lo);
      for (int q = 0; q < 3; ++q) {
        const double tau = mid + half * kNode[q], d = tau - a;
        const double At = alpha + A + u * d, Bt = beta + B + v * d;
        const double l = std::log(kWeight[q] * half) + std::log(s) + lin_d + base -
                         (r + x) * std::log(At) - (s + 1.0) * std::log(Bt);
        if (grad) {
          dl[0] = log_alpha - std::log(At);
          dl[1] = r / alpha - (r + x) / At;
          dl[2] = 1.0 / s + log_beta - std::log(Bt);
          dl[3] = s / beta - (s + 1.0) / Bt;
          for (size_t j = 0; j < k; ++j) {
            dl[4 + j] = -(r + x) / At * (dA[j] + z[j] * u * d);
            dl[4 + k + j] = z[j] - (s + 1.0) / Bt * (dB[j] + z[j] * v * d);
          }
        }
        acc.add(l, grad ? dl : nullptr, grad ? np : 0);
      }
    }
    const double len = b - a;
    A += u * len;
    B += v * len;
    for (size_t j = 0; j < k; ++j) {
      dA[j] += z[j] * u * len;
      dB[j] += z[j] * v * len;
    }
  }
  const double AT = alpha + A, BT = beta + B;
  const double l1 = base - (r + x) * std::log(AT) - s * std::log(BT);
  if (grad) {
    dl[0] = log_alpha - std::log(AT);
    dl[1] = r / alpha - (r + x) / AT;
    dl[2] = log_beta - std::log(BT);
    dl[3] = s / beta - s / BT;
    for (size_t j = 0; j < k; ++j) {
      dl[4 + j] = -(r + x) / AT * dA[j];
      dl[4 + k + j] = -s / BT * dB[j];
    }
  }
  acc.add(l1, grad ? dl : nullptr, grad ? np : 0);

  const double* S = rows_.purchase_sum.data() + i * k;
  double ll = std::lgamma(r + x) - std::lgamma(r) + acc.max + std::log(acc.sum);
  for (size_t j = 0; j < k; ++j) ll += theta[static_cast<Eigen::Index>(4 + j)] * S[j];
  if (grad) {
    for (size_t q = 0; q < np; ++q) grad[q] = acc.weighted_grad[q] / acc.sum;
    grad[0] += boost::math::digamma(r + x) - boost::math::digamma(r);
    for (size_t j = 0; j < k; ++j) grad[4 + j] += S[j];
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

}  // namespace clv
