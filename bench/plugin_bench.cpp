// Cost of the plugin boundary at import: 10 million transactions parsed from
// CSV text with the import's CsvReader, built into TransactionBatch SoA
// batches (64k rows, never splitting a customer), then either stored as is
// (baseline) or first passed through a sector plugin's normalize step.
//   c_fixture : the C fixture plugin (one loop over the batch): the boundary
//   retail    : real rules (order folding, return netting with hash maps)
// Plugin directories default to the build tree next to this binary;
// override with CLV_PLUGIN_PATH.
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "clv/plugin_registry.hpp"
#include "ingest/csv_reader.hpp"

namespace {

constexpr std::size_t kRowsPerText = 1'000'000;
constexpr int kTextRepeats = 10;  // 10 x 1M = 10M rows per iteration
constexpr std::size_t kBatchRows = 1 << 16;

const char* const kKinds[] = {"purchase", "return", "cancellation", "charge"};

// customer,timestamp,type,reference,payer,amount — ~10 rows per customer:
// orders of 1-3 lines, some returns against them, a few cancellations.
const std::string& csv_text() {
  static const std::string text = [] {
    std::mt19937_64 rng(42);
    std::string out;
    out.reserve(kRowsPerText * 48);
    int64_t customer = 0, order = 0, time = 1'600'000'000;
    std::size_t rows = 0;
    while (rows < kRowsPerText) {
      const int orders = 1 + static_cast<int>(rng() % 5);
      for (int o = 0; o < orders && rows < kRowsPerText; ++o, ++order) {
        const int lines = 1 + static_cast<int>(rng() % 3);
        const char* payer = rng() % 10 == 0 ? "Corporate account" : "Card";
        for (int l = 0; l < lines && rows < kRowsPerText; ++l, ++rows) {
          time += static_cast<int64_t>(rng() % 86400);
          out += fmt::format("{},{},{},{},{},{:.2f}\n", customer, time, kKinds[l == 0 ? 0 : 3],
                             order, payer, 5.0 + static_cast<double>(rng() % 10000) / 100.0);
        }
        const auto r = rng() % 20;
        if (r < 2 && rows < kRowsPerText) {
          out += fmt::format("{},{},return,{},Card,{:.2f}\n", customer, time + 86400, order, 4.0);
          ++rows;
        } else if (r == 2 && rows < kRowsPerText) {
          out += fmt::format("{},{},cancellation,{},Card,0\n", customer, time + 3600,
                             order + 1'000'000'000);
          ++rows;
        }
      }
      ++customer;
    }
    return out;
  }();
  return text;
}

int32_t parse_kind(std::string_view s) {
  for (int32_t k = 0; k < 4; ++k) {
    if (s == kKinds[k]) return k;
  }
  return -1;
}

template <typename T>
T number(std::string_view s) {
  T value{};
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

// Parses all rows; calls `flush` per batch. Returns the number of rows.
template <typename Flush>
std::size_t import_rows(Flush&& flush) {
  clv::TransactionBatch batch;
  batch.reserve(kBatchRows + 64);
  std::size_t total = 0;
  for (int repeat = 0; repeat < kTextRepeats; ++repeat) {
    auto reader = clv::CsvReader::from_text(csv_text());
    clv::CsvRecord record;
    while (reader.next(record)) {
      const auto& f = record.fields;
      const int64_t customer = number<int64_t>(f[0]) + repeat * 10'000'000LL;
      if (batch.size() >= kBatchRows && customer != batch.customer.back()) {
        flush(batch);
        total += batch.size();
        batch.clear();
      }
      int32_t payer = -1;
      for (std::size_t p = 0; p < batch.payer_labels.size(); ++p) {
        if (batch.payer_labels[p] == f[4]) payer = static_cast<int32_t>(p);
      }
      if (payer < 0) {
        batch.payer_labels.emplace_back(f[4]);
        payer = static_cast<int32_t>(batch.payer_labels.size() - 1);
      }
      batch.add(customer, number<int64_t>(f[1]),
                static_cast<clv::TransactionKind>(parse_kind(f[2])), number<double>(f[5]),
                number<int64_t>(f[3]), payer);
    }
  }
  flush(batch);
  return total + batch.size();
}

std::string self_dir() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  return std::filesystem::path(std::string(buffer, static_cast<std::size_t>(n)))
      .parent_path()
      .string();
}

std::optional<clv::SectorPlugin> load(const std::string& id) {
  static clv::PluginRegistry registry = [] {
    clv::PluginRegistry r;
    clv::PluginSearchOptions options;
    const std::string build = self_dir() + "/..";
    options.plugin_dirs = {build + "/plugins", build + "/tests/plugin_abi/fixtures/good"};
    for (const auto& p : r.discover(options)) fmt::print(stderr, "warning: {}\n", p.message);
    return r;
  }();
  if (!registry.has_sector(id)) return std::nullopt;
  return registry.for_sector(id);
}

void BM_ImportWithoutPlugin(benchmark::State& state) {
  double checksum = 0;
  for (auto _ : state) {
    const auto rows = import_rows(
        [&](clv::TransactionBatch& b) { checksum += b.amount.empty() ? 0 : b.amount[0]; });
    state.counters["rows"] = static_cast<double>(rows);
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRowsPerText) * kTextRepeats);
}

void BM_ImportWithPlugin(benchmark::State& state, const std::string& id) {
  auto plugin = load(id);
  if (!plugin) {
    state.SkipWithError(("plugin not found: " + id).c_str());
    return;
  }
  std::size_t dropped = 0;
  for (auto _ : state) {
    const auto rows = import_rows(
        [&](clv::TransactionBatch& b) { dropped += plugin->normalize_transactions(b).dropped; });
    state.counters["rows"] = static_cast<double>(rows);
  }
  state.counters["dropped_per_iteration"] =
      static_cast<double>(dropped) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRowsPerText) * kTextRepeats);
}

BENCHMARK(BM_ImportWithoutPlugin)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_ImportWithPlugin, c_fixture, std::string("c_fixture"))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_ImportWithPlugin, retail, std::string("retail"))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
