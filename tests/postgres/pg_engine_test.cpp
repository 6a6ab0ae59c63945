// The PostgreSQL job through every front end: clv::Engine::pg_run, the C
// API's clv_pg_run_json and `clv serve`'s POST /v1/pg/run run the code `clv
// pg run` runs, so each writes the same scores back for the same data; the
// password of the source is never printed.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/c_api.h"
#include "clv/engine.hpp"
#include "clv/error.hpp"
#include "pg_fixture.hpp"
#include "support/cli_run.hpp"
#include "support/serve_child.hpp"

namespace {

using clv_test::pg_servers;
using nlohmann::json;

std::string source_file(const std::string& name) {
  const std::string file = testing::TempDir() + "/" + name;
  std::ofstream(file) << pg_servers().single->conninfo("crm") << " password=hunter2\n";
  return file;
}

std::string fresh_db(const std::string& name) {
  const std::string path = testing::TempDir() + "/" + name + ".db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return path;
}

// Rows of run `a` that differ from run `b` in any written value, plus
// customers in one run only (0 = the same scores for the same customers).
int64_t rows_differing(const std::string& a, const std::string& b) {
  const std::string sql = fmt::format(
      "SELECT count(*) FROM (SELECT * FROM clv_scores WHERE run_id = '{0}') x FULL JOIN "
      "(SELECT * FROM clv_scores WHERE run_id = '{1}') y USING (customer_id) WHERE x.run_id IS "
      "NULL OR y.run_id IS NULL OR (x.frequency, x.recency, x.age, x.p_alive, x.churn_risk, "
      "x.expected_purchases, x.expected_spend, x.clv, x.value_at_risk) IS DISTINCT FROM "
      "(y.frequency, y.recency, y.age, y.p_alive, y.churn_risk, y.expected_purchases, "
      "y.expected_spend, y.clv, y.value_at_risk)",
      a, b);
  return std::stoll(pg_servers().single->psql(sql, "crm"));
}

int64_t rows_of(const std::string& run) {
  return std::stoll(pg_servers().single->psql(
      "SELECT count(*) FROM clv_scores WHERE run_id = '" + run + "'", "crm"));
}

// `clv pg run` and clv::Engine::pg_run on the same PostgreSQL data: the same
// fit (bit for bit) and the same row per customer in the scores table.
TEST(PgFrontEnds, CliAndEngineWriteTheSameScores) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  const std::string file = source_file("engine_source.txt");
  const auto cli = cli_test::run_clv(
      "pg run --source-file " + file + " --mapping " + clv_test::orders_mapping_path() +
      " --calibration-end 2025-06-30 --model bgnbd --horizon 26 --margin 0.4 --threads 1 "
      "--run-id agree-cli --json");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const json from_cli = json::parse(cli.out);

  clv::EngineOptions options;
  options.pg_source = clv::read_conninfo_file(file);
  options.pg_mapping = clv_test::orders_mapping_path();
  options.count_model = "bgnbd";
  options.horizon = 26;
  options.margin = 0.4;
  options.fit_threads = 1;
  auto engine = clv::Engine::open(fresh_db("pg_engine"), options);
  clv::PgPipelineOptions request = engine->pg_run_defaults();
  request.period.calibration_end_day = clv_test::test_period(false).calibration_end_day;
  request.run_id = "agree-engine";
  const clv::PgPipelineResult r = engine->pg_run(request);

  EXPECT_EQ(r.count_fit.model, "bgnbd");
  EXPECT_EQ(r.customers_scored, from_cli["customers_scored"].get<size_t>());
  EXPECT_EQ(r.histogram_rows, from_cli["histogram_rows"].get<size_t>());
  ASSERT_EQ(r.count_fit.params.size(), from_cli["count_fit"]["params"].size());
  for (size_t k = 0; k < r.count_fit.params.size(); ++k) {
    EXPECT_EQ(r.count_fit.params[k],
              from_cli["count_fit"]["params"][r.count_fit.param_names[k]].get<double>());
  }
  EXPECT_EQ(r.count_fit.log_likelihood, from_cli["count_fit"]["log_likelihood"].get<double>());
  ASSERT_TRUE(r.spend_fit.has_value());
  EXPECT_GT(rows_of("agree-engine"), 200);
  EXPECT_EQ(rows_of("agree-engine"), rows_of("agree-cli"));
  EXPECT_EQ(rows_differing("agree-engine", "agree-cli"), 0);

  // The engine's defaults: its model, horizon, margin, time unit.
  EXPECT_EQ(request.count_model, "bgnbd");
  EXPECT_EQ(request.score.horizon, 26);
  EXPECT_EQ(request.score.margin, 0.4);
  EXPECT_EQ(request.period.unit.name, "week");
}

