#include "models/pareto_nbd_covariates.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "models/parallel_rows.hpp"
#include "models/pareto_nbd_kernel.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

CovariateRows collapse_covariate_rows(const std::vector<double>& x, const std::vector<double>& t_x,
                                      const std::vector<double>& T, const std::vector<double>& z,
                                      size_t k) {
  validate_rfm(x, t_x, T, {});
  const size_t n = x.size();
  if (z.size() != n * k) {
    throw Error::invalid_argument(fmt::format(
        "covariates hold {} values but {} customers x {} covariates need {}; give one row per "
        "customer",
        z.size(), n, k, n * k));
  }
  for (size_t i = 0; i < z.size(); ++i) {
    if (!std::isfinite(z[i])) {
      throw Error::invalid_argument(fmt::format(
          "covariate {} of customer {} (0-based) is not finite; fill or drop it", i % k, i / k));
    }
  }
  CovariateRows out;
  out.k = k;
  // Key: the raw bytes of (x, t_x, T, z...), so only exact duplicates merge.
  std::unordered_map<std::string, size_t> index;
  index.reserve(n);
  std::string key((3 + k) * sizeof(double), '\0');
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(key.data(), &x[i], sizeof(double));
    std::memcpy(key.data() + sizeof(double), &t_x[i], sizeof(double));
    std::memcpy(key.data() + 2 * sizeof(double), &T[i], sizeof(double));
    if (k) std::memcpy(key.data() + 3 * sizeof(double), &z[i * k], k * sizeof(double));
    auto [it, inserted] = index.try_emplace(key, out.x.size());
    if (inserted) {
      out.x.push_back(x[i]);
      out.t_x.push_back(t_x[i]);
      out.T.push_back(T[i]);
      out.weight.push_back(1.0);
      out.z.insert(out.z.end(), z.begin() + i * k, z.begin() + (i + 1) * k);
    } else {
      out.weight[it->second] += 1.0;
    }
  }
  return out;
}

ParetoNbdCovariateModel::ParetoNbdCovariateModel(CovariateRows rows,
                                                 const std::vector<std::string>& covariate_names,
                                                 const std::vector<double>& start, int threads)
    : rows_(std::move(rows)), start_(start), threads_(threads) {
  if (covariate_names.size() != rows_.k) {
    throw Error::invalid_argument(
        fmt::format("{} covariate names for {} covariates", covariate_names.size(), rows_.k));
  }
  if (start_.size() != 4) throw Error::invalid_argument("start needs r, alpha, s, beta");
  names_ = {"r", "alpha", "s", "beta"};
  for (const auto& n : covariate_names) names_.push_back("purchase:" + n);
  for (const auto& n : covariate_names) names_.push_back("dropout:" + n);
  for (double w : rows_.weight) n_customers_ += w;
  std::map<double, uint32_t> index;
  for (double x : rows_.x) index.emplace(x, 0);
  for (auto& [x, i] : index) {
    i = static_cast<uint32_t>(distinct_x_.size());
    distinct_x_.push_back(x);
  }
  row_x_index_.reserve(rows_.size());
  for (double x : rows_.x) row_x_index_.push_back(index[x]);
}

Eigen::VectorXd ParetoNbdCovariateModel::start_params() const {
  Eigen::VectorXd start = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(names_.size()));
  for (int i = 0; i < 4; ++i) start[i] = start_[i];
  return start;  // multipliers exp(gamma) = 1: no covariate effect
}

double ParetoNbdCovariateModel::log_likelihood(const Eigen::VectorXd& theta,
                                               Eigen::VectorXd* grad) const {
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  const size_t k = rows_.k, np = 4 + 2 * k;
  if (grad) grad->setZero(static_cast<Eigen::Index>(np));
  const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), s = std::exp(theta[2]),
               beta = std::exp(theta[3]);
  for (double v : {r, alpha, s, beta}) {
    if (!(std::isfinite(v) && v > 0.0)) return kNegInf;
  }
  std::vector<pnbd_kernel::CountTerms> counts(distinct_x_.size());
  for (size_t i = 0; i < distinct_x_.size(); ++i)
    counts[i] = pnbd_kernel::count_terms(r, distinct_x_[i]);
  const double* gamma = theta.data() + 4;
  struct Partial {
    double ll = 0.0;
    std::vector<double> g;
    bool failed = false;
  };
  // Each row costs ~0.3 us (two tail integrals): 4096 rows per chunk are enough.
  const int chunks = row_chunks(rows_.size() * 5, threads_);
  std::vector<Partial> partial(static_cast<size_t>(chunks));
  for_row_chunks(rows_.size(), chunks, [&](size_t begin, size_t end, int c) {
    Partial& out = partial[static_cast<size_t>(c)];
    out.g.assign(np, 0.0);
    double g4[4] = {0, 0, 0, 0};
    for (size_t i = begin; i < end; ++i) {
      const double* z = rows_.z.data() + i * k;
      double lin_p = 0.0, lin_d = 0.0;
      for (size_t j = 0; j < k; ++j) {
        lin_p += gamma[j] * z[j];
        lin_d += gamma[k + j] * z[j];
      }
      const double alpha_i = alpha * std::exp(-lin_p), beta_i = beta * std::exp(-lin_d);
      if (!(alpha_i > 0 && beta_i > 0 && std::isfinite(alpha_i) && std::isfinite(beta_i))) {
        out.failed = true;
        return;
      }
      const double w = rows_.weight[i];
      const double ll =
          pnbd_kernel::row_log_likelihood(r, alpha_i, s, beta_i, rows_.x[i], rows_.t_x[i],
                                          rows_.T[i], counts[row_x_index_[i]], grad ? g4 : nullptr);
      if (!std::isfinite(ll)) {
        out.failed = true;
        return;
      }
      out.ll += w * ll;
      if (grad) {
        // d log(alpha_i) / d log(alpha) = 1 and / d gamma_j = -z_j; same for beta.
        for (int q = 0; q < 4; ++q) out.g[static_cast<size_t>(q)] += w * g4[q];
        const double wa = w * g4[1], wb = w * g4[3];
        double* gp = out.g.data() + 4;
        for (size_t j = 0; j < k; ++j) {
          gp[j] -= wa * z[j];
          gp[k + j] -= wb * z[j];
        }
      }
    }
  });
  double total = 0.0;
  for (const Partial& part : partial) {
    if (part.failed) return kNegInf;
    total += part.ll;
    if (grad) {
      for (size_t q = 0; q < np; ++q) (*grad)[static_cast<Eigen::Index>(q)] += part.g[q];
    }
  }
  return total;
}

void covariate_fit_to_gammas(FitResult& fit) {
  const size_t np = fit.params.size();
  // Jacobian factor from the fitter's natural scale to ours: 1 for r, alpha,
  // s, beta; 1 / e^gamma for each multiplier (d gamma / d e^gamma).
  std::vector<double> factor(np, 1.0);
  for (size_t i = 4; i < np; ++i) {
    factor[i] = 1.0 / fit.params[i];
    fit.params[i] = std::log(fit.params[i]);
    fit.std_errors[i] *= factor[i];
  }
  if (fit.covariance.size() == np * np) {
    for (size_t a = 0; a < np; ++a)
      for (size_t b = 0; b < np; ++b) fit.covariance[a * np + b] *= factor[a] * factor[b];
  }
}

}  // namespace clv
