// What-if on 1,000,000 customers with 100 Monte Carlo draws (the issue's
// target: under 20 s on two cores). Customers are drawn from a Pareto/NBD
// with day-resolution histories over two years, like a real summary in weeks.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "clv/whatif.hpp"

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  const int draws = argc > 2 ? std::stoi(argv[2]) : 100;
  const int threads = argc > 3 ? std::stoi(argv[3]) : 2;
  clv::WhatIfInputs in;
  std::mt19937_64 rng(42);
  std::gamma_distribution<double> lambda(0.55, 1 / 10.6), mu(0.61, 1 / 11.7);
  std::uniform_int_distribution<int> age_days(7, 730);
  std::gamma_distribution<double> spend(4.0, 10.0);
  in.data.x.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double T = age_days(rng) / 7.0, l = lambda(rng), m = mu(rng);
    const double life = std::min(T, std::exponential_distribution<double>(m)(rng));
    const int x = std::poisson_distribution<int>(l * life)(rng);
    const double t_x =
        x == 0 ? 0
               : std::floor(std::uniform_real_distribution<double>(0.9, 1.0)(rng) * life * 7) / 7;
    in.data.customer_id.push_back(std::to_string(i));
    in.data.x.push_back(x);
    in.data.t_x.push_back(t_x);
    in.data.T.push_back(T);
    in.data.monetary.push_back(x == 0 ? 0 : spend(rng));
  }
  in.attributes.segment.resize(n);
  for (size_t i = 0; i < n; ++i) in.attributes.segment[i] = i % 4 == 0 ? "premium" : "regular";
  in.count_model.model = "pnbd";
  in.count_model.param_names = {"r", "alpha", "s", "beta"};
  in.count_model.params = {0.55, 10.6, 0.61, 11.7};
  in.count_model.std_errors = {0.02, 0.4, 0.05, 1.5};
  in.count_model.converged = true;
  in.spend_model.model = "gg";
  in.spend_model.param_names = {"p", "q", "gamma"};
  in.spend_model.params = {6.25, 3.74, 15.44};
  in.spend_model.std_errors = {0.3, 0.2, 1.0};
  in.spend_model.converged = true;
  in.run.horizon = 52;
  in.run.margin = 0.3;
  in.run.annual_discount_rate = 0.1;
  clv::Scenario offer;
  offer.name = "offer to the top 100k at risk";
  offer.target.top_by_value_at_risk = 100'000;
  offer.retention_offer = clv::RetentionOffer{{0.75, 0.6, 0.9}};
  clv::LeverCost offer_cost;
  offer_cost.lever = "retention_offer";
  offer_cost.per_customer = 10;
  offer.costs = {offer_cost};
  in.scenarios = {offer};
  clv::WhatIfOptions options;
  options.draws = draws;
  options.threads = threads;
  const auto start = std::chrono::steady_clock::now();
  const clv::WhatIfResult r = clv::run_whatif(in, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& t = r.scenarios[0].total;
  std::printf(
      "whatif: %zu customers, %d draws, %d threads: %.2f s  (delta CLV %.0f [%.0f, %.0f])\n", n,
      draws, threads, seconds, t.delta_clv.value, t.delta_clv.lower, t.delta_clv.upper);
  return 0;
}
