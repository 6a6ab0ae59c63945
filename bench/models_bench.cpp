// Fit and scoring speed of the BG/NBD family and Gamma-Gamma. Simulated data
// mimic real summaries: daily transaction dates (t_x, T multiples of 1/7
// week) and customers acquired uniformly over 52 weeks, observed until week 52
// + 13, so T takes 365 distinct values and identical summaries collapse.
// Fits report per-phase wall and process CPU time (collapse, model setup,
// fit incl. standard errors) and likelihood evaluation counts; CPU is the
// figure to compare when the machine is shared. One command:
//   build/release/bench/bench_models --benchmark_filter='Fit/|Score|Collapse'
//       --benchmark_counters_tabular=true
#include <chrono>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "models/bg_nbd.hpp"
#include "models/clv_valuation.hpp"
#include "models/gamma_gamma.hpp"
#include "models/mle_fitter.hpp"
#include "models/model_registry.hpp"
#include "models/pareto_nbd.hpp"
#include "models/summary_csv.hpp"

namespace {

using namespace clv;

const BgNbdParams kTruth{0.243, 4.414, 0.793, 2.426};

const SimulatedRfm& simulated(size_t n) {
  static std::map<size_t, SimulatedRfm> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  std::vector<double> T(n);
  for (size_t i = 0; i < n; ++i) T[i] = (91 + static_cast<double>(i % 365)) / 7.0;
  return cache.emplace(n, simulate_bgnbd(kTruth, BgNbdVariant::kBgNbd, T, 42, 1.0 / 7.0))
      .first->second;
}

// Wall and process CPU time (all threads) of one phase, in milliseconds.
class PhaseClock {
 public:
  PhaseClock() { restart(); }
  void restart() {
    wall_ = std::chrono::steady_clock::now();
    cpu_ = process_cpu_ms();
  }
  // Records the time since the last restart as counters "<name>_ms" and
  // "<name>_cpu_ms", then restarts.
  void lap(benchmark::State& state, const char* name) {
    const double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_).count();
    state.counters[std::string(name) + "_ms"] = wall;
    state.counters[std::string(name) + "_cpu_ms"] = process_cpu_ms() - cpu_;
    restart();
  }

 private:
  static double process_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
  }
  std::chrono::steady_clock::time_point wall_;
  double cpu_ = 0.0;
};

// Counts likelihood evaluations (value only and with gradient) of a model.
class CountingModel : public LikelihoodModel {
 public:
  explicit CountingModel(const LikelihoodModel& m) : m_(m) {}
  const std::vector<std::string>& param_names() const override { return m_.param_names(); }
  Eigen::VectorXd start_params() const override { return m_.start_params(); }
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override {
    ++(grad ? gradient_calls : value_calls);
    return m_.log_likelihood(theta, grad);
  }
  double n_customers() const override { return m_.n_customers(); }
  size_t n_rows() const override { return m_.n_rows(); }
  mutable int value_calls = 0, gradient_calls = 0;

 private:
  const LikelihoodModel& m_;
};

// Collapse + fit + standard errors, as `clv fit` does after reading; counters
// give each phase's wall and CPU time and the likelihood evaluations.
template <class Model, class... Args>
void run_fit(benchmark::State& state, const SimulatedRfm& sim, const char* name, Args... args) {
  size_t rows = 0;
  int iterations = 0;
  for (auto _ : state) {
    PhaseClock clock;
    RfmRows collapsed = collapse_rfm(sim.x, sim.t_x, sim.T);
    clock.lap(state, "collapse");
    Model model(std::move(collapsed), args...);
    clock.lap(state, "setup");
    CountingModel counting(model);
    const FitResult fit = maximize_likelihood(counting, {}, name);
    clock.lap(state, "fit");
    rows = fit.n_rows;
    iterations = fit.iterations;
    state.counters["value_evals"] = counting.value_calls;
    state.counters["gradient_evals"] = counting.gradient_calls;
    benchmark::DoNotOptimize(fit.params.data());
  }
  state.counters["distinct_rows"] = static_cast<double>(rows);
  state.counters["lbfgs_iterations"] = iterations;
  state.counters["customers"] = static_cast<double>(state.range(0));
}

void BM_BgNbdFit(benchmark::State& state, BgNbdVariant v) {
  run_fit<BgNbdLikelihood>(state, simulated(static_cast<size_t>(state.range(0))), "bgnbd", v);
}

