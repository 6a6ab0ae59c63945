// Pareto/NBD with weekly time-varying covariates: 100 thousand simulated
// customers over 2 years (104 weekly periods each), 2 covariates (a seasonal
// flag shared by all and a per-customer "open incident" flag). Reports the
// wall time of fit_dynamic_pnbd.
// Usage: bench_churn_dynamic [customers] [threads]; CLV_BENCH_QUICK=1 defaults to 20k
// customers. Prints wall and process CPU time (all threads) and the load average.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>

#include "clv/churn.hpp"

int main(int argc, char** argv) {
  const bool quick = std::getenv("CLV_BENCH_QUICK") != nullptr;
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : quick ? 20000 : 100000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const int weeks = 104;
  const double gp[2] = {0.5, -0.3}, gd[2] = {0.0, 0.8};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> x(n, 0.0), t_x(n, 0.0), T(n);
  std::vector<clv::CustomerCovariateSeries> series(n);
  for (size_t i = 0; i < n; ++i) {
    const double offset = std::floor(unit(rng) * 7.0) / 7.0;  // first purchase weekday
    const int first_week = static_cast<int>(unit(rng) * 26);  // acquired in the first half year
    T[i] = weeks - first_week - offset;
    const double lambda = std::gamma_distribution<double>(0.9, 1.0 / 6.0)(rng);
    const double mu = std::gamma_distribution<double>(0.8, 1.0 / 25.0)(rng);
    bool open_incident = false;
    bool alive = true;
    auto& c = series[i];
    for (int w = first_week; w < weeks; ++w) {
      const double start = (w - first_week) - offset;
      const double season = (w % 52) >= 44 ? 1.0 : 0.0;
      if (unit(rng) < (open_incident ? 0.3 : 0.02)) open_incident = !open_incident;
      const double incident = open_incident ? 1.0 : 0.0;
      c.period_start.push_back(start);
      c.values.push_back(season);
      c.values.push_back(incident);
      if (!alive) continue;
      // Simulate the week: competing purchase and dropout clocks.
      const double rate_p = lambda * std::exp(gp[0] * season + gp[1] * incident);
      const double rate_d = mu * std::exp(gd[0] * season + gd[1] * incident);
      double t = std::max(0.0, start);
      const double end = start + 1.0;
      while (true) {
        const double next = t + std::exponential_distribution<double>(rate_p + rate_d)(rng);
        if (next >= end) break;
        if (unit(rng) < rate_d / (rate_p + rate_d)) {
          alive = false;
          break;
        }
        t = next;
        const double day = std::ceil(t * 7.0) / 7.0;
        if (day <= T[i] && (c.purchase_times.empty() || day > c.purchase_times.back())) {
          c.purchase_times.push_back(day);
        }
      }
    }
    x[i] = static_cast<double>(c.purchase_times.size());
    t_x[i] = c.purchase_times.empty() ? 0.0 : c.purchase_times.back();
  }
  clv::CovariateFitOptions options;
  options.threads = threads;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  const clv::CovariateParetoNbd m =
      clv::fit_dynamic_pnbd(x, t_x, T, {"season", "open_incident"}, series, options);
  const auto t1 = std::chrono::steady_clock::now();
  std::printf("customers %zu, weekly periods %d, iterations %d, LL %.1f\n", n, weeks,
              m.fit.iterations, m.fit.log_likelihood);
  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::printf("fit wall %.2f s, cpu %.2f s (load average %s)\n",
              std::chrono::duration<double>(t1 - t0).count(),
              static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC, load.c_str());
  for (size_t j = 0; j < 2; ++j) {
    std::printf("  %s purchase %.3f (se %.3f)  dropout %.3f (se %.3f)\n",
                m.scaling.names[j].c_str(), m.gamma_purchase[j], m.fit.std_errors[4 + j],
                m.gamma_dropout[j], m.fit.std_errors[6 + j]);
  }
  return 0;
}
