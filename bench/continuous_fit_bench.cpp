// Fits on summaries that do not collapse (issue 16): continuous-time BG/NBD
// customers from ../shared/bench/gen_synthetic.py, fractional weeks, so 1M
// customers give ~978k distinct rows. Generate the inputs once:
//   /usr/bin/python3 ../shared/bench/gen_synthetic.py --n 1000000 --seed 42 --no-log \
//       --out-prefix $CLV_SYNTH_DIR/bgnbd_1000k      (and --n 100000 ... bgnbd_100k)
// then run (CLV_SYNTH_DIR defaults to /tmp/clv_synth):
//   build/release/bench/bench_continuous_fit --benchmark_counters_tabular=true
// Each iteration is what `clv fit --summary` does after parsing its options:
// read the CSV, collapse, fit, standard errors.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "clv/models.hpp"
#include "clv/rfm_data.hpp"
#include "models/summary_csv.hpp"

namespace {

std::string synth_file(const char* stem) {
  const char* dir = std::getenv("CLV_SYNTH_DIR");
  return std::string(dir ? dir : "/tmp/clv_synth") + "/" + stem + "_summary.csv";
}

bool require_file(benchmark::State& state, const std::string& path) {
  if (std::filesystem::exists(path)) return true;
  state.SkipWithError(
      (path + " missing: generate it with ../shared/bench/gen_synthetic.py").c_str());
  return false;
}

void ReadSummaryCsv(benchmark::State& state, const char* stem) {
  const std::string path = synth_file(stem);
  if (!require_file(state, path)) return;
  size_t rows = 0;
  for (auto _ : state) rows = clv::read_summary_csv(path).size();
  state.counters["rows"] = static_cast<double>(rows);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
}

void Fit(benchmark::State& state, const char* model, const char* stem) {
  const std::string path = synth_file(stem);
  if (!require_file(state, path)) return;
  clv::FitResult fit;
  for (auto _ : state) {
    fit = clv::fit_model(model, clv::read_summary_csv(path), {}, clv::TimeUnit::week());
  }
  state.counters["rows"] = static_cast<double>(fit.n_rows);
  state.counters["iterations"] = fit.iterations;
  state.counters["LL"] = fit.log_likelihood;
}

BENCHMARK_CAPTURE(ReadSummaryCsv, 1000k, "bgnbd_1000k")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(Fit, bgnbd_1000k, "bgnbd", "bgnbd_1000k")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK_CAPTURE(Fit, pnbd_100k, "pnbd", "bgnbd_100k")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK_CAPTURE(Fit, pnbd_1000k, "pnbd", "bgnbd_1000k")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
