// Covariate Pareto/NBD fit on 1 million simulated customers with 8 static
// covariates (4 binary, 4 continuous): wall time of fit_covariate_pnbd
// (no-covariate start fit + covariate fit + Hessian), and scoring time.
// Usage: bench_churn [customers] [threads]; CLV_BENCH_QUICK=1 defaults to 100k customers.
// Prints wall and process CPU time (all threads) and the load average.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>

#include "clv/churn.hpp"
#include "models/mle_fitter.hpp"
#include "models/pareto_nbd.hpp"
#include "models/pareto_nbd_covariates.hpp"
#include "models/rfm_rows.hpp"

namespace {

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Forwards to the covariate model and counts LL evaluations, to split the
// fit's time into evaluations x pass cost.
class CountingModel : public clv::LikelihoodModel {
 public:
  explicit CountingModel(const clv::LikelihoodModel& inner) : inner_(inner) {}
  const std::vector<std::string>& param_names() const override { return inner_.param_names(); }
  Eigen::VectorXd start_params() const override { return inner_.start_params(); }
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override {
    ++evaluations;
    return inner_.log_likelihood(theta, grad);
  }
  double n_customers() const override { return inner_.n_customers(); }
  size_t n_rows() const override { return inner_.n_rows(); }
  mutable int evaluations = 0;

