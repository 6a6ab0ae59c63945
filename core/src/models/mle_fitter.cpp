#include "models/mle_fitter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <vector>

#include <LBFGS.h>
#include <fmt/format.h>
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "clv/error.hpp"
#include "models/fit_progress.hpp"
#include "models/identification.hpp"

namespace clv {
namespace {

// |log(param)| beyond this means the parameter ran off to 0 or infinity: the
// data do not identify it, and the "optimum" is a boundary, not a maximum.
constexpr double kLogParamLimit = 23.0;

// Thrown by the objective when a point meets the (tight) stopping tolerance:
// LBFGSpp's own tests are absolute, and near the optimum of a 10M-customer LL
// its line search would otherwise burn dozens of evaluations on rounding noise.
struct ReachedTolerance {};

// Every fit ends in bounded time: after this many likelihood evaluations over
// all starts (a converging fit needs tens) the best point so far is reported,
// with "did not converge" naming the parameter that ran away if one did.
constexpr int kMaxEvaluations = 5000;
struct BudgetExhausted {};

// The penalized negative log-likelihood, divided by the number of customers
// so that L-BFGS tolerances mean the same for 2,357 and 10M customers.
class Objective {
 public:
  Objective(const LikelihoodModel& model, double l2_penalty, const ProgressCallback& progress)
      : model_(model),
        l2_(l2_penalty),
        scale_(1.0 / std::max(1.0, model.n_customers())),
        progress_(progress) {}

  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    if (++evaluations_ > kMaxEvaluations) throw BudgetExhausted{};
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
    if (ll > best_ll_) {
      best_ll_ = ll;
      best_theta_ = theta;
      best_gradient_ = g;
      if (g.norm() <= stop_tolerance_ * std::max(1.0, std::abs(ll))) throw ReachedTolerance{};
    }
    return -ll * scale_;
  }

  // The best point evaluated since the last reset: where a failed line search
  // leaves the iterate is a trial point, not necessarily the best one.
  void reset_best() { best_ll_ = -std::numeric_limits<double>::infinity(); }
  void set_stop_tolerance(double relative) { stop_tolerance_ = relative; }
  bool has_best() const { return std::isfinite(best_ll_); }
  const Eigen::VectorXd& best_theta() const { return best_theta_; }
  // The penalized LL and its gradient at best_theta().
  double best_ll() const { return best_ll_; }
  const Eigen::VectorXd& best_gradient() const { return best_gradient_; }

