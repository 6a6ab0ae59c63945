// Shared by the PostgreSQL tests: the servers (started once per process) and
// one synthetic CRM data set written both to PostgreSQL (a CRM-shaped orders
// table, with rows its mapping filters out) and to SQLite through the
// engine's own importer, so both summaries can be compared customer by
// customer.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "clv/customer_summary.hpp"
#include "pg_test_server.hpp"

namespace clv_test {

struct PgServers {
  std::unique_ptr<PgTestServer> single, shard_a, shard_b;
  std::string skip_reason;
};

// The coordinator doubles as the single server. Empty `single` = skip.
PgServers& pg_servers();

// Skips the current test when the binaries are absent.
#define CLV_REQUIRE_PG()                                    \
  do {                                                      \
    if (!::clv_test::pg_servers().single) {                 \
      GTEST_SKIP() << ::clv_test::pg_servers().skip_reason; \
    }                                                       \
  } while (0)

// The calibration and holdout ends of the data set, as a period.
clv::SummaryPeriod test_period(bool holdout);

// Loads the data set into database `db` of the single server (table orders,
// CRM names, numeric major amounts; table ledger, engine-like minor units and
// epoch seconds) once; returns its SQLite twin's path (completed rows only).
std::string load_crm_data(const std::string& db);
// Sets up the sharded copy: orders partitioned by hash of the customer over
// two postgres_fdw foreign tables on the shards; returns the database name.
std::string load_sharded_data();

// The mapping files for the CRM tables.
std::string orders_mapping_path();
std::string ledger_mapping_path();

// Asserts two summaries agree per customer (ids may be in any order).
void expect_same_summary(const clv::CustomerSummary& expected, const clv::CustomerSummary& actual,
                         double tolerance = 1e-9);

}  // namespace clv_test
