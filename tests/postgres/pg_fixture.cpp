#include "pg_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "clv/database.hpp"
#include "clv/importer.hpp"
#include "domain/calendar.hpp"

namespace clv_test {
namespace {

constexpr int64_t kCalEnd = clv::days_from_civil(2025, 6, 30);
constexpr int64_t kHoldEnd = clv::days_from_civil(2025, 12, 31);

struct Row {
  std::string customer, currency, kind, status;
  int64_t ts;
  int64_t minor;  // minor units of the currency
};

// Pareto/NBD-like histories: per-customer purchase rate and lifetime drawn
// from gamma distributions, so the fitted models are identified.
std::vector<Row> make_rows() {
  std::mt19937_64 rng(20261205);
  std::gamma_distribution<double> rate(0.9, 0.025);         // purchases per day
  std::gamma_distribution<double> dropout(1.2, 1.0 / 300);  // deaths per day
  std::exponential_distribution<double> unit_exp(1.0);
  std::vector<Row> rows;
  for (int c = 1; c <= 500; ++c) {
    const std::string id = fmt::format("C{:04d}", c);
    const std::string currency = c % 3 == 0 ? "JPY" : "USD";
    const double lambda = rate(rng), mu = dropout(rng);
    const double spend_scale = std::gamma_distribution<double>(4.0, 0.25)(rng);  // Gamma-Gamma-like
    const double birth = static_cast<double>(kCalEnd - 600 + static_cast<int64_t>(rng() % 660));
    const double death = birth + unit_exp(rng) / mu;
    for (double t = birth; t <= death && t < static_cast<double>(kHoldEnd + 30);
         t += unit_exp(rng) / lambda) {
      Row r;
      r.customer = id;
      r.currency = currency;
      r.ts = static_cast<int64_t>(std::floor(t * clv::kSecondsPerDay));
      // Yen and cents of similar magnitude in major units (one spend model).
      r.minor = static_cast<int64_t>(
          spend_scale *
          static_cast<double>(currency == "JPY" ? 5 + rng() % 50 : 500 + rng() % 500000 / 100));
      const unsigned roll = static_cast<unsigned>(rng() % 100);
      r.kind = roll < 8 ? "return" : roll < 11 ? "refund" : "purchase";
      r.status = rng() % 100 < 6 ? "cancelled" : "completed";
      rows.push_back(r);
      if (rng() % 100 < 10) {  // a second order the same day
        Row same = r;
        same.ts =
            std::min(same.ts + 600, (same.ts / clv::kSecondsPerDay + 1) * clv::kSecondsPerDay - 1);
        same.kind = "purchase";
        rows.push_back(same);
      }
    }
  }
  // A customer with returns only, and one whose rows are all filtered out.
  rows.push_back({"C9001", "USD", "return", "completed", kCalEnd * clv::kSecondsPerDay - 5, 999});
  rows.push_back(
      {"C9002", "USD", "purchase", "cancelled", (kCalEnd - 9) * clv::kSecondsPerDay, 4200});
  return rows;
}

std::string major_text(const Row& r) {
  if (r.currency == "JPY") return std::to_string(r.minor);
  return fmt::format("{}.{:02d}", r.minor / 100, r.minor % 100);
}

const std::vector<Row>& rows() {
  static const std::vector<Row> kRows = make_rows();
  return kRows;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string orders_ddl(const std::string& name, const std::string& suffix = "") {
  return fmt::format(
      "CREATE TABLE {} (order_no bigint NOT NULL, cust_no text NOT NULL, ordered_at timestamptz "
      "NOT NULL, total numeric(14,3) NOT NULL, currency char(3) NOT NULL, kind text NOT NULL, "
      "status text NOT NULL){};\n",
      name, suffix);
}

std::string orders_copy(const std::string& table) {
  std::string sql = "COPY " + table + " FROM STDIN;\n";
  int64_t n = 0;
  for (const Row& r : rows()) {
    sql += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", ++n, r.customer, clv::format_timestamp(r.ts),
                       major_text(r), r.currency, r.kind, r.status);
  }
  return sql + "\\.\n";
}

}  // namespace

PgServers& pg_servers() {
  static PgServers* servers = [] {
    auto* s = new PgServers();
    s->single = PgTestServer::start(s->skip_reason);
    if (s->single) {
      s->shard_a = PgTestServer::start(s->skip_reason);
      s->shard_b = PgTestServer::start(s->skip_reason);
    }
    return s;
  }();
  return *servers;
}

// Servers stop when the process ends (the destructor of a static is too late
// for gtest's output, so a global environment tears them down).
class StopServers : public testing::Environment {
 public:
  void TearDown() override {
    PgServers& s = pg_servers();
    s.single.reset();
    s.shard_a.reset();
    s.shard_b.reset();
  }
};
const testing::Environment* const kStopServers =
    testing::AddGlobalTestEnvironment(new StopServers());

clv::SummaryPeriod test_period(bool holdout) {
  clv::SummaryPeriod p;
  p.calibration_end_day = kCalEnd;
  if (holdout) p.holdout_end_day = kHoldEnd;
  p.unit = clv::TimeUnit::week();
  return p;
}

std::string load_crm_data(const std::string& db) {
  static std::map<std::string, std::string> loaded;
  if (auto it = loaded.find(db); it != loaded.end()) return it->second;
  const PgTestServer& server = *pg_servers().single;
  server.psql("CREATE DATABASE " + db);
  std::string sql = orders_ddl("orders") + orders_copy("orders");
  sql +=
      "CREATE TABLE ledger (customer text, ts bigint, amount_minor bigint, currency text, "
      "kind text);\nCOPY ledger FROM STDIN;\n";
  for (const Row& r : rows()) {
    if (r.status != "completed") continue;
    sql += fmt::format("{}\t{}\t{}\t{}\t{}\n", r.customer, r.ts, r.minor, r.currency, r.kind);
  }
  sql += "\\.\nANALYZE;\n";
  server.psql(sql, db);

  std::string csv = "customer_id,timestamp,amount,currency,kind\n";
  for (const Row& r : rows()) {
    if (r.status != "completed") continue;
    csv += fmt::format("{},{},{},{},{}\n", r.customer, clv::format_timestamp(r.ts), major_text(r),
                       r.currency, r.kind);
  }
  const std::string path = testing::TempDir() + "/" + db + ".db";
  {
    clv::Database sqlite = clv::Database::open(path);
    clv::ImportOptions options;
    options.rejects_path = testing::TempDir() + "/" + db + ".rejects.csv";
    const auto result =
        clv::import_text(sqlite, clv::Entity::kTransactions, csv, "orders.csv", options);
    EXPECT_EQ(result.rejected, 0u);
  }
  loaded[db] = path;
  return path;
}

std::string load_sharded_data() {
  static bool done = false;
  const std::string db = "crm_sharded";
  if (done) return db;
  PgServers& s = pg_servers();
  const PgTestServer* shards[] = {s.shard_a.get(), s.shard_b.get()};
  for (int i = 0; i < 2; ++i) {
    shards[i]->psql("CREATE DATABASE crm_shard");
    shards[i]->psql(orders_ddl(fmt::format("orders_p{}", i)), "crm_shard");
  }
  std::string sql = "CREATE EXTENSION postgres_fdw;\n";
  sql += orders_ddl("orders", " PARTITION BY HASH (cust_no)");
  for (int i = 0; i < 2; ++i) {
    sql += fmt::format(
        "CREATE SERVER shard{0} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', "
        "port '{1}', dbname 'crm_shard', async_capable 'true', fetch_size '10000', "
        "batch_size '1000', fdw_tuple_cost '0.2', "
        "options '-c enable_hashagg=off -c work_mem=256MB');\n"
        "CREATE USER MAPPING FOR CURRENT_USER SERVER shard{0} OPTIONS (user 'clv');\n"
        "CREATE FOREIGN TABLE orders_p{0} PARTITION OF orders FOR VALUES WITH (MODULUS 2, "
        "REMAINDER {0}) SERVER shard{0} OPTIONS (table_name 'orders_p{0}');\n",
        i, shards[i]->port());
  }
  sql += orders_copy("orders");  // routed to the shards through postgres_fdw
  s.single->psql("CREATE DATABASE " + db);
  s.single->psql(sql, db);
  for (int i = 0; i < 2; ++i) shards[i]->psql("ANALYZE", "crm_shard");
  // Statistics of the foreign partitions on the coordinator (sampled through
  // postgres_fdw), as docs/scale.md asks: without them the planner guesses
  // row counts and may not push the aggregation down.
  s.single->psql("ANALYZE orders", db);
  done = true;
  return db;
}

std::string orders_mapping_path() {
  static const std::string path = write_file("orders_mapping.toml", R"toml(
# The CRM's orders table: cancelled orders do not count.
scores_table = "clv_scores"

[transactions]
table = "orders"
filter = "status = 'completed'"

[transactions.fields]
customer_id = "cust_no"
timestamp = "ordered_at"
amount = "total"
currency = "currency"
kind = "kind"
)toml");
  return path;
}

std::string ledger_mapping_path() {
  static const std::string path = write_file("ledger_mapping.json", R"json({
  "transactions": {
    "table": "public.ledger",
    "fields": {"customer_id": "customer", "timestamp": "ts", "amount_minor": "amount_minor",
               "currency": "currency", "kind": "lower(kind)"}
  },
  "scores_table": "ledger_scores"
})json");
  return path;
}

