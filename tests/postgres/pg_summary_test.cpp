// The pushdown summary and histogram from PostgreSQL equal the engine's own
// SQLite summary of the same rows, customer by customer, with JPY and USD
// customers, returns, same-day purchases, a holdout and rows the mapping
// filters out; on one server and on a coordinator with two postgres_fdw shards.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>

#include "clv/models.hpp"
#include "clv/postgres.hpp"
#include "clv/summarize.hpp"
#include "pg_fixture.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/summary_sql.hpp"

namespace {

using clv_test::pg_servers;

// The histogram a summary collapses to: (x, t_x, T) -> customers.
std::map<std::tuple<double, double, double>, double> collapse(const clv::CustomerSummary& s) {
  std::map<std::tuple<double, double, double>, double> out;
  for (size_t i = 0; i < s.size(); ++i) out[{s.frequency[i], s.recency[i], s.T[i]}] += 1;
  return out;
}

void expect_histogram_of(const clv::CustomerSummary& expected, const clv::PgHistogram& h) {
  const auto want = collapse(expected);
  ASSERT_EQ(want.size(), h.rows.size());
  for (size_t i = 0; i < h.rows.size(); ++i) {
    const auto it = want.find({h.rows.x[i], h.rows.t_x[i], h.rows.T[i]});
    ASSERT_NE(it, want.end()) << h.rows.x[i] << " " << h.rows.t_x[i] << " " << h.rows.T[i];
    EXPECT_EQ(it->second, h.rows.weight[i]);
  }
  EXPECT_EQ(h.customers, static_cast<double>(expected.size()));
}

TEST(PgSummary, OrdersTableMatchesSqliteSummaryWithHoldout) {
  CLV_REQUIRE_PG();
  const std::string sqlite = clv_test::load_crm_data("crm");
  const auto period = clv_test::test_period(true);
  const clv::CustomerSummary expected = clv::summarize_database(sqlite, period);
  ASSERT_GT(expected.size(), 300u);
  ASSERT_GT(expected.diagnostics.customers_first_seen_in_holdout, 0u);
  ASSERT_GT(expected.diagnostics.rows_not_purchase, 0u);
  ASSERT_GT(expected.diagnostics.rows_after_end, 0u);

  auto source = clv::PgSource::connect(pg_servers().single->conninfo("crm"),
                                       clv::load_pg_mapping(clv_test::orders_mapping_path()));
  const clv::CustomerSummary actual = source->summary(period);
  clv_test::expect_same_summary(expected, actual);
  expect_histogram_of(expected, source->histogram(period));
  EXPECT_EQ(source->server_version().substr(0, 3), "15.");
}

TEST(PgSummary, MinorUnitsAndEpochSecondsMatchWithoutHoldout) {
  CLV_REQUIRE_PG();
  const std::string sqlite = clv_test::load_crm_data("crm");
  const auto period = clv_test::test_period(false);
  const clv::CustomerSummary expected = clv::summarize_database(sqlite, period);
  auto source = clv::PgSource::connect(pg_servers().single->conninfo("crm"),
                                       clv::load_pg_mapping(clv_test::ledger_mapping_path()));
  const clv::CustomerSummary actual = source->summary(period);
  clv_test::expect_same_summary(expected, actual);
  // JPY amounts are whole yen, USD cents / 100: a JPY repeat buyer's mean
  // spend is a whole number of yen per day only when the currency scale is 1.
  bool saw_jpy = false;
  for (size_t i = 0; i < actual.size(); ++i) {
    const std::string id(actual.ids[i]);
    if (std::stoi(id.substr(1)) % 3 == 0 && id[1] != '9' && actual.frequency[i] > 0) {
      saw_jpy = true;
      const double repeat_spend = actual.monetary_value[i] * actual.frequency[i];
      EXPECT_NEAR(repeat_spend, std::round(repeat_spend), 1e-6) << id;  // not scaled by 1/100
    }
  }
  EXPECT_TRUE(saw_jpy);
  expect_histogram_of(expected, source->histogram(period));
}

TEST(PgSummary, FitOnTheHistogramEqualsTheFitOnEveryCustomer) {
  CLV_REQUIRE_PG();
  const std::string sqlite = clv_test::load_crm_data("crm");
  const auto period = clv_test::test_period(false);
  const clv::RfmData every = clv::rfm_data_from_summary(clv::summarize_database(sqlite, period));
  auto source = clv::PgSource::connect(pg_servers().single->conninfo("crm"),
                                       clv::load_pg_mapping(clv_test::orders_mapping_path()));
  clv::PgHistogram h = source->histogram(period);
  // Models need T > 0: customers first seen on the calibration end day wait.
  clv::RfmData all;
  for (size_t i = 0; i < every.size(); ++i) {
    if (every.T[i] > 0) {
      all.x.push_back(every.x[i]);
      all.t_x.push_back(every.t_x[i]);
      all.T.push_back(every.T[i]);
    }
  }
  clv::RfmData rows;
  for (size_t i = 0; i < h.rows.size(); ++i) {
    if (h.rows.T[i] > 0) {
      rows.x.push_back(h.rows.x[i]);
      rows.t_x.push_back(h.rows.t_x[i]);
      rows.T.push_back(h.rows.T[i]);
      rows.weight.push_back(h.rows.weight[i]);
    }
  }
  h.rows = rows;
  EXPECT_LT(h.rows.size(), all.size());  // some customers share (x, t_x, T)
  for (const char* model : {"bgnbd", "pnbd"}) {
    const clv::FitResult a = clv::fit_model(model, all, {}, period.unit);
    const clv::FitResult b = clv::fit_model(model, h.rows, {}, period.unit);
    ASSERT_TRUE(a.converged && b.converged) << model;
    EXPECT_NEAR(a.log_likelihood, b.log_likelihood, 1e-9 * std::fabs(a.log_likelihood)) << model;
    for (size_t k = 0; k < a.params.size(); ++k) {
      EXPECT_NEAR(a.params[k], b.params[k], 1e-6 * a.params[k]) << model << " " << a.param_names[k];
    }
    EXPECT_EQ(a.n_customers, b.n_customers);
  }
  // Only the histogram crossed the network: fewer bytes than one row per customer.
  EXPECT_LT(source->transfer().bytes_received, all.size() * 16);
}

TEST(PgSharded, PartitionedOverTwoFdwShardsMatchesAndPushesTheAggregation) {
  CLV_REQUIRE_PG();
  const std::string sqlite = clv_test::load_crm_data("crm");
  const std::string db = clv_test::load_sharded_data();
  const auto period = clv_test::test_period(true);
  const clv::CustomerSummary expected = clv::summarize_database(sqlite, period);
  const auto& coordinator = *pg_servers().single;
  // Both shards hold rows: the partitions really are remote.
  EXPECT_GT(std::stoi(pg_servers().shard_a->psql("SELECT count(*) FROM orders_p0", "crm_shard")),
            50);
  EXPECT_GT(std::stoi(pg_servers().shard_b->psql("SELECT count(*) FROM orders_p1", "crm_shard")),
            50);
  EXPECT_EQ(std::stoi(coordinator.psql("SELECT count(*) FROM ONLY orders", db)), 0);
  // The per-customer-day aggregation runs on each shard: postgres_fdw ships
  // it as one remote GROUP BY per partition ("Aggregate on" a foreign table).
  {
    const auto mapping = clv::load_pg_mapping(clv_test::orders_mapping_path());
    clv::pg::Connection conn(coordinator.conninfo(db));
    const auto tx = clv::pg::resolve_transactions(conn, mapping);
    for (const std::string& sql :
         {clv::pg::histogram_sql(tx, period), clv::pg::customer_summary_sql(tx, period)}) {
      const std::string plan = coordinator.psql(
          "SET enable_partitionwise_aggregate = on; SET work_mem = '256MB';\n"
          "EXPLAIN (VERBOSE, COSTS OFF) " +
              sql,
          db);
      EXPECT_NE(plan.find("Relations: Aggregate on (public.orders_p0"), std::string::npos) << plan;
      EXPECT_NE(plan.find("Relations: Aggregate on (public.orders_p1"), std::string::npos) << plan;
      EXPECT_NE(plan.find("FROM public.orders_p0 WHERE ((status = 'completed')) GROUP BY 1, 2"),
                std::string::npos)
          << plan;
    }
  }
  auto source = clv::PgSource::connect(coordinator.conninfo(db),
                                       clv::load_pg_mapping(clv_test::orders_mapping_path()));
  clv_test::expect_same_summary(expected, source->summary(period));
  expect_histogram_of(expected, source->histogram(period));
}

}  // namespace
