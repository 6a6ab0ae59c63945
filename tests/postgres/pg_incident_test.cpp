// Incident covariates built by SQL in PostgreSQL equal those the SQLite path
// builds for the static covariate churn fit (load_db_covariates +
// CustomerCovariateData::build), customer by customer to 1e-9, with the same
// sector rules (severity and category weights, per-category SLA).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include <fmt/format.h>

#include "churn/db_covariates.hpp"
#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "clv/postgres.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "pg_fixture.hpp"

namespace {

using clv_test::pg_servers;

struct Ticket {
  std::string customer, category;
  int64_t opened = 0;
  std::optional<int64_t> resolved;
  std::optional<int> severity, satisfaction;
  std::optional<int64_t> compensation_cents;
};

// Tickets before and after the calibration end, resolved before it, after
// it, or never; some without severity, survey or compensation; and tickets
// of a customer without purchases (not a covariate of anyone).
std::vector<Ticket> make_tickets() {
  const int64_t cal = clv_test::test_period(false).calibration_end_day;
  std::mt19937_64 rng(1515);
  std::vector<Ticket> out;
  const char* categories[] = {"billing", "delivery", "other"};
  for (int c = 1; c <= 500; ++c) {
    const int n = static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) {
      Ticket t;
      t.customer = fmt::format("C{:04d}", c);
      t.category = categories[rng() % 3];
      t.opened = (cal - 400 + static_cast<int64_t>(rng() % 460)) * clv::kSecondsPerDay +
                 static_cast<int64_t>(rng() % 86400);
      const unsigned roll = static_cast<unsigned>(rng() % 10);
      if (roll < 7) t.resolved = t.opened + static_cast<int64_t>(rng() % (10 * 86400));
      if (rng() % 8 != 0) t.severity = 1 + static_cast<int>(rng() % 5);
      if (rng() % 3 != 0) t.satisfaction = 1 + static_cast<int>(rng() % 5);
      if (rng() % 4 == 0) t.compensation_cents = static_cast<int64_t>(rng() % 5000);
      out.push_back(t);
    }
  }
  Ticket other;  // C9001 has returns only: no summary purchase
  other.customer = "C9001";
  other.category = "billing";
  other.opened = (cal - 20) * clv::kSecondsPerDay;
  other.severity = 2;
  out.push_back(other);
  return out;
}

clv::IncidentRules test_rules(const clv::TimeUnit& unit) {
  clv::IncidentRules r;
  r.severity_weight = {1, 2, 4, 8, 16};
  r.category_weight = {{"billing", 1.5}, {"delivery", 0.75}};
  r.expected_resolution = 48.0 / 24.0 / unit.days;
  r.category_expected_resolution = {{"delivery", 24.0 / 24.0 / unit.days}};
  r.source = "test rules";
  return r;
}

