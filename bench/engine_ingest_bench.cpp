// clv::Engine live-ingest throughput without HTTP: the storage and summary
// side of the ≥200k transactions/s target (issue 7). Seeds CUSTOMERS
// customers, then ingests BATCHES batches of BATCH_SIZE transactions of
// random customers (no ids: every record is a new row), as the HTTP load test
// does. Prints CPU per row for the ingest calls, and for the merge of the
// rows still pending into the indexed transactions table (Engine::flush).
// Usage: bench_engine_ingest [customers=50000] [batches=200] [batch_size=5000]
//                            [merge_pending_rows=engine default]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clv/engine.hpp"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<clv::TransactionRecord> random_batch(std::mt19937_64& rng, size_t size,
                                                 uint64_t customers) {
  std::uniform_int_distribution<uint64_t> customer(1, customers);
  std::uniform_int_distribution<int64_t> second(0, 300 * 86400), cents(100, 20000);
  std::vector<clv::TransactionRecord> batch(size);
  for (auto& r : batch) {
    r.customer_id = fmt::format("c{}", customer(rng));
    r.timestamp = 1704067200 + second(rng);
    r.amount_minor = cents(rng);
  }
  return batch;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t customers = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 50000;
  const size_t batches = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
  const size_t batch_size = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 5000;
  const std::string dir = std::filesystem::temp_directory_path() / "clv_engine_ingest_bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  clv::EngineOptions options;
  if (argc > 4) options.merge_pending_rows = std::strtoull(argv[4], nullptr, 10);
  auto engine = clv::Engine::open(dir + "/engine.db", options);

  // Seed: every customer with five purchases in the year before.
  std::mt19937_64 rng(7);
  {
    std::vector<clv::TransactionRecord> seed;
    for (uint64_t c = 1; c <= customers; ++c) {
      for (int k = 0; k < 5; ++k) {
        clv::TransactionRecord r;
        r.customer_id = fmt::format("c{}", c);
        r.timestamp = 1672531200 + static_cast<int64_t>(rng() % (365 * 86400));
        r.amount_minor = 500 + static_cast<int64_t>(rng() % 10000);
        seed.push_back(std::move(r));
      }
      if (seed.size() >= 50000 || c == customers) {
        engine->ingest_transactions(seed);
        seed.clear();
      }
    }
    engine->flush();
  }
  // Batches are built before timing, as a client would send them.
  std::vector<std::vector<clv::TransactionRecord>> work;
  for (size_t b = 0; b < batches; ++b) work.push_back(random_batch(rng, batch_size, customers));

  const double cpu0 = cpu_seconds(), wall0 = wall_seconds();
  size_t rows = 0;
  for (const auto& batch : work) rows += engine->ingest_transactions(batch).inserted;
  const double cpu1 = cpu_seconds(), wall1 = wall_seconds();
  engine->flush();
  const double cpu2 = cpu_seconds(), wall2 = wall_seconds();
  fmt::print(
      "engine ingest of {} rows in batches of {} over {} customers, merging every {} pending: "
      "ingest calls {:.2f} us CPU "
      "per row ({:.0f} rows/s wall); final merge {:.2f} us CPU per row; together {:.0f} rows per "
      "CPU-second\n",
      rows, batch_size, customers, options.merge_pending_rows, (cpu1 - cpu0) * 1e6 / rows,
      rows / (wall1 - wall0), (cpu2 - cpu1) * 1e6 / rows, rows / (cpu2 - cpu0));
  (void)wall2;
  engine.reset();
  std::filesystem::remove_all(dir);
  return rows == batches * batch_size ? 0 : 1;
}