  // Penalized log-likelihood and its gradient on the log scale.
  double penalized(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const {
    note_likelihood_pass(progress_);
    double ll = model_.log_likelihood(theta, grad);
    ll -= l2_ * theta.squaredNorm();
    if (grad) *grad -= 2.0 * l2_ * theta;
    return ll;
  }

  int evaluations() const { return evaluations_; }

  // The model's analytic Hessian of the penalized LL, when it has one.
  bool analytic_hessian(const Eigen::VectorXd& theta, Eigen::MatrixXd& h) const {
    if (!model_.hessian(theta, h)) return false;
    h.diagonal().array() -= 2.0 * l2_;
    return h.allFinite();
  }

 private:
  const LikelihoodModel& model_;
  double l2_;
  double scale_;
  const ProgressCallback& progress_;
  int evaluations_ = 0;
  double best_ll_ = -std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_theta_, best_gradient_;
  double stop_tolerance_ = 0.0;
};

struct Candidate {
  Eigen::VectorXd theta, gradient;
  double ll = -std::numeric_limits<double>::infinity();
  double relative_gradient = std::numeric_limits<double>::infinity();
  double gradient_norm = std::numeric_limits<double>::infinity();
  int iterations = 0;
  std::string note;
};

bool gradient_ok(const Candidate& c, double tolerance) {
  return std::isfinite(c.ll) && c.relative_gradient <= tolerance;
}

void measure(const Objective& objective, Candidate& c) {
  Eigen::VectorXd g(c.theta.size());
  if (objective.has_best() && c.theta == objective.best_theta()) {
    c.ll = objective.best_ll();  // evaluated already: a 10M-customer fit saves one pass
    g = objective.best_gradient();
  } else {
    c.ll = objective.penalized(c.theta, &g);
  }
  if (!std::isfinite(c.ll) || !g.allFinite()) {
    c.ll = -std::numeric_limits<double>::infinity();
    return;
  }
  c.gradient = g;
  c.gradient_norm = g.norm();
  c.relative_gradient = c.gradient_norm / std::max(1.0, std::abs(c.ll));
}

// With an analytic Hessian, L-BFGS only needs to reach the basin of the
// optimum: Newton steps from there converge quadratically, in two or three
// passes instead of the ten or more L-BFGS spends on the last digits.
constexpr double kNewtonHandover = 1e-3;  // relative gradient where L-BFGS hands over

// Newton steps with step halving while the Hessian is negative definite;
// stops at the fitter's own stopping tolerance or when a step cannot improve.
void newton_polish(Objective& objective, Candidate& c, const FitOptions& options) {
  const double target = 1e-2 * options.gradient_tolerance;
  Eigen::MatrixXd h;
  for (int step = 0; step < 20 && std::isfinite(c.ll) && c.relative_gradient > target; ++step) {
    if (!objective.analytic_hessian(c.theta, h)) return;
    Eigen::LLT<Eigen::MatrixXd> llt(-h);
    if (llt.info() != Eigen::Success) return;  // not concave here: leave it to L-BFGS
    Eigen::VectorXd direction = llt.solve(c.gradient);
    const double longest = direction.cwiseAbs().maxCoeff();
    if (!std::isfinite(longest)) return;
    if (longest > 2.0) direction *= 2.0 / longest;  // log scale: at most e^2 per step
    bool improved = false;
    for (double t = 1.0; t > 1e-4; t *= 0.5) {
      Candidate trial;
      trial.theta = c.theta + t * direction;
      trial.iterations = c.iterations + 1;
      measure(objective, trial);
      if (std::isfinite(trial.ll) && trial.ll >= c.ll - 1e-12 * std::abs(c.ll)) {
        trial.note = c.note;
        improved = trial.relative_gradient < c.relative_gradient || trial.ll > c.ll;
        c = std::move(trial);
        break;
      }
    }
    if (!improved) return;
  }
}

// Runs L-BFGS from `theta0`. A line-search failure usually means the optimum
// is reached to machine precision; the loop restarts L-BFGS (fresh curvature
// memory) from the point reached a few times before giving up.
Candidate run_lbfgs(Objective& objective, const Eigen::VectorXd& theta0, const FitOptions& options,
                    bool has_hessian) {
  LBFGSpp::LBFGSParam<double> param;
  // m = 16 saves ~15% of the evaluations on 1M-customer Pareto/NBD and BG/NBD
  // fits but makes the line search fail (and restart) on a 100k BG/NBD fit:
  // kept at 8.
  param.m = 8;
  param.epsilon = 1e-10;
  param.epsilon_rel = 1e-10;
  param.past = 1;
  param.delta = 1e-13;
  param.max_iterations = std::max(1, options.max_iterations);
  param.max_linesearch = 40;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  param.max_step = 10.0;  // log-scale steps: one step may move a parameter e^10 at most

  Candidate c;
  c.theta = theta0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchBacktracking> solver(param);
    Eigen::VectorXd theta = c.theta;
    double fx = 0.0;
    objective.reset_best();
    // Stop well inside the acceptance tolerance so estimates are accurate.
    objective.set_stop_tolerance(has_hessian
                                     ? std::max(kNewtonHandover, 1e-2 * options.gradient_tolerance)
                                     : 1e-2 * options.gradient_tolerance);
    const int evaluations_before = objective.evaluations();
    try {
      c.iterations += solver.minimize(objective, theta, fx);
      c.note.clear();
      if (theta.allFinite()) c.theta = theta;
    } catch (const BudgetExhausted&) {
      c.note = fmt::format("stopped after {} likelihood evaluations", kMaxEvaluations);
      c.iterations += objective.evaluations() - evaluations_before;
      if (objective.has_best()) c.theta = objective.best_theta();
      measure(objective, c);
      return c;
    } catch (const ReachedTolerance&) {
      c.note.clear();
      c.theta = objective.best_theta();
      // L-BFGS does about one evaluation per iteration once it is on track.
      c.iterations += objective.evaluations() - evaluations_before;
    } catch (const std::exception& e) {
      c.note = e.what();
      c.iterations += objective.evaluations() - evaluations_before;  // not lost on failure
      if (objective.has_best()) c.theta = objective.best_theta();
    }
    measure(objective, c);
    if (has_hessian) newton_polish(objective, c, options);
    if (gradient_ok(c, options.gradient_tolerance) || !std::isfinite(c.ll)) break;
  }
  return c;
}

// Deterministic alternative starts around the model's own start: the whole
// vector scaled down and up, so a bad scale guess cannot trap the search.
std::vector<Eigen::VectorXd> start_points(const LikelihoodModel& model, const FitOptions& options) {
  Eigen::VectorXd start = model.start_params();
  if (!options.start.empty()) {
    if (options.start.size() != static_cast<size_t>(start.size())) {
      throw Error::invalid_argument(fmt::format(
          "start has {} values but the model has {} parameters; pass one value per parameter",
          options.start.size(), start.size()));
    }
    start = Eigen::Map<const Eigen::VectorXd>(options.start.data(), start.size());
  }
  for (Eigen::Index i = 0; i < start.size(); ++i) {
    if (!(start[i] > 0) || !std::isfinite(start[i])) {
      throw Error::invalid_argument(
          fmt::format("start value {} for parameter {} must be positive and finite", start[i],
                      model.param_names()[i]));
    }
  }
  std::vector<Eigen::VectorXd> starts;
  const Eigen::VectorXd theta = start.array().log().matrix();
  starts.push_back(theta);
  for (double factor : {0.1, 10.0, 0.5, 2.0}) {
    starts.push_back(theta.array() + std::log(factor));
  }
  starts.push_back(Eigen::VectorXd::Zero(theta.size()));  // all parameters = 1
  return starts;
}

// Hessian of the penalized LL on the log scale by central differences of the
// analytic gradient.
Eigen::MatrixXd hessian(const Objective& objective, const Eigen::VectorXd& theta) {
  const Eigen::Index k = theta.size();
  Eigen::MatrixXd h(k, k);
  if (objective.analytic_hessian(theta, h)) return 0.5 * (h + h.transpose());
  Eigen::VectorXd gp(k), gm(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double step = 1e-5 * std::max(1.0, std::abs(theta[j]));
    Eigen::VectorXd tp = theta, tm = theta;
    tp[j] += step;
    tm[j] -= step;
    objective.penalized(tp, &gp);
    objective.penalized(tm, &gm);
    h.col(j) = (gp - gm) / (2 * step);
  }
  return 0.5 * (h + h.transpose());
}

std::string describe_point(const LikelihoodModel& model, const Eigen::VectorXd& theta) {
  std::string out;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    out += fmt::format("{}{}={:.6g}", i ? ", " : "", model.param_names()[i], std::exp(theta[i]));
  }
  return out;
}

}  // namespace