void expect_same_summary(const clv::CustomerSummary& expected, const clv::CustomerSummary& actual,
                         double tolerance) {
  ASSERT_EQ(expected.size(), actual.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < actual.size(); ++i) index[std::string(actual.ids[i])] = i;
  auto near = [&](double a, double b) {
    return std::fabs(a - b) <= tolerance * std::max(1.0, std::fabs(a));
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string id(expected.ids[i]);
    const auto it = index.find(id);
    ASSERT_NE(it, index.end()) << id;
    const size_t j = it->second;
    EXPECT_EQ(expected.frequency[i], actual.frequency[j]) << id;
    EXPECT_TRUE(near(expected.recency[i], actual.recency[j])) << id;
    EXPECT_TRUE(near(expected.T[i], actual.T[j])) << id;
    EXPECT_TRUE(near(expected.monetary_value[i], actual.monetary_value[j]))
        << id << " " << expected.monetary_value[i] << " vs " << actual.monetary_value[j];
    if (expected.has_holdout()) {
      EXPECT_EQ(expected.frequency_holdout[i], actual.frequency_holdout[j]) << id;
      EXPECT_TRUE(near(expected.monetary_value_holdout[i], actual.monetary_value_holdout[j])) << id;
    }
  }
  const auto& a = expected.diagnostics;
  const auto& b = actual.diagnostics;
  EXPECT_EQ(a.rows_read, b.rows_read);
  EXPECT_EQ(a.rows_used, b.rows_used);
  EXPECT_EQ(a.rows_not_purchase, b.rows_not_purchase);
  EXPECT_EQ(a.rows_after_end, b.rows_after_end);
  EXPECT_EQ(a.customers_first_seen_in_holdout, b.customers_first_seen_in_holdout);
  EXPECT_EQ(expected.duration_holdout, actual.duration_holdout);
}

}  // namespace clv_test
