// Pareto/NBD speed: log-likelihood evaluation per million distinct rows (value
// only and value + exact gradient), full fit including collapse on simulated
// daily-granularity cohorts, and scoring throughput (P(alive), conditional
// expectation, DERT with the per-T lifetime integral cached).
#include <chrono>
#include <map>
#include <vector>

#include <benchmark/benchmark.h>

#include "models/mle_fitter.hpp"
#include "models/pareto_nbd.hpp"
#include "models/rfm_rows.hpp"

namespace {

using namespace clv;

const ParetoNbdParams kTruth{0.553, 10.578, 0.606, 11.669};

// Customers acquired uniformly over 52 weeks, observed until week 65: T takes
// 365 distinct values; purchase dates are days (multiples of 1/7 week).
const std::vector<PnbdRow>& simulated(size_t n, bool daily) {
  static std::map<std::pair<size_t, bool>, std::vector<PnbdRow>> cache;
  auto key = std::make_pair(n, daily);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::vector<double> T(n);
  for (size_t i = 0; i < n; ++i) T[i] = (91 + static_cast<double>(i % 365)) / 7.0;
  return cache.emplace(key, simulate_pnbd(kTruth, T, 42, daily ? 1.0 / 7.0 : 0.0)).first->second;
}

Eigen::VectorXd truth_theta() {
  Eigen::VectorXd theta(4);
  theta << std::log(kTruth.r), std::log(kTruth.alpha), std::log(kTruth.s), std::log(kTruth.beta);
  return theta;
}

// Continuous times: every customer is a distinct row, nothing collapses.
void BM_PnbdLogLikelihood(benchmark::State& state) {
  const bool with_gradient = state.range(1) != 0;
  ParetoNbdModel model(simulated(static_cast<size_t>(state.range(0)), false),
                       static_cast<int>(state.range(2)));
  const Eigen::VectorXd theta = truth_theta();
  Eigen::VectorXd grad(4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.log_likelihood(theta, with_gradient ? &grad : nullptr));
  }
  state.counters["rows"] = static_cast<double>(model.n_rows());
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(model.n_rows()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PnbdLogLikelihood)
    ->ArgsProduct({{1'000'000}, {0, 1}, {1, 2}})
    ->ArgNames({"rows", "grad", "threads"})
    ->Unit(benchmark::kMillisecond);

// Collapse + fit + standard errors on daily-granularity data.
void BM_PnbdFit(benchmark::State& state) {
  const auto& rows = simulated(static_cast<size_t>(state.range(0)), true);
  std::vector<double> x(rows.size()), t_x(rows.size()), T(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    x[i] = rows[i].x;
    t_x[i] = rows[i].t_x;
    T[i] = rows[i].T;
  }
  size_t distinct = 0;
  int iterations = 0;
  for (auto _ : state) {
    ParetoNbdModel model(collapse_rfm(x, t_x, T));
    const FitResult fit = maximize_likelihood(model, {}, "pnbd");
    distinct = fit.n_rows;
    iterations = fit.iterations;
    benchmark::DoNotOptimize(fit.params.data());
  }
  state.counters["distinct_rows"] = static_cast<double>(distinct);
  state.counters["lbfgs_iterations"] = iterations;
}
BENCHMARK(BM_PnbdFit)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// Building the model from collapsed rows: sorting and key indexing.
void BM_PnbdModelSetup(benchmark::State& state) {
  const auto& rows = simulated(static_cast<size_t>(state.range(0)), true);
  std::vector<double> x(rows.size()), t_x(rows.size()), T(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    x[i] = rows[i].x;
    t_x[i] = rows[i].t_x;
    T[i] = rows[i].T;
  }
  const RfmRows collapsed = collapse_rfm(x, t_x, T);
  for (auto _ : state) {
    ParetoNbdModel model(collapsed);
    benchmark::DoNotOptimize(model.rows().data());
  }
  state.counters["distinct_rows"] = static_cast<double>(collapsed.size());
}
BENCHMARK(BM_PnbdModelSetup)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// One evaluation on the distinct rows of daily-granularity data (the fit's
// inner loop), value only and with the gradient, on 1 and 2 threads.
void BM_PnbdDailyLogLikelihood(benchmark::State& state) {
  const auto& rows = simulated(static_cast<size_t>(state.range(0)), true);
  ParetoNbdModel model(rows, static_cast<int>(state.range(2)));
  const bool with_gradient = state.range(1) != 0;
  const Eigen::VectorXd theta = truth_theta();
  Eigen::VectorXd grad(4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.log_likelihood(theta, with_gradient ? &grad : nullptr));
  }
  state.counters["rows"] = static_cast<double>(model.n_rows());
}
BENCHMARK(BM_PnbdDailyLogLikelihood)
    ->ArgsProduct({{1'000'000}, {0, 1}, {1, 2}})
    ->ArgNames({"customers", "grad", "threads"})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

void BM_PnbdScore(benchmark::State& state) {
  const auto& rows = simulated(static_cast<size_t>(state.range(0)), true);
  for (auto _ : state) {
    auto scores = pnbd_score(kTruth, rows, 52.0, std::log(1.1) / 52.0);
    benchmark::DoNotOptimize(scores.data());
  }
  state.counters["customers_per_s"] = benchmark::Counter(
      static_cast<double>(rows.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PnbdScore)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
