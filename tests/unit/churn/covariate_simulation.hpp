// Simulated customers for covariate Pareto/NBD tests: known raw-scale effects
// of "unresolved incidents" and "staff empathy" on the dropout rate (and of
// unresolved incidents on the purchase rate), followed into a holdout.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "clv/covariates.hpp"

namespace clv::testing_support {

struct SimulatedPortfolio {
  std::vector<double> x, t_x, T, x_holdout;
  std::vector<bool> dead_by_end;  // true death by T + holdout
  CovariateMatrix raw;            // unresolved_count, staff_empathy
};

// alpha_i = alpha exp(-b_purchase' w), beta_i = beta exp(-b_dropout' w) with
// raw covariates w; so the standardized gamma_j = b_j * sd(w_j).
inline SimulatedPortfolio simulate_incident_portfolio(size_t n, double r, double alpha, double s,
                                                      double beta, const double b_purchase[2],
                                                      const double b_dropout[2], double holdout,
                                                      unsigned seed) {
  std::mt19937_64 rng(seed);
  std::poisson_distribution<int> unresolved(0.6);
  std::uniform_real_distribution<double> empathy(1.0, 9.0), unit(0.0, 1.0);
  SimulatedPortfolio out;
  out.raw.names = {"unresolved_count", "staff_empathy"};
  for (size_t i = 0; i < n; ++i) {
    const double w[2] = {static_cast<double>(unresolved(rng)), empathy(rng)};
    const double a_i = alpha * std::exp(-(b_purchase[0] * w[0] + b_purchase[1] * w[1]));
    const double b_i = beta * std::exp(-(b_dropout[0] * w[0] + b_dropout[1] * w[1]));
    const double lambda = std::gamma_distribution<double>(r, 1.0 / a_i)(rng);
    const double mu = std::gamma_distribution<double>(s, 1.0 / b_i)(rng);
    const double T = 20.0 + 32.0 * unit(rng);  // acquired over 32 weeks, 52-week panel
    const double death = std::exponential_distribution<double>(mu)(rng);
    std::exponential_distribution<double> gap(lambda);
    double t = 0.0, last = 0.0, x = 0.0, xh = 0.0;
    while (true) {
      t += gap(rng);
      if (t > std::min(death, T + holdout)) break;
      if (t <= T) {
        x += 1;
        last = t;
      } else {
        xh += 1;
      }
    }
    out.x.push_back(x);
    out.t_x.push_back(last);
    out.T.push_back(T);
    out.x_holdout.push_back(xh);
    out.dead_by_end.push_back(death <= T + holdout);
    out.raw.values.push_back(w[0]);
    out.raw.values.push_back(w[1]);
  }
  return out;
}

}  // namespace clv::testing_support
