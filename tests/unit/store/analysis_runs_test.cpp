// The churn and covariate-fit runs the store writes for churn/ (analysis_runs)
// read back through the store's readers, row for row; the covariate reads
// (covariate_tables) return the stored rows with NULLs as empty.
#include "store/analysis_runs.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/run_report.hpp"
#include "store/covariate_tables.hpp"
#include "store/database.hpp"

namespace clv {
namespace {

std::string fresh_db(const char* name) {
  const std::string path = testing::TempDir() + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TEST(AnalysisRuns, ChurnRunRoundTripsThroughTheChurnRunReader) {
  const std::string path = fresh_db("analysis_churn.db");
  analysis_runs::RunRow run;
  run.model = "pnbd_cov";
  run.source = "test";
  run.horizon = 26;
  run.log_likelihood = -123.5;
  run.details = R"({"model":"pnbd_cov"})";
  run.parameters = {
      {"r", 0.5, 0.01}, {"dropout:unresolved", 0.7, 0.2}, {"dropout:tact", -0.3, 0.1}};
  const std::vector<analysis_runs::ChurnScoreRow> scores = {
      {"c1", 0.9, 0.2, "low", 1.5, "[]"}, {"c2", 0.3, 0.8, "critical", 0.2, "[]"}};
  const int64_t id = analysis_runs::insert_churn_run(path, run, scores);
  EXPECT_GT(id, 0);
  const StoredChurnRun stored = read_churn_run(path, 0);
  EXPECT_EQ(stored.id, id);
  EXPECT_EQ(stored.model, "pnbd_cov");
  EXPECT_EQ(stored.horizon, 26);
  EXPECT_EQ(stored.covariates, (std::vector<std::string>{"unresolved", "tact"}));
  EXPECT_EQ(stored.dropout_effect, (std::vector<double>{0.7, -0.3}));
  EXPECT_EQ(stored.customer, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(stored.churn_risk, (std::vector<double>{0.2, 0.8}));
  // A band the schema does not know rolls the whole run back.
  EXPECT_THROW(analysis_runs::insert_churn_run(path, run, {{"c3", 0.5, 0.5, "bad", 1, "[]"}}),
               Error);
  EXPECT_EQ(read_churn_run(path, 0).id, id);
}

TEST(AnalysisRuns, CovariateFitRunIsFoundByIdAndAsTheLatest) {
  const std::string path = fresh_db("analysis_fit.db");
  EXPECT_FALSE(analysis_runs::find_covariate_fit_run(path, 0));
  analysis_runs::RunRow run;
  run.source = "sqlite:x";
  run.details = R"({"covariate_fit":1,"n":1})";
  const int64_t first = analysis_runs::insert_covariate_fit_run(path, run);
  run.details = R"({"covariate_fit":1,"n":2})";
  const int64_t second = analysis_runs::insert_covariate_fit_run(path, run);
  const auto latest = analysis_runs::find_covariate_fit_run(path, 0);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, second);
  EXPECT_EQ(latest->details, run.details);
  const auto by_id = analysis_runs::find_covariate_fit_run(path, first);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->details, R"({"covariate_fit":1,"n":1})");
  EXPECT_FALSE(analysis_runs::find_covariate_fit_run(path, second + 1));
  // A churn run is not a covariate fit.
  analysis_runs::RunRow churn;
  churn.model = "pnbd_cov";
  const int64_t churn_id = analysis_runs::insert_churn_run(path, churn, {});
  EXPECT_FALSE(analysis_runs::find_covariate_fit_run(path, churn_id));
  EXPECT_EQ(analysis_runs::find_covariate_fit_run(path, 0)->id, second);
}

TEST(CovariateTables, ReadsCustomersAndIncidentsWithTheirEmployee) {
  const std::string path = fresh_db("covariate_tables.db");
  {
    auto db = open_database(path);
    db->exec(
        "INSERT INTO customers (id, external_id, sector, segment) VALUES (1, 'a', 'retail', "
        "'gold'), (2, 'b', NULL, NULL)");
    db->exec("INSERT INTO employees (id, external_id, tact, role) VALUES (7, 'e7', 0.25, 'agent')");
    db->exec(
        "INSERT INTO incidents (customer_id, opened_at, resolved_at, severity, category, "
        "employee_id) VALUES (2, 200, NULL, NULL, NULL, NULL), (1, 100, 150, 4, 'billing', 7)");
  }
  std::vector<covariate_tables::CustomerProfileRow> customers;
  covariate_tables::read_customer_profiles(
      path, [&](const covariate_tables::CustomerProfileRow& r) { customers.push_back(r); });
  ASSERT_EQ(customers.size(), 2u);
  EXPECT_EQ(customers[0].external_id, "a");
  EXPECT_EQ(customers[0].sector, "retail");
  EXPECT_EQ(customers[0].segment, "gold");
  EXPECT_EQ(customers[1].sector, "");
  std::vector<covariate_tables::IncidentStaffRow> incidents;
  covariate_tables::read_incidents_with_staff(
      path, [&](const covariate_tables::IncidentStaffRow& r) { incidents.push_back(r); });
  ASSERT_EQ(incidents.size(), 2u);
  // Ordered by customer row.
  EXPECT_EQ(incidents[0].customer_row, 1);
  EXPECT_EQ(incidents[0].resolved_at, 150);
  EXPECT_EQ(incidents[0].severity, 4);
  EXPECT_EQ(incidents[0].category, "billing");
  EXPECT_EQ(incidents[0].employee, "e7");
  EXPECT_EQ(incidents[0].employee_role, "agent");
  EXPECT_EQ(incidents[0].traits[1], 0.25);  // tact
  EXPECT_FALSE(incidents[0].traits[0]);     // trust unknown
  EXPECT_EQ(incidents[1].customer_row, 2);
  EXPECT_FALSE(incidents[1].resolved_at);
  EXPECT_FALSE(incidents[1].severity);
  EXPECT_EQ(incidents[1].employee, "");
}

}  // namespace
}  // namespace clv
