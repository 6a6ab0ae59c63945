// Import throughput: generates a transactions CSV (default 1M rows over 100k
// customers; `bench_import 10000000 1000000` for the 10M/1M target), imports
// it into a fresh database and prints rows/s. A plain main, not Google
// Benchmark: one timed run of a multi-second import is the figure we want.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include <fmt/format.h>

#include "clv/database.hpp"
#include "clv/importer.hpp"
#include "domain/calendar.hpp"

namespace {

void generate(const std::string& path, uint64_t rows, uint64_t customers, bool with_ids) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) throw std::runtime_error("cannot write " + path);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> customer(0, customers - 1);
  std::uniform_int_distribution<int> day(0, 729), cents(1, 50000), qty(1, 5);
  const int64_t start = clv::days_from_civil(2023, 1, 1);
  std::fputs(with_ids ? "transaction_id,customer_id,timestamp,amount,quantity\n"
                      : "customer_id,timestamp,amount,quantity\n",
             out);
  for (uint64_t i = 0; i < rows; ++i) {
    // Every customer appears at least once, the rest at random.
    const uint64_t c = i < customers ? i : customer(rng);
    const std::string date = clv::format_date(start + day(rng));
    const int amount = cents(rng);
    if (with_ids) fmt::print(out, "T{},", i);
    fmt::print(out, "C{:07},{},{}.{:02},{}\n", c, date, amount / 100, amount % 100, qty(rng));
  }
  std::fclose(out);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const uint64_t customers = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : rows / 10;
  const bool with_ids = argc > 3 && std::string(argv[3]) == "ids";
  const std::string dir = std::filesystem::temp_directory_path() / "clv_import_bench";
  std::filesystem::create_directories(dir);
  const std::string csv = dir + "/transactions.csv", db_path = dir + "/bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  generate(csv, rows, customers, with_ids);
  const double mib = std::filesystem::file_size(csv) / 1048576.0;

  clv::Database db = clv::Database::open(db_path);
  // CPU time too: on a shared machine wall time mostly measures the neighbours.
  auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  const clv::ImportResult r = clv::import_file(db, clv::Entity::kTransactions, csv);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  fmt::print(
      "import {} rows ({:.0f} MiB, {} customers{}): wall {:.2f} s = {:.0f} rows/s; "
      "CPU {:.2f} s = {:.0f} rows per CPU-second\n",
      r.inserted, mib, r.customers_created, with_ids ? ", with transaction ids" : "", seconds,
      r.inserted / seconds, cpu, r.inserted / cpu);
  std::filesystem::remove_all(dir);
  return r.inserted == rows ? 0 : 1;
}
