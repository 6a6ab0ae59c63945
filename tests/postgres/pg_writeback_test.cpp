// The whole job against PostgreSQL (histogram fit, per-customer scores,
// write-back) equals the same job on the SQLite twin, re-runs are
// idempotent, and every failure (bad connection string, missing column,
// permission, a server that goes away mid-write) says so clearly and leaves
// the CRM's tables unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/postgres.hpp"
#include "clv/summarize.hpp"
#include "pg_fixture.hpp"

namespace {

using clv_test::pg_servers;

clv::PgPipelineOptions pipeline_options(const std::string& run_id) {
  clv::PgPipelineOptions o;
  o.period = clv_test::test_period(false);
  o.count_model = "pnbd";
  o.score.horizon = 52;
  o.score.margin = 0.3;
  o.score.annual_discount_rate = 0.1;
  o.run_id = run_id;
  return o;
}

// Table contents as one text, to prove a failed run changed nothing.
std::string table_digest(const std::string& table) {
  return pg_servers().single->psql(
      "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
      "FROM " +
          table + " t",
      "crm");
}

clv::PgMapping orders_mapping(const std::string& scores_table) {
  clv::PgMapping m = clv::load_pg_mapping(clv_test::orders_mapping_path());
  m.scores_table = scores_table;
  return m;
}

TEST(PgPipeline, ScoresWrittenBackEqualTheSqlitePipelineAndReRunsAreIdempotent) {
  CLV_REQUIRE_PG();
  const std::string sqlite = clv_test::load_crm_data("crm");
  const auto options = pipeline_options("test-run-1");
  const std::string conninfo = pg_servers().single->conninfo("crm");
  const clv::PgMapping mapping = orders_mapping("scores_equal");
  const clv::PgPipelineResult r = clv::run_pg_pipeline(conninfo, mapping, options);
  ASSERT_TRUE(r.count_fit.converged);
  ASSERT_TRUE(r.spend_fit.has_value());

  // The same job on the SQLite twin: every customer's row, no histogram.
  const clv::CustomerSummary summary = clv::summarize_database(sqlite, options.period);
  // Customers first seen on the calibration end day (T = 0) are not scored.
  clv::RfmData all = clv::rfm_data_from_summary(summary), data;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all.T[i] > 0) {
      data.customer_id.push_back(all.customer_id[i]);
      data.x.push_back(all.x[i]);
      data.t_x.push_back(all.t_x[i]);
      data.T.push_back(all.T[i]);
      data.monetary.push_back(all.monetary[i]);
    }
  }
  EXPECT_EQ(r.customers_not_scored, all.size() - data.size());
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
  const clv::FitResult gg = clv::fit_model("gg", spenders, {}, options.period.unit);
  const clv::Scores want = clv::score(count, data, options.score, &gg);
  for (size_t k = 0; k < count.params.size(); ++k) {
    EXPECT_NEAR(count.params[k], r.count_fit.params[k], 1e-6 * count.params[k]);
  }
  EXPECT_EQ(r.customers_scored, data.size());

  const std::string rows = pg_servers().single->psql(
      "SELECT customer_id, p_alive, expected_purchases, clv, churn_risk FROM scores_equal "
      "WHERE run_id = 'test-run-1'",
      "crm");
  std::map<std::string, std::vector<double>> got;
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, v;
    std::getline(fields, id, '|');
    while (std::getline(fields, v, '|')) got[id].push_back(std::stod(v));
  }
  ASSERT_EQ(got.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    const auto& g = got.at(data.customer_id[i]);
    EXPECT_NEAR(g[0], want.p_alive[i], 1e-9) << data.customer_id[i];
    EXPECT_NEAR(g[1], want.expected_purchases[i], 1e-9 * std::max(1.0, want.expected_purchases[i]));
    EXPECT_NEAR(g[2], want.clv[i], 1e-9 * std::max(1.0, want.clv[i])) << data.customer_id[i];
    EXPECT_DOUBLE_EQ(g[3], 1.0 - g[0]);
  }

  // Re-running the run id replaces its rows: same count, one run row.
  const std::string before = table_digest("scores_equal");
  clv::run_pg_pipeline(conninfo, mapping, options);
  EXPECT_EQ(table_digest("scores_equal"), before);
  EXPECT_EQ(pg_servers().single->psql("SELECT count(*) FROM scores_equal_runs", "crm"), "1\n");
  EXPECT_GT(r.transfer.rows_sent, 0u);
  EXPECT_GT(r.transfer.bytes_received, 0u);
}