// Collapsing customers into distinct (x, t_x, T) rows alone.
void BM_CollapseRfm(benchmark::State& state) {
  const SimulatedRfm& sim = simulated(static_cast<size_t>(state.range(0)));
  size_t rows = 0;
  for (auto _ : state) {
    const RfmRows collapsed = collapse_rfm(sim.x, sim.t_x, sim.T);
    rows = collapsed.size();
    benchmark::DoNotOptimize(collapsed.x.data());
  }
  state.counters["distinct_rows"] = static_cast<double>(rows);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CollapseRfm)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_BgNbdFitCdnow(benchmark::State& state) {
  const SummaryTable s =
      read_summary_csv(std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary.csv");
  for (auto _ : state) {
    BgNbdLikelihood model(collapse_rfm(s.x, s.t_x, s.T), BgNbdVariant::kBgNbd);
    benchmark::DoNotOptimize(maximize_likelihood(model, {}, "bgnbd").params.data());
  }
}

void BM_GammaGammaFitCdnow(benchmark::State& state) {
  const SummaryTable s = read_summary_csv(std::string(CLV_SHARED_DATA_DIR) +
                                          "/cdnow/cdnow_customers_summary_with_transactions.csv");
  for (auto _ : state) {
    GammaGammaLikelihood model(s.x, s.monetary);
    benchmark::DoNotOptimize(maximize_likelihood(model, {}, "gg").params.data());
  }
}

// P(alive) + expected purchases over 52 weeks + Gamma-Gamma spend + CLV.
void BM_BgNbdScore(benchmark::State& state) {
  const SimulatedRfm& sim = simulated(static_cast<size_t>(state.range(0)));
  std::vector<double> spend(sim.x.size());
  for (size_t i = 0; i < spend.size(); ++i) spend[i] = sim.x[i] > 0 ? 10.0 + (i % 50) : 0.0;
  const auto scorer = find_model("bgnbd").make_scorer({kTruth.r, kTruth.alpha, kTruth.a, kTruth.b});
  const GammaGammaParams gg{6.25, 3.74, 15.44};
  ValuationOptions o;
  o.horizon = 52;
  o.margin = 0.3;
  o.annual_discount_rate = 0.1;
  for (auto _ : state) {
    const CustomerScores s = score_customers(*scorer, sim.x, sim.t_x, sim.T, o, &gg, spend);
    benchmark::DoNotOptimize(s.clv.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Pareto/NBD on the same kind of cohorts (truth: the published CDNOW fit).
const ParetoNbdParams kPnbdTruth{0.553, 10.578, 0.606, 11.669};

const SimulatedRfm& simulated_pnbd(size_t n) {
  static std::map<size_t, SimulatedRfm> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  std::vector<double> T(n);
  for (size_t i = 0; i < n; ++i) T[i] = (91 + static_cast<double>(i % 365)) / 7.0;
  const std::vector<PnbdRow> rows = simulate_pnbd(kPnbdTruth, T, 42, 1.0 / 7.0);
  SimulatedRfm sim;
  for (const PnbdRow& r : rows) {
    sim.x.push_back(r.x);
    sim.t_x.push_back(r.t_x);
    sim.T.push_back(r.T);
  }
  return cache.emplace(n, std::move(sim)).first->second;
}

void BM_PnbdFit(benchmark::State& state) {
  run_fit<ParetoNbdModel>(state, simulated_pnbd(static_cast<size_t>(state.range(0))), "pnbd");
}

void BM_PnbdFitCdnow(benchmark::State& state) {
  const SummaryTable s =
      read_summary_csv(std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary.csv");
  for (auto _ : state) {
    ParetoNbdModel model(collapse_rfm(s.x, s.t_x, s.T));
    benchmark::DoNotOptimize(maximize_likelihood(model, {}, "pnbd").params.data());
  }
}

// P(alive) + expected purchases + spend + CLV through the CLI's scoring path.
void BM_PnbdScore(benchmark::State& state) {
  const SimulatedRfm& sim = simulated_pnbd(static_cast<size_t>(state.range(0)));
  std::vector<double> spend(sim.x.size());
  for (size_t i = 0; i < spend.size(); ++i) spend[i] = sim.x[i] > 0 ? 10.0 + (i % 50) : 0.0;
  const GammaGammaParams gg{6.25, 3.74, 15.44};
  ValuationOptions o;
  o.horizon = 52;
  o.margin = 0.3;
  o.annual_discount_rate = 0.1;
  for (auto _ : state) {
    // A fresh scorer per pass: nothing is cached across iterations.
    const auto scorer = find_model("pnbd").make_scorer(
        {kPnbdTruth.r, kPnbdTruth.alpha, kPnbdTruth.s, kPnbdTruth.beta});
    const CustomerScores s = score_customers(*scorer, sim.x, sim.t_x, sim.T, o, &gg, spend);
    benchmark::DoNotOptimize(s.clv.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_PnbdFitCdnow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PnbdFit)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PnbdScore)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BgNbdFitCdnow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GammaGammaFitCdnow)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BgNbdFit, bgnbd, BgNbdVariant::kBgNbd)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BgNbdFit, mbgnbd, BgNbdVariant::kMbgNbd)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BgNbdScore)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