FitResult try_maximize_likelihood(const LikelihoodModel& model, const FitOptions& options,
                                  std::string model_name, std::string* diagnostics) {
  if (!(options.l2_penalty >= 0) || !std::isfinite(options.l2_penalty)) {
    throw Error::invalid_argument("l2_penalty must be a finite number >= 0");
  }
  if (!(options.gradient_tolerance > 0)) {
    throw Error::invalid_argument("gradient_tolerance must be > 0");
  }
  if (model.n_rows() == 0 || !(model.n_customers() > 0)) {
    throw Error::invalid_argument(fmt::format(
        "cannot fit {}: no customers (rows with positive weight) in the data", model_name));
  }
  const auto& names = model.param_names();
  const Eigen::Index k = static_cast<Eigen::Index>(names.size());

  FitOptions counted = options;
  FitProgressScope progress(counted);
  Objective objective(model, options.l2_penalty, counted.progress);
  const bool has_hessian = model.has_hessian();
  Candidate best;
  int total_iterations = 0;
  std::string why;
  for (const Eigen::VectorXd& start : start_points(model, options)) {
    Candidate c = run_lbfgs(objective, start, options, has_hessian);
    total_iterations += c.iterations;
    const bool inside = c.theta.allFinite() && c.theta.cwiseAbs().maxCoeff() < kLogParamLimit;
    if (std::isfinite(c.ll) && (!std::isfinite(best.ll) || c.ll > best.ll)) best = c;
    if (gradient_ok(c, options.gradient_tolerance) && inside) {
      best = c;
      break;
    }
    if (objective.evaluations() >= kMaxEvaluations) break;
  }

  FitResult result;
  result.model = std::move(model_name);
  result.param_names = names;
  result.n_customers = model.n_customers();
  result.n_rows = model.n_rows();
  result.iterations = total_iterations;
  result.params.assign(k, 0.0);
  result.std_errors.assign(k, 0.0);
  result.covariance.assign(k * k, 0.0);

  if (!std::isfinite(best.ll)) {
    if (diagnostics) {
      *diagnostics = "the log-likelihood was not finite at any start point; check the data";
    }
    progress.finish();
    return result;
  }
  for (Eigen::Index i = 0; i < k; ++i) result.params[i] = std::exp(best.theta[i]);
  // Report the unpenalized LL and criteria, as other packages do.
  // Without a penalty the penalized LL at the optimum is the LL itself.
  const double ll = options.l2_penalty == 0.0 ? best.ll : model.log_likelihood(best.theta, nullptr);
  result.log_likelihood = std::isfinite(ll) ? ll : 0.0;
  result.aic = 2.0 * k - 2.0 * result.log_likelihood;
  result.bic = k * std::log(model.n_customers()) - 2.0 * result.log_likelihood;
  result.gradient_norm = best.gradient_norm;

  bool ok = gradient_ok(best, options.gradient_tolerance);
  if (!ok) {
    why = fmt::format(
        "gradient norm {:.3g} (relative {:.3g}) above tolerance {:.3g} after {} iterations",
        best.gradient_norm, best.relative_gradient, options.gradient_tolerance, total_iterations);
    if (!best.note.empty()) why += " (" + best.note + ")";
  }
  Eigen::Index runaway = 0;
  if (best.theta.cwiseAbs().maxCoeff(&runaway) >= kLogParamLimit) {
    // Name the parameter: "beta ran off to infinity" tells the user what the
    // data cannot pin down (e.g. no customer is seen to drop out).
    ok = false;
    why = fmt::format("parameter {} ran off to {} ({}={:.3g}): the data do not identify the model",
                      names[runaway], best.theta[runaway] > 0 ? "infinity" : "0", names[runaway],
                      std::exp(best.theta[runaway]));
  }
  if (ok) {
    const Eigen::MatrixXd h = hessian(objective, best.theta);
    Eigen::LLT<Eigen::MatrixXd> llt(-h);
    if (!h.allFinite() || llt.info() != Eigen::Success) {
      ok = false;
      why =
          "the Hessian at the optimum is not negative definite (a saddle or flat direction: "
          "the parameters are not identified by these data)";
    } else {
      const Eigen::MatrixXd cov_theta = llt.solve(Eigen::MatrixXd::Identity(k, k));
      if (!cov_theta.allFinite() || (cov_theta.diagonal().array() <= 0).any()) {
        ok = false;
        why = "the covariance matrix from the Hessian is not finite and positive";
      } else {
        for (Eigen::Index i = 0; i < k; ++i) {
          for (Eigen::Index j = 0; j < k; ++j) {
            result.covariance[i * k + j] = result.params[i] * result.params[j] * cov_theta(i, j);
          }
          result.std_errors[i] = result.params[i] * std::sqrt(cov_theta(i, i));
        }
        result.warnings = identification_warnings(names, best.theta, -h, cov_theta);
      }
    }
  }
  result.converged = ok;
  if (diagnostics) {
    *diagnostics = ok ? std::string() : why + "; reached " + describe_point(model, best.theta);
  }
  progress.finish();
  return result;
}

FitResult maximize_likelihood(const LikelihoodModel& model, const FitOptions& options,
                              std::string model_name) {
  std::string diagnostics;
  const std::string name = model_name;
  FitResult result = try_maximize_likelihood(model, options, std::move(model_name), &diagnostics);
  if (!result.converged) {
    throw Error::not_converged(fmt::format(
        "{} fit did not converge: {}. Try more data, an L2 penalty (e.g. 0.01) or another "
        "start point",
        name, diagnostics));
  }
  return result;
}

}  // namespace clv
