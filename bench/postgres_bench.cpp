// The CRM's PostgreSQL as source and sink, end to end, against the
// export-to-CSV-then-import path (issue 15). Starts its own PostgreSQL 15
// servers (one, then a coordinator with two postgres_fdw shards) in /tmp,
// generates the transactions inside PostgreSQL, and prints:
//   - pushdown: histogram + fit + per-customer rows + scores + write-back,
//     with the bytes that crossed to the engine;
//   - export + import: COPY to a CSV file, clv import into SQLite, SQLite
//     summary, the same fit, scores and write-back;
//   - the same pushdown on two shards;
//   - fit time against the histogram size at two transaction counts.
// Usage: bench_postgres [rows] [customers]   (CLV_BENCH_QUICK=1: 1M / 100k)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "clv/models.hpp"
#include "clv/postgres.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "postgres/pg_test_server.hpp"
#include "store/postgres/pg_connection.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr const char* kServerSettings =
    "-c shared_buffers=2GB -c max_parallel_workers_per_gather=2 -c max_wal_size=8GB "
    "-c checkpoint_timeout=30min -c autovacuum=off";

// Customers arrive over the first year, stay an Exp(mean 365 days) lifetime
// (cut at two years) and buy 1 + Exp(mean m) times at uniform days in it (gamma-mixed purchase
// counts), spends around a per-customer Gamma(3) mean (as Gamma-Gamma assumes), 5% returns and 3%
// cancelled orders the mapping filters out. Customers [first, last].
std::string generate_sql(const std::string& table, int64_t first, int64_t last, double mean_rows) {
  return fmt::format(
      "INSERT INTO {0} (customer, ordered_at, total, kind, status)\n"
      "SELECT c, timestamptz '2022-01-01 00:00:00+00' + make_interval(days => CASE WHEN k = 1 "
      "THEN f ELSE f + (random() * (e - f))::int END, secs => random() * 86399),\n"
      "  round((s * (5 + random() * 45))::numeric, 2),\n"
      "  CASE WHEN random() < 0.05 THEN 'return' ELSE 'purchase' END,\n"
      "  CASE WHEN random() < 0.03 THEN 'cancelled' ELSE 'completed' END\n"
      "FROM (SELECT c, (random() * 364)::int AS f, 1 + floor(-ln(1 - random()) * {3})::int AS n,\n"
      "             -(ln(1 - random()) + ln(1 - random()) + ln(1 - random())) / 3 AS s\n"
      "      FROM generate_series({1}::bigint, {2}::bigint) c) cust0,\n"
      "     LATERAL (SELECT least(729, cust0.f + (-ln(1 - random()) * 365)::int) AS e) life,\n"
      "     LATERAL generate_series(1, n) k",
      table, first, last, mean_rows);
}

constexpr const char* kOrdersColumns =
    "(customer bigint NOT NULL, ordered_at timestamptz NOT NULL, total numeric(12,2) NOT NULL, "
    "kind text NOT NULL, status text NOT NULL)";

constexpr const char* kMapping = R"toml(
[transactions]
table = "orders"
filter = "status = 'completed'"
[transactions.fields]
customer_id = "customer"
timestamp = "ordered_at"
amount = "total"
kind = "kind"
)toml";

clv::PgPipelineOptions pipeline_options(const std::string& run_id) {
  clv::PgPipelineOptions o;
  o.period.calibration_end_day = clv::days_from_civil(2023, 6, 30);
  o.period.unit = clv::TimeUnit::week();
  o.count_model = "pnbd";
  o.score.horizon = 52;
  o.score.margin = 0.3;
  o.run_id = run_id;
  return o;
}

