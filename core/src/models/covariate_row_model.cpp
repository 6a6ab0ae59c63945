#include "models/covariate_row_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>

#include <LBFGS.h>
#include <fmt/format.h>
#include <Eigen/Cholesky>

#include "clv/error.hpp"
#include "models/fit_progress.hpp"
#include "models/identification.hpp"
#include "models/mle_fitter.hpp"
#include "models/parallel_rows.hpp"
#include "models/rfm_rows.hpp"

namespace clv {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// As in models/mle_fitter.cpp: |log param| beyond this is a boundary, not an optimum.
constexpr double kLogParamLimit = 23.0;

}  // namespace

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
  // Only exact duplicates merge: rows are hashed by the raw bytes of
  // (x, t_x, T, z...) and compared byte for byte on a hash match (no key
  // strings: this runs once per customer).
  const auto bits = [](double v) {
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
  };
  const auto same = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  std::unordered_multimap<uint64_t, size_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double* zi = z.data() + i * k;
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    const auto mix = [&](double v) {
      h = (h ^ bits(v)) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    };
    mix(x[i]);
    mix(t_x[i]);
    mix(T[i]);
    for (size_t j = 0; j < k; ++j) mix(zi[j]);
    bool merged = false;
    for (auto [it, end] = index.equal_range(h); it != end; ++it) {
      const size_t r = it->second;
      bool equal = same(out.x[r], x[i]) && same(out.t_x[r], t_x[i]) && same(out.T[r], T[i]);
      for (size_t j = 0; equal && j < k; ++j) equal = same(out.z[r * k + j], zi[j]);
      if (equal) {
        out.weight[r] += 1.0;
        merged = true;
        break;
      }
    }
    if (merged) continue;
    index.emplace(h, out.x.size());
    out.x.push_back(x[i]);
    out.t_x.push_back(t_x[i]);
    out.T.push_back(T[i]);
    out.weight.push_back(1.0);
    out.z.insert(out.z.end(), zi, zi + k);
  }
  return out;
}

CovariateRowModel::CovariateRowModel(CovariateRows rows,
                                     const std::vector<std::string>& covariate_names,
                                     const std::vector<double>& start, int threads,
                                     CovariateLink link)
    : rows_(std::move(rows)), link_(std::move(link)), start_(start), threads_(threads) {
  if (covariate_names.size() != rows_.k) {
    throw Error::invalid_argument(
        fmt::format("{} covariate names for {} covariates", covariate_names.size(), rows_.k));
  }
  if (start_.size() != 4) {
    throw Error::invalid_argument(fmt::format("start needs {}, {}, {}, {}", link_.base_names[0],
                                              link_.base_names[1], link_.base_names[2],
                                              link_.base_names[3]));
  }
  covariate_names_ = covariate_names;
  names_.assign(link_.base_names.begin(), link_.base_names.end());
  for (const auto& prefix : link_.group_prefix)
    for (const auto& n : covariate_names) names_.push_back(prefix + n);
  for (double w : rows_.weight) n_customers_ += w;
  // Rows sorted by x: kernels cache per-x series coefficients between rows.
  std::vector<size_t> order(rows_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rows_.x[a] < rows_.x[b]; });
  CovariateRows sorted;
  sorted.k = rows_.k;
  for (size_t i : order) {
    sorted.x.push_back(rows_.x[i]);
    sorted.t_x.push_back(rows_.t_x[i]);
    sorted.T.push_back(rows_.T[i]);
    sorted.weight.push_back(rows_.weight[i]);
    sorted.z.insert(sorted.z.end(), rows_.z.begin() + i * rows_.k,
                    rows_.z.begin() + (i + 1) * rows_.k);
  }
  rows_ = std::move(sorted);
  std::map<double, uint32_t> index;
  for (double x : rows_.x) index.emplace(x, 0);
  for (auto& [x, i] : index) {
    i = static_cast<uint32_t>(distinct_x_.size());
    distinct_x_.push_back(x);
  }
  row_x_index_.reserve(rows_.size());
  for (double x : rows_.x) row_x_index_.push_back(index[x]);
}

std::unique_ptr<CovariateRowModel> CovariateRowModel::subsample(size_t stride) const {
  const size_t k = rows_.k;
  CovariateRows sample;
  sample.k = k;
  for (size_t i = 0; i < rows_.size(); i += std::max<size_t>(1, stride)) {
    sample.x.push_back(rows_.x[i]);
    sample.t_x.push_back(rows_.t_x[i]);
    sample.T.push_back(rows_.T[i]);
    sample.weight.push_back(rows_.weight[i]);
    sample.z.insert(sample.z.end(), rows_.z.begin() + i * k, rows_.z.begin() + (i + 1) * k);
  }
  return with_rows(std::move(sample));
}