TEST(PgErrors, BadConnectionStringNamesTheServerButNeverThePassword) {
  CLV_REQUIRE_PG();
  const clv::PgMapping mapping = orders_mapping("never");
  try {
    clv::PgSource::connect("host=127.0.0.1 port=1 user=clv password=hunter2 connect_timeout=3",
                           mapping);
    FAIL() << "connected to port 1";
  } catch (const clv::Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.code(), clv::ErrorCode::kIo);
    EXPECT_NE(m.find("cannot connect to PostgreSQL at"), std::string::npos) << m;
    EXPECT_NE(m.find("port=1"), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  }
  try {
    clv::PgSource::connect("postgresql://clv:hunter2@127.0.0.1:1/crm?connect_timeout=3", mapping);
    FAIL();
  } catch (const clv::Error& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("password=***"), std::string::npos) << e.what();
  }
  try {
    clv::PgSource::connect("host=127.0.0.1 port=notaport", mapping);
    FAIL();
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("notaport"), std::string::npos) << e.what();
  }
  EXPECT_EQ(clv::redact_conninfo("host=a password='x y' user=u"), "user=u password=*** host=a");
}

TEST(PgErrors, MappingThatNamesAMissingColumnSaysWhichField) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  const clv::PgMapping m = clv::parse_pg_mapping(R"([transactions]
table = "orders"
[transactions.fields]
customer_id = "cust_no"
timestamp = "ordered_at"
amount = "totl"
)",
                                                 false, "crm_map.toml");
  try {
    clv::PgSource::connect(pg_servers().single->conninfo("crm"), m);
    FAIL();
  } catch (const clv::Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), clv::ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find("crm_map.toml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("transactions.fields.amount"), std::string::npos) << msg;
    EXPECT_NE(msg.find("column \"totl\" does not exist"), std::string::npos) << msg;
  }
  clv::PgMapping missing_table = m;
  missing_table.transactions.table = "orderz";
  try {
    clv::PgSource::connect(pg_servers().single->conninfo("crm"), missing_table);
    FAIL();
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("relation \"orderz\" does not exist"), std::string::npos)
        << e.what();
  }
  // Mapping files are checked before any connection.
  EXPECT_THROW(clv::parse_pg_mapping("[transactions]\ntable = \"o\"\n[transactions.fields]\n"
                                     "customer_id = \"c\"\ntimestamp = \"t\"\namount = \"a\"\n"
                                     "colour = \"x\"\n",
                                     false, "m.toml"),
               clv::Error);
  EXPECT_THROW(
      clv::parse_pg_mapping(R"({"transactions": {"table": "o", "fields": {"customer_id": "c",
      "timestamp": "t"}}})",
                            true, "m.json"),
      clv::Error);  // no amount
  EXPECT_THROW(
      clv::parse_pg_mapping("[transactions]\ntable = \"o; drop table x\"\n[transactions.fields]\n"
                            "customer_id = \"c\"\ntimestamp = \"t\"\namount = \"a\"\n",
                            false, "m.toml"),
      clv::Error);
}

TEST(PgErrors, PermissionErrorAndLostServerLeaveTheCrmTablesUnchanged) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  auto& server = *pg_servers().single;
  const clv::PgMapping mapping = orders_mapping("scores_guarded");
  clv::run_pg_pipeline(server.conninfo("crm"), mapping, pipeline_options("first"));
  const std::string before = table_digest("scores_guarded");
  const std::string runs_before = table_digest("scores_guarded_runs");

  // A role that may read the orders but not write the scores.
  server.psql("CREATE ROLE reader LOGIN; GRANT SELECT ON orders TO reader;", "crm");
  try {
    clv::run_pg_pipeline(server.conninfo("crm", "reader"), mapping, pipeline_options("second"));
    FAIL() << "wrote without the privilege";
  } catch (const clv::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("permission denied"), std::string::npos) << m;
    EXPECT_NE(m.find("nothing was written"), std::string::npos) << m;
  }
  EXPECT_EQ(table_digest("scores_guarded"), before);

  // The server goes away in the middle of the COPY: the backend is
  // terminated when the 100th row arrives.
  server.psql(R"sql(
    CREATE FUNCTION die_midway() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM scores_guarded WHERE run_id = NEW.run_id) >= 100 THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER die_midway BEFORE INSERT ON scores_guarded FOR EACH ROW
      EXECUTE FUNCTION die_midway();)sql",
              "crm");
  try {
    clv::run_pg_pipeline(server.conninfo("crm"), mapping, pipeline_options("first"));
    FAIL() << "the write survived a terminated backend";
  } catch (const clv::Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.code(), clv::ErrorCode::kIo);
    EXPECT_NE(m.find("connection"), std::string::npos) << m;
  }
  server.psql("DROP TRIGGER die_midway ON scores_guarded", "crm");
  EXPECT_EQ(table_digest("scores_guarded"), before);
  EXPECT_EQ(table_digest("scores_guarded_runs"), runs_before);

  // A whole server restart between runs: the next run connects afresh.
  server.restart();
  clv::run_pg_pipeline(server.conninfo("crm"), mapping, pipeline_options("first"));
  EXPECT_EQ(table_digest("scores_guarded"), before);
}

}  // namespace