void print_pipeline(const char* what, const clv::PgPipelineResult& r, double total) {
  fmt::print(
      "{}: {:.2f} s end to end (histogram {:.2f} s, fit {:.3f} s on {} rows, per-customer rows "
      "{:.2f} s, gg fit + score {:.2f} s, write-back {:.2f} s); {} customers{}; received {:.2f} MB "
      "in {} rows, sent {:.2f} MB\n",
      what, total, r.seconds_histogram, r.seconds_fit, r.histogram_rows, r.seconds_summary,
      r.seconds_score, r.seconds_write, r.customers_scored,
      r.spend_fit ? " with CLV" : " (gg not converged: no CLV)", r.transfer.bytes_received / 1e6,
      r.transfer.rows_received, r.transfer.bytes_sent / 1e6);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = std::getenv("CLV_BENCH_QUICK") != nullptr &&
                     std::string(std::getenv("CLV_BENCH_QUICK")) == "1";
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : quick ? 1'000'000 : 10'000'000;
  const int64_t customers = argc > 2 ? std::atoll(argv[2]) : rows / 10;
  // 1 + floor(Exp(m)) rows per customer average about m + 0.5.
  const double mean_extra = static_cast<double>(rows) / static_cast<double>(customers) - 0.5;
  std::string why;
  try {
    auto server = clv_test::PgTestServer::start(why, kServerSettings);
    if (!server) {
      fmt::print("skipped: {}\n", why);
      return 0;
    }
    const clv::PgMapping mapping = clv::parse_pg_mapping(kMapping, false, "bench mapping");
    fmt::print("PostgreSQL bench: ~{} transactions over {} customers\n", rows, customers);

    // --- data, generated inside the server
    server->psql("CREATE DATABASE crm");
    auto t = Clock::now();
    server->psql(std::string("CREATE UNLOGGED TABLE orders ") + kOrdersColumns + ";\n" +
                     generate_sql("orders", 1, customers, mean_extra) + ";\nVACUUM ANALYZE orders;",
                 "crm");
    const std::string count = server->psql("SELECT count(*) FROM orders", "crm");
    fmt::print("generated {} rows in {:.1f} s\n", std::stoll(count), since(t));
    const std::string conninfo = server->conninfo("crm");

    // --- pushdown: the histogram alone, then the whole job
    {
      auto source = clv::PgSource::connect(conninfo, mapping);
      t = Clock::now();
      const clv::PgHistogram h = source->histogram(pipeline_options("").period);
      const double hs = since(t);
      clv::RfmData rows;  // T > 0 only, as the pipeline
      for (size_t i = 0; i < h.rows.size(); ++i) {
        if (h.rows.T[i] > 0) {
          rows.x.push_back(h.rows.x[i]);
          rows.t_x.push_back(h.rows.t_x[i]);
          rows.T.push_back(h.rows.T[i]);
          rows.weight.push_back(h.rows.weight[i]);
        }
      }
      t = Clock::now();
      const clv::FitResult fit = clv::fit_model("pnbd", rows, {}, clv::TimeUnit::week());
      fmt::print(
          "histogram: {} rows ({} customers) in {:.2f} s, {:.3f} MB over the wire; "
          "pnbd fit on it {:.3f} s\n",
          h.rows.size(), h.customers, hs, source->transfer().bytes_received / 1e6, since(t));
    }
    t = Clock::now();
    const auto pushed = clv::run_pg_pipeline(conninfo, mapping, pipeline_options("pushdown"));
    const double pushed_total = since(t);
    print_pipeline("pushdown (1 server)", pushed, pushed_total);

    // --- export to CSV, import into SQLite, summary there, same fit/score/write-back
    const std::string dir = server->log_dir();
    const std::string csv = dir + "/orders.csv", db_path = dir + "/clv.db";
    double export_s = 0, import_s = 0, summary_s = 0, rest_s = 0;
    t = Clock::now();
    {
      clv::pg::Connection conn(conninfo);
      std::FILE* out = std::fopen(csv.c_str(), "wb");
      std::fputs("customer_id,timestamp,amount,kind\n", out);
      conn.copy_out(
          "SELECT customer, to_char(ordered_at AT TIME ZONE 'UTC', "
          "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), total, kind FROM orders WHERE status = 'completed'",
          [&](std::string_view line) {
            for (char c : line) std::fputc(c == '\t' ? ',' : c, out);
            std::fputc('\n', out);
          });
      std::fclose(out);
    }
    export_s = since(t);
    t = Clock::now();
    {
      clv::Database db = clv::Database::open(db_path);
      clv::ImportOptions io;
      io.rejects_path = dir + "/rejects.csv";
      io.normalized_path = dir + "/normalized.csv";
      clv::import_file(db, clv::Entity::kTransactions, csv, io);
    }
    import_s = since(t);
    const auto options = pipeline_options("export-import");
    t = Clock::now();
    const clv::CustomerSummary summary = clv::summarize_database(db_path, options.period);
    summary_s = since(t);
    t = Clock::now();
    {
      // As the pushdown pipeline: customers first seen on the calibration end
      // day (T = 0) are not scored.
      clv::CustomerSummary scored;
      scored.period = summary.period;
      for (size_t i = 0; i < summary.size(); ++i) {
        if (!(summary.T[i] > 0)) continue;
        scored.ids.add(summary.ids[i]);
        scored.frequency.push_back(summary.frequency[i]);
        scored.recency.push_back(summary.recency[i]);
        scored.T.push_back(summary.T[i]);
        scored.monetary_value.push_back(summary.monetary_value[i]);
      }
      clv::RfmData data = clv::rfm_data_from_summary(scored);
      const clv::FitResult count = clv::fit_model("pnbd", data, {}, options.period.unit);
      clv::RfmData spenders;
      for (size_t k = 0; k < data.size(); ++k) {
        if (data.x[k] > 0 && data.monetary[k] > 0) {
          spenders.x.push_back(data.x[k]);
          spenders.t_x.push_back(data.t_x[k]);
          spenders.T.push_back(data.T[k]);
          spenders.monetary.push_back(data.monetary[k]);
        }
      }
      std::optional<clv::FitResult> gg;
      try {
        gg = clv::fit_model("gg", spenders, {}, options.period.unit);
      } catch (const clv::Error& e) {
        if (e.code() != clv::ErrorCode::kNotConverged) throw;
      }
      if (!gg) data.monetary.clear();
      const clv::Scores scores = clv::score(count, data, options.score, gg ? &*gg : nullptr);
      clv::PgMapping m = mapping;
      m.scores_table = "clv_scores_export";
      auto sink = clv::PgSource::connect(conninfo, m);
      clv::PgScoreRun run{"export-import", "pnbd", 52, clv::fit_result_to_json_text(count),
                          gg ? clv::fit_result_to_json_text(*gg) : ""};
      sink->write_scores(run, scored, scores, {});
    }
    rest_s = since(t);
    const double export_total = export_s + import_s + summary_s + rest_s;
    fmt::print(
        "export + import: {:.2f} s end to end (COPY to CSV {:.2f} s, {:.1f} MB; import into "
        "SQLite {:.2f} s; SQLite summary {:.2f} s; fit + score + write-back {:.2f} s)\n",
        export_total, export_s, std::filesystem::file_size(csv) / 1e6, import_s, summary_s, rest_s);
    fmt::print("speed-up of the pushdown: {:.2f}x\n", export_total / pushed_total);
    std::filesystem::remove(csv);
    std::filesystem::remove(db_path);
    std::fflush(stdout);

    // --- two shards behind a coordinator (postgres_fdw), data generated on each shard
    auto shard_a = clv_test::PgTestServer::start(why, kServerSettings);
    auto shard_b = clv_test::PgTestServer::start(why, kServerSettings);
    const int64_t half = customers / 2;
    t = Clock::now();
    shard_a->psql("CREATE DATABASE crm_shard");
    shard_b->psql("CREATE DATABASE crm_shard");
    // Both shards generate at once (two servers, two cores).
    const std::string gen_a = std::string("CREATE UNLOGGED TABLE orders_p0 ") + kOrdersColumns +
                              ";\n" + generate_sql("orders_p0", 1, half, mean_extra) +
                              ";\nVACUUM ANALYZE orders_p0;";
    const std::string gen_b = std::string("CREATE UNLOGGED TABLE orders_p1 ") + kOrdersColumns +
                              ";\n" + generate_sql("orders_p1", half + 1, customers, mean_extra) +
                              ";\nVACUUM ANALYZE orders_p1;";
    std::string err_b;
    {
      std::thread other([&] {
        try {
          shard_b->psql(gen_b, "crm_shard");
        } catch (const std::exception& e) {
          err_b = e.what();
        }
      });
      shard_a->psql(gen_a, "crm_shard");
      other.join();
    }
    if (!err_b.empty()) throw std::runtime_error(err_b);
    std::string sql = "CREATE EXTENSION postgres_fdw;\n";
    sql +=
        std::string("CREATE TABLE orders ") + kOrdersColumns + " PARTITION BY RANGE (customer);\n";
    const clv_test::PgTestServer* shards[] = {shard_a.get(), shard_b.get()};
    const int64_t bounds[] = {1, half + 1, customers + 1};
    for (int i = 0; i < 2; ++i) {
      sql += fmt::format(
          "CREATE SERVER shard{0} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', "
          "port '{1}', dbname 'crm_shard', async_capable 'true', fetch_size '50000', "
          "options '-c enable_hashagg=off -c work_mem=256MB');\n"
          "CREATE USER MAPPING FOR CURRENT_USER SERVER shard{0} OPTIONS (user 'clv');\n"
          "CREATE FOREIGN TABLE orders_p{0} PARTITION OF orders FOR VALUES FROM ({2}) TO ({3}) "
          "SERVER shard{0} OPTIONS (table_name 'orders_p{0}');\n",
          i, shards[i]->port(), bounds[i], bounds[i + 1]);
    }
    server->psql("CREATE DATABASE crm_coord");
    server->psql(sql, "crm_coord");
    fmt::print("sharded data generated in {:.1f} s\n", since(t));
    t = Clock::now();
    const auto sharded =
        clv::run_pg_pipeline(server->conninfo("crm_coord"), mapping, pipeline_options("sharded"));
    print_pipeline("pushdown (coordinator + 2 shards)", sharded, since(t));
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_postgres failed: {}\n", e.what());
    return 1;
  }
}