Eigen::VectorXd CovariateRowModel::start_params() const {
  Eigen::VectorXd start = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(names_.size()));
  for (int i = 0; i < 4; ++i) start[i] = start_[static_cast<size_t>(i)];
  return start;  // multipliers exp(gamma) = 1: no covariate effect
}

double CovariateRowModel::log_likelihood(const Eigen::VectorXd& theta,
                                         Eigen::VectorXd* grad) const {
  const size_t k = rows_.k, np = 4 + 2 * k;
  if (grad) grad->setZero(static_cast<Eigen::Index>(np));
  const double r = std::exp(theta[0]);
  for (int q = 0; q < 4; ++q) {
    const double v = std::exp(theta[q]);
    if (!(std::isfinite(v) && v > 0.0)) return kNegInf;
  }
  std::vector<pnbd_kernel::CountTerms> counts(distinct_x_.size());
  for (size_t i = 0; i < distinct_x_.size(); ++i) {
    counts[i] = pnbd_kernel::count_terms(r, distinct_x_[i]);
  }
  const double* gamma = theta.data() + 4;
  struct Partial {
    double ll = 0.0;
    std::vector<double> g;
    bool failed = false;
  };
  // A row costs ~0.2-0.5 us (the Pareto/NBD's two tail integrals): 4,000
  // rows per chunk already pay for a thread.
  const int chunks = row_chunks(rows_.size() * 5, threads_);
  std::vector<Partial> partial(static_cast<size_t>(chunks));
  for_row_chunks(rows_.size(), chunks, [&](size_t begin, size_t end, int c) {
    Partial& out = partial[static_cast<size_t>(c)];
    out.g.assign(np, 0.0);
    double g4[4] = {0, 0, 0, 0};
    for (size_t i = begin; i < end; ++i) {
      const double* z = rows_.z.data() + i * k;
      double lin[2] = {0.0, 0.0};
      for (size_t j = 0; j < k; ++j) {
        lin[0] += gamma[j] * z[j];
        lin[1] += gamma[k + j] * z[j];
      }
      double q[4];
      for (int p = 0; p < 4; ++p) {
        const int group = link_.group[p];
        q[p] = std::exp(group < 0 ? theta[p] : theta[p] + link_.sign[p] * lin[group]);
        if (!(q[p] > 0 && std::isfinite(q[p]))) {
          out.failed = true;
          return;
        }
      }
      const double w = rows_.weight[i];
      const double ll = row_log_likelihood(i, q, counts[row_x_index_[i]], grad ? g4 : nullptr);
      if (!std::isfinite(ll)) {
        out.failed = true;
        return;
      }
      out.ll += w * ll;
      if (grad) {
        double* g = out.g.data();
        for (int p = 0; p < 4; ++p) {
          g[p] += w * g4[p];
          const int group = link_.group[p];
          if (group < 0) continue;
          // d log q / d gamma_j = sign * z_j.
          const double f = w * link_.sign[p] * g4[p];
          double* gg = g + 4 + static_cast<size_t>(group) * k;
          for (size_t j = 0; j < k; ++j) gg[j] += f * z[j];
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
  return std::isfinite(total) ? total : kNegInf;
}

Eigen::MatrixXd CovariateRowModel::hessian(const Eigen::VectorXd& theta) const {
  const size_t k = rows_.k, np = 4 + 2 * k;
  const double* gamma = theta.data() + 4;
  // The r- and x-only terms at r and at the perturbed r (the step on log r
  // is the same for every row).
  const double r_step = 1e-5 * std::max(1.0, std::abs(theta[0]));
  std::vector<pnbd_kernel::CountTerms> counts_at[2];
  for (int v = 0; v < 2; ++v) {
    const double r = std::exp(theta[0] + (v == 0 ? 0.0 : r_step));
    for (double x : distinct_x_) counts_at[v].push_back(pnbd_kernel::count_terms(r, x));
  }
  const int chunks = row_chunks(rows_.size(), threads_);
  std::vector<Eigen::MatrixXd> partial(static_cast<size_t>(chunks));
  std::vector<char> failed(static_cast<size_t>(chunks), 0);
  for_row_chunks(rows_.size(), chunks, [&](size_t begin, size_t end, int c) {
    Eigen::MatrixXd& h = partial[static_cast<size_t>(c)];
    h.setZero(static_cast<Eigen::Index>(np), static_cast<Eigen::Index>(np));
    // Row Hessians in log q by forward differences of the analytic row
    // gradient (5 kernel calls per row; central ones would need 8 for an
    // accuracy far below what standard errors show), one perturbation at a
    // time over a block of rows, so that the kernel's per-x caches stay valid
    // from row to row.
    constexpr size_t kBlock = 512;
    std::vector<double> log_q_block(kBlock * 4), g_block(kBlock * 20);
    for (size_t block = begin; block < end; block += kBlock) {
      const size_t block_end = std::min(end, block + kBlock);
      for (size_t i = block; i < block_end; ++i) {
        const double* z = rows_.z.data() + i * k;
        double lin[2] = {0.0, 0.0};
        for (size_t j = 0; j < k; ++j) {
          lin[0] += gamma[j] * z[j];
          lin[1] += gamma[k + j] * z[j];
        }
        for (int p = 0; p < 4; ++p) {
          const int group = link_.group[p];
          log_q_block[(i - block) * 4 + p] =
              group < 0 ? theta[p] : theta[p] + link_.sign[p] * lin[group];
        }
      }
      // Perturbation p = 0..3 moves log q_p up; p = 4 is the point itself.
      for (int p = 0; p < 5; ++p) {
        for (size_t i = block; i < block_end; ++i) {
          const double* log_q = &log_q_block[(i - block) * 4];
          double q[4];
          for (int m = 0; m < 4; ++m) {
            q[m] =
                std::exp(m == p ? log_q[m] + 1e-5 * std::max(1.0, std::abs(log_q[m])) : log_q[m]);
          }
          double* g = &g_block[(i - block) * 20 + static_cast<size_t>(p * 4)];
          const auto& counts = p != 0 ? counts_at[0] : counts_at[1];
          const double ll = row_log_likelihood(i, q, counts[row_x_index_[i]], g);
          if (!std::isfinite(ll)) {
            failed[static_cast<size_t>(c)] = 1;
            return;
          }
        }
      }
      for (size_t i = block; i < block_end; ++i) {
        const double* z = rows_.z.data() + i * k;
        const double* log_q = &log_q_block[(i - block) * 4];
        const double* g_at = &g_block[(i - block) * 20 + 16];
        double H[4][4];
        for (int p = 0; p < 4; ++p) {
          const double step = 1e-5 * std::max(1.0, std::abs(log_q[p]));
          const double* g_up = &g_block[(i - block) * 20 + static_cast<size_t>(p * 4)];
          for (int m = 0; m < 4; ++m) H[m][p] = (g_up[m] - g_at[m]) / step;
        }
        const double w = rows_.weight[i];
        for (int p = 0; p < 4; ++p)
          for (int m = 0; m < p; ++m) H[p][m] = H[m][p] = 0.5 * (H[p][m] + H[m][p]);
        // theta_p/theta_m block, then base x gamma and gamma x gamma blocks.
        for (int p = 0; p < 4; ++p)
          for (int m = 0; m < 4; ++m) h(p, m) += w * H[p][m];
        double base_group[4][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
        double group_group[2][2] = {{0, 0}, {0, 0}};
        for (int p = 0; p < 4; ++p) {
          for (int m = 0; m < 4; ++m) {
            const int gm = link_.group[m];
            if (gm < 0) continue;
            base_group[p][gm] += H[p][m] * link_.sign[m];
            const int gp = link_.group[p];
            if (gp >= 0) group_group[gp][gm] += link_.sign[p] * H[p][m] * link_.sign[m];
          }
        }
        for (int p = 0; p < 4; ++p) {
          for (int g = 0; g < 2; ++g) {
            const double f = w * base_group[p][g];
            if (f == 0.0) continue;
            for (size_t j = 0; j < k; ++j) {
              const auto col = static_cast<Eigen::Index>(4 + g * k + j);
              h(p, col) += f * z[j];
              h(col, p) += f * z[j];
            }
          }
        }
        for (int g1 = 0; g1 < 2; ++g1) {
          for (int g2 = 0; g2 < 2; ++g2) {
            const double f = w * group_group[g1][g2];
            if (f == 0.0) continue;
            for (size_t a = 0; a < k; ++a) {
              const double fa = f * z[a];
              for (size_t b = 0; b < k; ++b) {
                h(static_cast<Eigen::Index>(4 + g1 * k + a),
                  static_cast<Eigen::Index>(4 + g2 * k + b)) += fa * z[b];
              }
            }
          }
        }
      }
    }
  });
  Eigen::MatrixXd total =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(np), static_cast<Eigen::Index>(np));
  for (size_t c = 0; c < partial.size(); ++c) {
    if (failed[c]) {
      total.setConstant(std::numeric_limits<double>::quiet_NaN());
      return total;
    }
    total += partial[c];
  }
  return total;
}

namespace {

struct StopNow {};

// -LL / n with its gradient for LBFGSpp; remembers the best point and stops
// once the relative gradient is far inside the acceptance tolerance.
class ScaledObjective {
 public:
  ScaledObjective(const LikelihoodModel& model, double l2, double stop,
                  const ProgressCallback& progress)
      : model_(model),
        l2_(l2),
        stop_(stop),
        scale_(1.0 / std::max(1.0, model.n_customers())),
        progress_(progress) {}
  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    if (!theta.allFinite() || theta.cwiseAbs().maxCoeff() > 2 * kLogParamLimit) {
      grad.setZero();
      return std::numeric_limits<double>::infinity();
    }
    Eigen::VectorXd g(theta.size());
    const double ll = penalized(theta, &g);
    if (!std::isfinite(ll) || !g.allFinite()) {
      grad.setZero();
      return std::numeric_limits<double>::infinity();
    }
    grad = -g * scale_;
    if (ll > best_ll) {
      best_ll = ll;
      best_theta = theta;
      best_gradient = g;
      best_relative_gradient = g.norm() / std::max(1.0, std::abs(ll));
      if (g.norm() <= stop_ * std::max(1.0, std::abs(ll))) throw StopNow{};
    }
    return -ll * scale_;
  }
  double penalized(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const {
    note_likelihood_pass(progress_);
    double ll = model_.log_likelihood(theta, grad) - l2_ * theta.squaredNorm();
    if (grad) *grad -= 2.0 * l2_ * theta;
    return ll;
  }
  double best_ll = kNegInf;
  double best_relative_gradient = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_theta, best_gradient;  // penalized LL gradient at best_theta

 private:
  const LikelihoodModel& model_;
  double l2_, stop_, scale_;
  const ProgressCallback& progress_;
};

}  // namespace

namespace {

// A point where the penalized LL and its gradient are already known.
struct EvaluatedPoint {
  Eigen::VectorXd theta, gradient;
  double penalized_ll = kNegInf;
};

// fit_from_good_start; when `known` already meets the stopping rule, L-BFGS
// is skipped and the fit finishes there (Hessian, standard errors).
FitResult fit_from_start(const LikelihoodModel& model,
                         const std::function<Eigen::MatrixXd(const Eigen::VectorXd&)>& hessian,
                         const FitOptions& options, std::string model_name,
                         const EvaluatedPoint* known);

FitResult fit_covariate_row_model_counted(const CovariateRowModel& model, const FitOptions& options,
                                          std::string model_name, size_t subsample_min_rows);

}  // namespace

FitResult fit_covariate_row_model(const CovariateRowModel& model, const FitOptions& caller_options,
                                  std::string model_name, size_t subsample_min_rows) {
  FitOptions options = caller_options;
  FitProgressScope progress(options);
  FitResult fit =
      fit_covariate_row_model_counted(model, options, std::move(model_name), subsample_min_rows);
  progress.finish();
  return fit;
}

namespace {

FitResult fit_covariate_row_model_counted(const CovariateRowModel& model, const FitOptions& options,
                                          std::string model_name, size_t subsample_min_rows) {
  const auto structured = [](const CovariateRowModel& m) {
    return [&m](const Eigen::VectorXd& theta) { return m.hessian(theta); };
  };
  constexpr size_t kStride = 10;
  if (model.n_rows() < subsample_min_rows || !options.start.empty() ||
      model.n_rows() < 20 * kStride) {
    return fit_from_good_start(model, structured(model), options, std::move(model_name));
  }
  // The subsample's optimum is within a few of its standard errors of the
  // full one, where the likelihood is close to quadratic: Newton steps with
  // the subsample's Hessian scaled by n / n_sample (the chord method) then
  // converge on all rows in a few passes.
  const std::unique_ptr<CovariateRowModel> sample = model.subsample(kStride);
  const FitResult sample_fit =
      fit_from_good_start(*sample, structured(*sample), options, model_name);
  if (!sample_fit.converged ||
      sample_fit.covariance.size() != sample_fit.params.size() * sample_fit.params.size()) {
    return fit_from_good_start(model, structured(model), options, std::move(model_name));
  }
  const auto k = static_cast<Eigen::Index>(sample_fit.params.size());
  Eigen::VectorXd theta(k);
  Eigen::MatrixXd step_matrix(k, k);  // ~ (-Hessian of all rows)^-1 on the theta scale
  const double ratio = model.n_customers() / sample->n_customers();
  for (Eigen::Index i = 0; i < k; ++i) {
    theta[i] = std::log(sample_fit.params[static_cast<size_t>(i)]);
    for (Eigen::Index j = 0; j < k; ++j) {
      step_matrix(i, j) = sample_fit.covariance[static_cast<size_t>(i * k + j)] /
                          (sample_fit.params[static_cast<size_t>(i)] *
                           sample_fit.params[static_cast<size_t>(j)] * ratio);
    }
  }
  ScaledObjective objective(model, options.l2_penalty, 0.0, options.progress);
  Eigen::VectorXd g(k);
  double pll = objective.penalized(theta, &g);
  int steps = 0;
  const double target = 1e-2 * options.gradient_tolerance;
  for (; steps < 8 && std::isfinite(pll) && g.allFinite() &&
         g.norm() > target * std::max(1.0, std::abs(pll));
       ++steps) {
    const Eigen::VectorXd trial = theta + step_matrix * g;
    Eigen::VectorXd g_trial(k);
    const double ll_trial = objective.penalized(trial, &g_trial);
    if (!std::isfinite(ll_trial) || !g_trial.allFinite() || !(g_trial.norm() < g.norm()) ||
        ll_trial < pll - 1e-12 * std::abs(pll) || trial.cwiseAbs().maxCoeff() >= kLogParamLimit) {
      break;
    }
    theta = trial, g = g_trial, pll = ll_trial;
  }
  // only confirms convergence, or continues with L-BFGS, and adds the Hessian.
  FitOptions polished = options;
  polished.start.resize(static_cast<size_t>(k));
  for (Eigen::Index i = 0; i < k; ++i) polished.start[static_cast<size_t>(i)] = std::exp(theta[i]);
  const EvaluatedPoint known{theta, g, pll};
  FitResult fit = fit_from_start(model, structured(model), polished, std::move(model_name), &known);
  fit.iterations += sample_fit.iterations + steps;
  return fit;
}

}  // namespace

Eigen::MatrixXd gradient_difference_hessian(const LikelihoodModel& model,
                                            const Eigen::VectorXd& theta) {
  const Eigen::Index k = theta.size();
  Eigen::MatrixXd h(k, k);
  Eigen::VectorXd g_up(k), g_down(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double step = 1e-5 * std::max(1.0, std::abs(theta[j]));
    Eigen::VectorXd up = theta, down = theta;
    up[j] += step;
    down[j] -= step;
    model.log_likelihood(up, &g_up);
    model.log_likelihood(down, &g_down);
    h.col(j) = (g_up - g_down) / (2 * step);
  }
  return 0.5 * (h + h.transpose());
}

FitResult fit_from_good_start(const LikelihoodModel& model,
                              const std::function<Eigen::MatrixXd(const Eigen::VectorXd&)>& hessian,
                              const FitOptions& caller_options, std::string model_name) {
  FitOptions options = caller_options;
  FitProgressScope progress(options);
  FitResult fit = fit_from_start(model, hessian, options, std::move(model_name), nullptr);
  progress.finish();
  return fit;
}

namespace {

FitResult fit_from_start(const LikelihoodModel& model,
                         const std::function<Eigen::MatrixXd(const Eigen::VectorXd&)>& hessian,
                         const FitOptions& options, std::string model_name,
                         const EvaluatedPoint* known) {
  if (!(options.l2_penalty >= 0) || !std::isfinite(options.l2_penalty) ||
      !(options.gradient_tolerance > 0)) {
    throw Error::invalid_argument("l2_penalty must be >= 0 and gradient_tolerance > 0");
  }
  if (model.n_rows() == 0 || !(model.n_customers() > 0)) {
    throw Error::invalid_argument(
        fmt::format("cannot fit {}: no customers in the data", model_name));
  }
  Eigen::VectorXd theta = model.start_params().array().log().matrix();
  if (!options.start.empty()) {
    if (options.start.size() != static_cast<size_t>(theta.size()))
      return maximize_likelihood(model, options, std::move(model_name));  // it explains the error
    for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] = std::log(options.start[i]);
  }
  ScaledObjective objective(model, options.l2_penalty, 1e-2 * options.gradient_tolerance,
                            options.progress);
  LBFGSpp::LBFGSParam<double> param;  // as models/mle_fitter.cpp
  param.m = 8;
  param.epsilon = 1e-10;
  param.epsilon_rel = 1e-10;
  param.past = 1;
  param.delta = 1e-13;
  param.max_iterations = std::max(1, options.max_iterations);
  param.max_linesearch = 40;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  // max_step bounds the step *multiplier* of the search direction; near a good
  // start the gradient (scaled by 1/n) is small, so the first step 1/|d| alone
  // can exceed 10 and a cap there aborts every line search.
  param.max_step = 1e20;
  int iterations = 0;
  const double stop = 1e-2 * options.gradient_tolerance;
  const bool known_converged =
      known && std::isfinite(known->penalized_ll) && known->gradient.allFinite() &&
      known->gradient.size() == theta.size() &&
      known->gradient.norm() <= stop * std::max(1.0, std::abs(known->penalized_ll));
  if (known_converged) {
    objective.best_ll = known->penalized_ll;
    objective.best_theta = known->theta;
    objective.best_gradient = known->gradient;
    objective.best_relative_gradient =
        known->gradient.norm() / std::max(1.0, std::abs(known->penalized_ll));
  }
  for (int attempt = 0; attempt < 3 && !known_converged; ++attempt) {
    LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchBacktracking> solver(param);
    Eigen::VectorXd x = objective.best_ll > kNegInf ? objective.best_theta : theta;
    double fx = 0.0;
    try {
      iterations += solver.minimize(objective, x, fx);
    } catch (const StopNow&) {
      break;
    } catch (const std::exception&) {
      // Line search failures near the optimum: restart from the best point.
    }
    if (objective.best_relative_gradient <= options.gradient_tolerance) break;
  }
  // Accept only a clean interior optimum; anything else goes to the general fitter.
  const auto fall_back = [&] { return maximize_likelihood(model, options, model_name); };
  if (!(objective.best_ll > kNegInf)) return fall_back();
  const Eigen::VectorXd best = objective.best_theta;
  const auto k = best.size();
  // The objective already evaluated the penalized LL and gradient there.
  const Eigen::VectorXd g = objective.best_gradient;
  const double pll = objective.best_ll;
  if (!std::isfinite(pll) || !g.allFinite() ||
      g.norm() > options.gradient_tolerance * std::max(1.0, std::abs(pll)) ||
      best.cwiseAbs().maxCoeff() >= kLogParamLimit) {
    return fall_back();
  }
  Eigen::MatrixXd h = hessian(best);
  h.diagonal().array() -= 2.0 * options.l2_penalty;
  Eigen::LLT<Eigen::MatrixXd> llt(-h);
  if (!h.allFinite() || llt.info() != Eigen::Success) return fall_back();
  const Eigen::MatrixXd cov = llt.solve(Eigen::MatrixXd::Identity(k, k));
  if (!cov.allFinite() || (cov.diagonal().array() <= 0).any()) return fall_back();

  FitResult result;
  result.model = std::move(model_name);
  result.param_names = model.param_names();
  result.n_customers = model.n_customers();
  result.n_rows = model.n_rows();
  result.iterations = iterations;
  result.params.resize(k);
  result.std_errors.resize(k);
  result.covariance.resize(k * k);
  for (Eigen::Index i = 0; i < k; ++i) result.params[i] = std::exp(best[i]);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index j = 0; j < k; ++j) {
      result.covariance[i * k + j] = result.params[i] * result.params[j] * cov(i, j);
    }
    result.std_errors[i] = result.params[i] * std::sqrt(cov(i, i));
  }
  result.warnings = identification_warnings(result.param_names, best, -h, cov);
  result.log_likelihood = options.l2_penalty == 0.0 ? pll : model.log_likelihood(best, nullptr);
  result.aic = 2.0 * k - 2.0 * result.log_likelihood;
  result.bic = k * std::log(model.n_customers()) - 2.0 * result.log_likelihood;
  result.gradient_norm = g.norm();
  result.converged = true;
  return result;
}

}  // namespace
}  // namespace clv
