// Generator throughput: the simulation alone (a sink that drops rows) and
// the simulation plus CSV formatting into /dev/null-like temp files.
#include <filesystem>

#include <benchmark/benchmark.h>

#include "clv/portfolio_generator.hpp"

namespace {

class CountingSink final : public clv::PortfolioSink {
 public:
  void employee(const clv::SyntheticEmployee&) override { ++rows; }
  void customer(const clv::SyntheticCustomer&) override { ++rows; }
  void transaction(const clv::SyntheticTransaction&) override { ++rows; }
  void incident(const clv::SyntheticIncident&) override { ++rows; }
  int64_t rows = 0;
};

void BM_SimulateRetail(benchmark::State& state) {
  auto config = clv::default_generator_config(clv::Sector::kRetail);
  config.customers = state.range(0);
  for (auto _ : state) {
    CountingSink sink;
    clv::generate_portfolio(config, sink);
    benchmark::DoNotOptimize(sink.rows);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["customers/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateRetail)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_WriteSector(benchmark::State& state) {
  const auto sector = clv::all_sectors()[static_cast<size_t>(state.range(0))];
  auto config = clv::default_generator_config(sector);
  config.customers = 100'000;
  const auto dir = std::filesystem::temp_directory_path() / "clv_synth_bench";
  for (auto _ : state) benchmark::DoNotOptimize(clv::write_portfolio(config, dir).transactions);
  std::filesystem::remove_all(dir);
  state.SetLabel(std::string(clv::sector_name(sector)));
  state.counters["customers/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * config.customers), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WriteSector)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
