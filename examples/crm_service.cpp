// A CRM-like back-end embedding clv::Engine in process: one feed thread
// ingests orders and support incidents as they happen while request threads
// score customers on the request path. Scores move with each order (no
// refit); a nightly-style refit is an explicit call.
//
// Build (from the repository root, after scripts/build.sh release):
//   g++ -std=c++20 -O2 -I core/include examples/crm_service.cpp \
//     build/release/core/libclv_{engine,models,math,store,domain}.a \
//     -lSQLiteCpp -lsqlite3 -lfmt -pthread -o crm_service
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "clv/engine.hpp"
#include "clv/error.hpp"

int main(int argc, char** argv) {
  const std::string db = argc > 1 ? argv[1] : "crm_service.db";
  auto engine = clv::Engine::open(db);
  std::mt19937_64 rng(42);
  constexpr int kCustomers = 2000;
  constexpr int64_t kStart = 1704067200;  // 2024-01-01

  // History: BG/NBD-like buyers over a year.
  std::vector<clv::TransactionRecord> history;
  for (int c = 0; c < kCustomers; ++c) {
    std::gamma_distribution<double> rate_dist(0.8, 0.5);
    const double rate = rate_dist(rng) + 1e-6, drop = std::uniform_real_distribution<>(0, 0.5)(rng);
    double week = std::uniform_real_distribution<>(0, 26)(rng);
    while (week < 52) {
      clv::TransactionRecord t;
      t.customer_id = "cust-" + std::to_string(c);
      t.timestamp = kStart + static_cast<int64_t>(week * 7 * 86400);
      t.amount_minor = 500 + static_cast<int64_t>(rng() % 10000);
      history.push_back(t);
      if (std::uniform_real_distribution<>(0, 1)(rng) < drop) break;
      week += std::exponential_distribution<>(rate)(rng);
    }
  }
  engine->ingest_transactions(history);
  const clv::RunInfo run = engine->refit();
  std::printf("run %lld fitted on %zu customers\n", static_cast<long long>(run.id),
              run.n_customers);

  std::atomic<bool> stop{false};
  std::atomic<long> requests{0};
  std::vector<std::thread> request_threads;
  for (int t = 0; t < 4; ++t) {
    request_threads.emplace_back([&, t] {
      std::mt19937 r(t);
      while (!stop) {
        try {
          const auto s = engine->score("cust-" + std::to_string(r() % kCustomers));
          if (s.p_alive < 0.05) { /* e.g. route to a win-back campaign */
          }
          ++requests;
        } catch (const clv::Error& e) {
          std::fprintf(stderr, "score: %s\n", e.what());
        }
      }
    });
  }
  // The feed: one order batch every 10 ms and an incident now and then.
  const auto before = engine->score("cust-7");
  for (int tick = 0; tick < 100; ++tick) {
    std::vector<clv::TransactionRecord> orders(20);
    for (auto& o : orders) {
      o.customer_id = "cust-" + std::to_string(rng() % kCustomers);
      o.timestamp = kStart + 365 * 86400 + tick * 600;
      o.amount_minor = 1000 + static_cast<int64_t>(rng() % 5000);
    }
    orders[0].customer_id = "cust-7";
    engine->ingest_transactions(orders);
    if (tick % 10 == 0) {
      clv::IncidentRecord incident;
      incident.customer_id = "cust-7";
      incident.opened_at = kStart + 365 * 86400 + tick * 600;
      incident.severity = 3;
      engine->ingest_incidents(std::span(&incident, 1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (auto& t : request_threads) t.join();
  const auto after = engine->score("cust-7");
  std::printf(
      "served %ld scores while ingesting; cust-7 P(alive) %.3f -> %.3f, purchases %.0f -> "
      "%.0f, incidents %zu, still run %lld\n",
      requests.load(), before.p_alive, after.p_alive, before.frequency, after.frequency,
      after.incidents, static_cast<long long>(after.run_id));
  return 0;
}