TEST(PgIncidents, CovariatesBySqlEqualTheSqlitePath) {
  CLV_REQUIRE_PG();
  const std::string twin = clv_test::load_crm_data("crm");
  const std::vector<Ticket> tickets = make_tickets();

  // PostgreSQL: a CRM-shaped tickets table (timestamptz, numeric money).
  std::string sql =
      "DROP TABLE IF EXISTS tickets;\n"
      "CREATE TABLE tickets (ticket_no serial, cust_no text, opened timestamptz, closed "
      "timestamptz, prio smallint, topic text, csat int, credit numeric(10,2));\n"
      "COPY tickets (cust_no, opened, closed, prio, topic, csat, credit) FROM STDIN;\n";
  auto or_null = [](const std::string& s) { return s.empty() ? std::string("\\N") : s; };
  for (const Ticket& t : tickets) {
    sql += fmt::format(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\n", t.customer, clv::format_timestamp(t.opened),
        or_null(t.resolved ? clv::format_timestamp(*t.resolved) : ""),
        or_null(t.severity ? std::to_string(*t.severity) : ""), t.category,
        or_null(t.satisfaction ? std::to_string(*t.satisfaction) : ""),
        or_null(t.compensation_cents ? fmt::format("{}.{:02d}", *t.compensation_cents / 100,
                                                   *t.compensation_cents % 100)
                                     : ""));
  }
  sql += "\\.\n";
  pg_servers().single->psql(sql, "crm");

  // SQLite: a copy of the twin with the same tickets imported as incidents.
  const std::string db = testing::TempDir() + "/pg_incidents_twin.db";
  std::filesystem::copy_file(twin, db, std::filesystem::copy_options::overwrite_existing);
  {
    std::string csv =
        "customer_id,opened_at,resolved_at,severity,category,satisfaction,compensation\n";
    for (const Ticket& t : tickets) {
      csv += fmt::format(
          "{},{},{},{},{},{},{}\n", t.customer, clv::format_timestamp(t.opened),
          t.resolved ? clv::format_timestamp(*t.resolved) : "",
          t.severity ? std::to_string(*t.severity) : "", t.category,
          t.satisfaction ? std::to_string(*t.satisfaction) : "",
          t.compensation_cents
              ? fmt::format("{}.{:02d}", *t.compensation_cents / 100, *t.compensation_cents % 100)
              : "");
    }
    clv::Database sqlite = clv::Database::open(db);
    clv::ImportOptions options;
    options.rejects_path = testing::TempDir() + "/pg_incidents.rejects.csv";
    const auto result =
        clv::import_text(sqlite, clv::Entity::kIncidents, csv, "tickets.csv", options);
    ASSERT_EQ(result.rejected, 0u);
  }

  const clv::SummaryPeriod period = clv_test::test_period(false);
  const clv::IncidentRules rules = test_rules(period.unit);

  // The SQLite path of the covariate churn fit, with the same rules.
  const clv::CustomerSummary lite = clv::summarize_database(db, period);
  std::vector<std::string> ids;
  for (size_t i = 0; i < lite.size(); ++i) ids.emplace_back(lite.ids[i]);
  clv::DbCovariateOptions dbo;
  dbo.db_path = db;
  dbo.calibration_end_day = period.calibration_end_day;
  dbo.unit = period.unit;
  dbo.use_plugins = false;
  clv::CovariateSpec spec;
  spec.incidents = true;
  clv::DbCovariates loaded = clv::load_db_covariates(dbo, spec, ids, lite.T);
  loaded.data.rules = {rules};
  loaded.data.rules_of.assign(ids.size(), 0);
  const clv::CovariateMatrix want = loaded.data.build();

  // PostgreSQL: the same summary pushed down, covariates aggregated there.
  std::string mapping_text = R"toml(
[transactions]
table = "orders"
filter = "status = 'completed'"
[transactions.fields]
customer_id = "cust_no"
timestamp = "ordered_at"
amount = "total"
currency = "currency"
kind = "kind"
[incidents]
table = "tickets"
[incidents.fields]
customer_id = "cust_no"
opened_at = "opened"
resolved_at = "closed"
severity = "prio"
category = "topic"
satisfaction = "csat"
compensation = "credit"
)toml";
  const clv::PgMapping mapping = clv::parse_pg_mapping(mapping_text, false, "tickets.toml");
  auto source = clv::PgSource::connect(pg_servers().single->conninfo("crm"), mapping);
  const clv::CustomerSummary pg = source->summary(period);
  const uint64_t bytes_before = source->transfer().bytes_received;
  const uint64_t rows_before = source->transfer().rows_received;
  const clv::PgIncidentCovariates got = source->incident_covariates(pg, rules);

  ASSERT_EQ(got.matrix.names, want.names);
  ASSERT_EQ(pg.size(), lite.size());
  const size_t k = want.names.size();
  std::map<std::string, size_t> pg_row;
  for (size_t i = 0; i < pg.size(); ++i) pg_row[std::string(pg.ids[i])] = i;
  size_t with_incidents = 0;
  for (size_t i = 0; i < lite.size(); ++i) {
    const size_t j = pg_row.at(ids[i]);
    if (want.at(i, 0) > 0) ++with_incidents;
    for (size_t c = 0; c < k; ++c) {
      const double a = want.at(i, c), b = got.matrix.at(j, c);
      EXPECT_NEAR(a, b, 1e-9 * std::max(1.0, std::fabs(a))) << ids[i] << " " << want.names[c];
    }
  }
  EXPECT_GT(with_incidents, 200u);  // the comparison covers real histories
  EXPECT_EQ(got.incidents_used, loaded.incidents_used);
  EXPECT_EQ(got.incidents_after_end, loaded.incidents_after_end);
  EXPECT_EQ(got.incidents_other_customers, loaded.incidents_other_customers);
  EXPECT_GT(got.incidents_without_severity, 0u);
  // One row per customer with incidents crossed the network, not every ticket.
  EXPECT_GT(source->transfer().bytes_received, bytes_before);
  EXPECT_EQ(source->transfer().rows_received - rows_before, with_incidents + 1);
}

TEST(PgIncidents, MissingIncidentMappingAndBadSeverityAreClearErrors) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  const clv::PgMapping no_incidents = clv::load_pg_mapping(clv_test::orders_mapping_path());
  auto source = clv::PgSource::connect(pg_servers().single->conninfo("crm"), no_incidents);
  const clv::CustomerSummary s = source->summary(clv_test::test_period(false));
  try {
    source->incident_covariates(s, clv::IncidentRules{});
    FAIL() << "covariates without an [incidents] mapping";
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no [incidents] table"), std::string::npos) << e.what();
  }
  pg_servers().single->psql(
      "DROP TABLE IF EXISTS bad_tickets; CREATE TABLE bad_tickets (c text, o timestamptz, s int);"
      "INSERT INTO bad_tickets VALUES ('C0001', '2025-01-02', 9)",
      "crm");
  const clv::PgMapping bad = clv::parse_pg_mapping(
      R"({"transactions": {"table": "orders", "fields": {"customer_id": "cust_no",
          "timestamp": "ordered_at", "amount": "total", "currency": "currency"}},
          "incidents": {"table": "bad_tickets",
          "fields": {"customer_id": "c", "opened_at": "o", "severity": "s"}}})",
      true, "bad.json");
  auto bad_source = clv::PgSource::connect(pg_servers().single->conninfo("crm"), bad);
  const clv::CustomerSummary s2 = bad_source->summary(clv_test::test_period(false));
  try {
    bad_source->incident_covariates(s2, clv::IncidentRules{});
    FAIL() << "severity 9 accepted";
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("severity outside 1..5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("C0001"), std::string::npos) << e.what();
  }
}

}  // namespace
