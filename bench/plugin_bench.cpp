// Cost of the sector plugin boundary at the real import: the same
// transactions CSV (default 10 million rows over 1 million customers;
// CLV_BENCH_QUICK=1: 1 million over 100 thousand) imported into a fresh
// database three times, every customer created with the sector of the run:
//   no plugin : ImportOptions::plugins unset (the rows go straight to SQLite)
//   c_fixture : the C fixture plugin, one loop over each batch: the boundary
//               (holding rows, grouping by customer, batches, the C call)
//   retail    : the retail rules (order folding, return netting)
// Prints rows/s (CPU and wall) and each run's overhead over the baseline.
//   bench_plugin [rows] [customers]
// Plugin directories default to the build tree next to this binary.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include <fmt/format.h>

#include "clv/database.hpp"
#include "clv/importer.hpp"
#include "clv/plugin_registry.hpp"
#include "domain/calendar.hpp"

namespace {

// transaction_id,customer_id,timestamp,amount,kind,reference,payer: orders
// of 1-3 lines sharing a reference, about one order in ten partly returned
// and one in twenty cancelled, customers interleaved as in a time-ordered
// export.
void generate(const std::string& path, uint64_t rows, uint64_t customers) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) throw std::runtime_error("cannot write " + path);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> customer(0, customers - 1);
  std::uniform_int_distribution<int> day(0, 729), cents(100, 50000);
  const int64_t start = clv::days_from_civil(2023, 1, 1);
  std::fputs("transaction_id,customer_id,timestamp,amount,kind,reference,payer\n", out);
  uint64_t written = 0, order = 0;
  while (written < rows) {
    const uint64_t c = order < customers ? order : customer(rng);
    const std::string date = clv::format_date(start + day(rng));
    const char* payer = rng() % 10 == 0 ? "Corporate account" : "Card";
    const int lines = 1 + static_cast<int>(rng() % 3);
    for (int l = 0; l < lines && written < rows; ++l, ++written) {
      const int amount = cents(rng);
      fmt::print(out, "T{}-{},C{:07},{},{}.{:02},purchase,O{},{}\n", order, l, c, date,
                 amount / 100, amount % 100, order, payer);
    }
    const auto r = rng() % 20;
    if (r < 2 && written < rows) {
      fmt::print(out, "T{}-R,C{:07},{},4.00,return,O{},Card\n", order, c, date, order);
      ++written;
    } else if (r == 2 && written < rows) {
      fmt::print(out, "T{}-X,C{:07},{},0,cancellation,O{}x,Card\n", order, c, date, order);
      ++written;
    }
    ++order;
  }
  std::fclose(out);
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

std::string self_dir() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  return std::filesystem::path(std::string(buffer, static_cast<size_t>(n))).parent_path().string();
}

struct Run {
  double cpu = 0, wall = 0;
  clv::ImportResult result;
};

Run import_once(const std::string& dir, const std::string& csv, const std::string& sector,
                const clv::PluginRegistry* plugins) {
  const std::string db_path = dir + "/bench_" + sector + (plugins ? "" : "_none") + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  Run run;
  {
    clv::Database db = clv::Database::open(db_path);
    clv::ImportOptions options;
    options.sector = sector;
    options.plugins = plugins;
    options.rejects_path = dir + "/rejects.csv";
    options.normalized_path = dir + "/normalized.csv";
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    run.result = clv::import_file(db, clv::Entity::kTransactions, csv, options);
    run.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run.cpu = cpu_seconds() - cpu0;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = std::getenv("CLV_BENCH_QUICK") != nullptr;
  const uint64_t rows =
      argc > 1 ? std::strtoull(argv[1], nullptr, 10) : (quick ? 1'000'000 : 10'000'000);
  const uint64_t customers = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : rows / 10;
  const std::string dir = std::filesystem::temp_directory_path() / "clv_plugin_bench";
  std::filesystem::create_directories(dir);
  const std::string csv = dir + "/transactions.csv";
  generate(csv, rows, customers);

  clv::PluginRegistry plugins;
  clv::PluginSearchOptions search;
  const std::string build = self_dir() + "/..";
  search.plugin_dirs = {build + "/plugins", build + "/tests/plugin_abi/fixtures/good"};
  for (const auto& p : plugins.discover(search)) fmt::print(stderr, "warning: {}\n", p.message);
  for (const char* id : {"retail", "c_fixture"}) {
    if (!plugins.has_sector(id)) {
      fmt::print(stderr, "plugin {} not found under {}: build the clv_plugins target\n", id, build);
      return 2;
    }
  }
  double load = 0;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = 0;
    std::fclose(f);
  }
  fmt::print("{} rows over {} customers ({:.0f} MiB), load average {:.2f}\n", rows, customers,
             std::filesystem::file_size(csv) / 1048576.0, load);

  const Run base = import_once(dir, csv, "retail", nullptr);
  auto report = [&](const char* name, const Run& r) {
    const uint64_t stored = r.result.inserted;
    fmt::print(
        "{:<10} CPU {:6.2f} s = {:8.0f} rows/s ({:+5.1f}% vs no plugin)   wall {:6.2f} s = "
        "{:8.0f} rows/s   stored {} dropped {}\n",
        name, r.cpu, rows / r.cpu, 100.0 * (r.cpu - base.cpu) / base.cpu, r.wall, rows / r.wall,
        stored, r.result.normalized_away);
  };
  report("no plugin", base);
  report("c_fixture", import_once(dir, csv, "c_fixture", &plugins));
  report("retail", import_once(dir, csv, "retail", &plugins));
  std::filesystem::remove_all(dir);
  return 0;
}