TEST(PgFrontEnds, EngineWithoutSourceOrWithABadMappingSaysSo) {
  CLV_REQUIRE_PG();
  auto plain = clv::Engine::open(fresh_db("pg_engine_plain"));
  clv::PgPipelineOptions request = plain->pg_run_defaults();
  request.period.calibration_end_day = clv_test::test_period(false).calibration_end_day;
  try {
    plain->pg_run(request);
    FAIL() << "an engine without a PostgreSQL source ran a job";
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no PostgreSQL source"), std::string::npos) << e.what();
  }
  clv::EngineOptions bad;
  bad.pg_source = "host=127.0.0.1 password=hunter2";
  bad.pg_mapping = testing::TempDir() + "/no_such_mapping.toml";
  try {
    clv::Engine::open(fresh_db("pg_engine_bad"), bad);
    FAIL() << "a missing mapping file was accepted";
  } catch (const clv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_mapping.toml"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

// The C API: options name the source file and mapping; the answer is the
// JSON of `clv pg run --json` and equals the Engine's scores.
TEST(PgFrontEnds, CApiRunsTheJobAndHidesThePassword) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  const std::string file = source_file("capi_source.txt");
  const json options = {{"pg_source_file", file}, {"pg_mapping", clv_test::orders_mapping_path()},
                        {"count_model", "bgnbd"}, {"horizon", 26},
                        {"margin", 0.4},          {"fit_threads", 1}};
  clv_engine* engine = nullptr;
  ASSERT_EQ(clv_engine_open(fresh_db("pg_capi").c_str(), options.dump().c_str(), &engine), CLV_OK)
      << clv_last_error();
  char* out = nullptr;
  ASSERT_EQ(
      clv_pg_run_json(engine, R"({"calibration_end": "2025-06-30", "run_id": "agree-capi"})", &out),
      CLV_OK)
      << clv_last_error();
  const std::string text = out;
  clv_free(out);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  const json j = json::parse(text);
  EXPECT_NE(j["source"].get<std::string>().find("password=***"), std::string::npos);
  EXPECT_EQ(j["run_id"], "agree-capi");
  EXPECT_EQ(j["count_fit"]["model"], "bgnbd");
  EXPECT_EQ(j["customers_scored"].get<int64_t>(), rows_of("agree-capi"));
  // The same job by the CLI: the same row for every customer.
  const auto cli = cli_test::run_clv(
      "pg run --source-file " + file + " --mapping " + clv_test::orders_mapping_path() +
      " --calibration-end 2025-06-30 --model bgnbd --horizon 26 --margin 0.4 --threads 1 "
      "--run-id agree-cli-capi");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(rows_differing("agree-capi", "agree-cli-capi"), 0);

  // A request field the job does not know, and a missing calibration end.
  out = nullptr;
  EXPECT_EQ(clv_pg_run_json(engine, R"({"calibration_end": "2025-06-30", "conninfo": "x"})", &out),
            CLV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(clv_last_error()).find("'conninfo'"), std::string::npos)
      << clv_last_error();
  EXPECT_EQ(clv_pg_run_json(engine, "{}", &out), CLV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(clv_last_error()).find("calibration_end"), std::string::npos);
  clv_engine_close(engine);

  // An unreachable server: CLV_IO, the password hidden.
  const json unreachable = {
      {"pg_source", "host=127.0.0.1 port=1 password=hunter2 connect_timeout=3"}};
  ASSERT_EQ(clv_engine_open(fresh_db("pg_capi_down").c_str(), unreachable.dump().c_str(), &engine),
            CLV_OK)
      << clv_last_error();
  EXPECT_EQ(clv_pg_run_json(engine, R"({"calibration_end": "2025-06-30"})", &out), CLV_IO);
  EXPECT_NE(std::string(clv_last_error()).find("cannot connect to PostgreSQL"), std::string::npos)
      << clv_last_error();
  EXPECT_EQ(std::string(clv_last_error()).find("hunter2"), std::string::npos);
  clv_engine_close(engine);
}

// `clv serve --pg-source-file --pg-mapping`: POST /v1/pg/run runs the job
// (201), with the same scores as the CLI; the password is never printed.
TEST(PgFrontEnds, HttpRunsTheJob) {
  CLV_REQUIRE_PG();
  clv_test::load_crm_data("crm");
  const std::string file = source_file("http_source.txt");
  cli_test::ServeChild server({"--db", fresh_db("pg_http"), "--port", "0", "--model", "bgnbd",
                               "--horizon", "26", "--margin", "0.4", "--pg-source-file", file,
                               "--pg-mapping", clv_test::orders_mapping_path()});
  ASSERT_GT(server.port(), 0);
  auto c = server.client();
  c.set_read_timeout(120, 0);
  const auto r = c.Post(
      "/v1/pg/run", R"({"calibration_end": "2025-06-30", "run_id": "agree-http", "threads": 1})",
      "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(r->body.find("hunter2"), std::string::npos);
  const json j = json::parse(r->body);
  EXPECT_EQ(j["run_id"], "agree-http");
  EXPECT_EQ(j["customers_scored"].get<int64_t>(), rows_of("agree-http"));

  // The same job by the CLI: the same row for every customer.
  const auto cli = cli_test::run_clv(
      "pg run --source-file " + file + " --mapping " + clv_test::orders_mapping_path() +
      " --calibration-end 2025-06-30 --model bgnbd --horizon 26 --margin 0.4 --threads 1 "
      "--run-id agree-cli-http");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(rows_differing("agree-http", "agree-cli-http"), 0);

  const auto bad = c.Post("/v1/pg/run", R"({"horizon": 26})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("calibration_end"), std::string::npos) << bad->body;
  const auto get = c.Get("/v1/pg/run");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
}

}  // namespace