 private:
  const clv::LikelihoodModel& inner_;
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = std::getenv("CLV_BENCH_QUICK") != nullptr;
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : quick ? 100000 : 1000000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const size_t k = 8;
  std::mt19937_64 rng(42);
  std::bernoulli_distribution flag(0.3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double gp[k] = {0.2, -0.1, 0.0, 0.1, 0.15, 0.0, -0.05, 0.1};
  const double gd[k] = {0.4, 0.0, -0.2, 0.0, 0.3, -0.1, 0.0, 0.05};
  clv::CovariateMatrix raw;
  for (size_t j = 0; j < k; ++j) raw.names.push_back("z" + std::to_string(j));
  raw.values.reserve(n * k);
  std::vector<double> x(n), t_x(n), T(n);
  for (size_t i = 0; i < n; ++i) {
    double lp = 0, ld = 0;
    for (size_t j = 0; j < k; ++j) {
      const double v = j < 4 ? (flag(rng) ? 1.0 : 0.0) : normal(rng);
      raw.values.push_back(v);
      lp += gp[j] * v;
      ld += gd[j] * v;
    }
    const double lambda = std::gamma_distribution<double>(0.8, 1.0 / (8.0 * std::exp(-lp)))(rng);
    const double mu = std::gamma_distribution<double>(0.7, 1.0 / (15.0 * std::exp(-ld)))(rng);
    T[i] = std::floor((40.0 + 64.0 * unit(rng)) * 7.0) / 7.0;  // daily acquisition dates
    const double death = std::exponential_distribution<double>(mu)(rng);
    std::exponential_distribution<double> gap(lambda);
    double t = 0;
    while (true) {
      t += gap(rng);
      if (t > std::min(death, T[i])) break;
      x[i] += 1;
      t_x[i] = std::floor(t * 7.0) / 7.0;
    }
  }
  {
    // One log-likelihood + gradient pass of the covariate model (rows/s).
    const clv::CovariateMatrix z = clv::standardize(raw, clv::fit_scaling(raw));
    clv::ParetoNbdCovariateModel model(clv::collapse_covariate_rows(x, t_x, T, z.values, k),
                                       raw.names, {0.8, 8.0, 0.7, 15.0}, threads);
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(4 + 2 * k), grad;
    theta.head(4) << std::log(0.8), std::log(8.0), std::log(0.7), std::log(15.0);
    const int passes = 5;
    const auto e0 = std::chrono::steady_clock::now();
    const std::clock_t ec0 = std::clock();
    for (int p = 0; p < passes; ++p) model.log_likelihood(theta, &grad);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count() / passes;
    const double cpu = static_cast<double>(std::clock() - ec0) / CLOCKS_PER_SEC / passes;
    std::printf("LL+gradient pass: wall %.3f s, cpu %.3f s (%.2fM rows/s per cpu-second)\n", wall,
                cpu, static_cast<double>(model.n_rows()) / cpu / 1e6);
    // The no-covariate start fit that fit_covariate_pnbd runs first.
    const std::clock_t b0 = std::clock();
    clv::ParetoNbdModel plain(clv::collapse_rfm(x, t_x, T), threads);
    const clv::FitResult base = clv::maximize_likelihood(plain, {}, "pnbd");
    std::printf("no-covariate start fit: cpu %.2f s (%zu distinct rows, %d iterations)\n",
                static_cast<double>(std::clock() - b0) / CLOCKS_PER_SEC, plain.n_rows(),
                base.iterations);
    // Where the fit's time goes: standardize + collapse, and for comparison
    // the L-BFGS run on all rows without the subsample start (evaluations)
    // with the structured Hessian.
    {
      double w0 = wall_seconds(), c0 = cpu_seconds();
      const clv::CovariateMatrix zz = clv::standardize(raw, clv::fit_scaling(raw));
      clv::CovariateRows rows = clv::collapse_covariate_rows(x, t_x, T, zz.values, k);
      clv::ParetoNbdCovariateModel m2(std::move(rows), raw.names, base.params, threads);
      std::printf("breakdown: standardize+collapse+sort wall %.2f s cpu %.2f s\n",
                  wall_seconds() - w0, cpu_seconds() - c0);
      CountingModel counting(m2);
      double hess_wall = 0, hess_cpu = 0;
      w0 = wall_seconds(), c0 = cpu_seconds();
      const clv::FitResult f = clv::fit_from_good_start(
          counting,
          [&](const Eigen::VectorXd& th) {
            const double hw = wall_seconds(), hc = cpu_seconds();
            Eigen::MatrixXd h = m2.hessian(th);
            hess_wall += wall_seconds() - hw, hess_cpu += cpu_seconds() - hc;
            return h;
          },
          {}, "pnbd_cov");
      std::printf(
          "breakdown: all-rows L-BFGS fit (no subsample start) wall %.2f s cpu %.2f s: %d LL "
          "evaluations, %d iterations, "
          "Hessian wall %.2f s cpu %.2f s\n",
          wall_seconds() - w0, cpu_seconds() - c0, counting.evaluations, f.iterations, hess_wall,
          hess_cpu);
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  clv::CovariateFitOptions options;
  options.threads = threads;
  const clv::CovariateParetoNbd m = clv::fit_covariate_pnbd(x, t_x, T, raw, options);
  const auto t1 = std::chrono::steady_clock::now();
  const std::clock_t c1 = std::clock();
  double risk = 0;
  for (size_t i = 0; i < n; ++i) {
    clv::CustomerHistory c{
        x[i], t_x[i], T[i],
        std::vector<double>(raw.values.begin() + i * k, raw.values.begin() + (i + 1) * k)};
    risk += clv::predict_churn(m, c, 52.0).churn_risk;
  }
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("customers %zu, covariates %zu, rows after collapse %zu, iterations %d\n", n, k,
              m.fit.n_rows, m.fit.iterations);
  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::printf("fit wall %.2f s, cpu %.2f s (LL %.1f), score %.2f s (mean churn risk %.4f)\n",
              std::chrono::duration<double>(t1 - t0).count(),
              static_cast<double>(c1 - c0) / CLOCKS_PER_SEC, m.fit.log_likelihood,
              std::chrono::duration<double>(t2 - t1).count(), risk / static_cast<double>(n));
  std::printf("load average %s\n", load.c_str());
  for (size_t j = 0; j < k; ++j) {
    std::printf("  z%zu purchase %.3f (true %.3f*sd)  dropout %.3f (true %.3f*sd)\n", j,
                m.gamma_purchase[j], gp[j], m.gamma_dropout[j], gd[j]);
  }
  return 0;
}
