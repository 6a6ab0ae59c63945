// The database loader of incident/staff/static covariates on a hand-made
// database: times in the summary's unit from the first purchase, the
// calibration cut-off, the employee join, static dummies, and the retail
// plugin's weights and SLAs read through its hook 2.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "churn/covariate_fit_record.hpp"
#include "churn/db_covariates.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "store/database.hpp"

namespace clv {
namespace {

// 2026-01-01 00:00 UTC and days after it.
constexpr int64_t kJan1 = 1767225600;
int64_t at(double days) {
  return kJan1 + static_cast<int64_t>(days * 86400.0);
}
const int64_t kCalEndDay = kJan1 / 86400 + 69;  // 2026-03-11: 10 weeks minus a day after Jan 1

std::string make_db() {
  const std::string path = ::testing::TempDir() + "/db_covariates_test.db";
  std::filesystem::remove(path);
  auto db = open_database(path);
  db->exec(R"(
INSERT INTO customers (id, external_id, sector, segment, region, attributes) VALUES
  (1, 'A', 'retail', 'premium', 'north', '{"income": 52.5, "tier": "gold"}'),
  (2, 'B', 'retail', 'regular', 'south', '{"income": 31, "tier": "silver"}'),
  (3, 'C', 'retail', 'regular', 'north', '{"income": 40, "tier": "silver"}'),
  (4, 'D', 'retail', 'regular', 'north', '{"income": 1}');
INSERT INTO employees (id, external_id, role, location, trust, tact, empathy, conformity, focus,
                       flexibility) VALUES
  (1, 'E1', 'clerk', 'store-a', 6, 5, 8, 4, 7, 3),
  (2, 'E2', 'clerk', 'store-b', 2, 3, 1, 9, 4, 6);
)");
  SQLite::Statement tx(*db,
                       "INSERT INTO transactions (customer_id, ts, amount_minor) VALUES (?, ?, ?)");
  auto buy = [&](int c, double day) {
    tx.bind(1, c);
    tx.bind(2, at(day));
    tx.bind(3, 1000);
    tx.exec();
    tx.reset();
  };
  buy(1, 0), buy(1, 14), buy(1, 30);  // A: first purchase Jan 1
  buy(2, 7), buy(2, 21);              // B: first purchase Jan 8
  buy(3, 14);                         // C: first purchase Jan 15
  buy(4, 80);                         // D: only after the calibration end -> not in the summary
  SQLite::Statement inc(*db,
                        "INSERT INTO incidents (customer_id, opened_at, resolved_at, severity, "
                        "category, satisfaction, employee_id, compensation_minor) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?)");
  auto add = [&](int c, double opened, double resolved, int severity, const char* category,
                 int satisfaction, int employee, int comp) {
    inc.bind(1, c);
    inc.bind(2, at(opened));
    if (resolved >= 0)
      inc.bind(3, at(resolved));
    else
      inc.bind(3);
    inc.bind(4, severity);
    inc.bind(5, category);
    if (satisfaction > 0)
      inc.bind(6, satisfaction);
    else
      inc.bind(6);
    if (employee > 0)
      inc.bind(7, employee);
    else
      inc.bind(7);
    inc.bind(8, comp);
    inc.exec();
    inc.reset();
  };
  add(1, 7, 9, 2, "late delivery", 4, 1, 500);  // A: 1 week in, resolved 2 days later
  add(1, 28, 90, 4, "defect", 2, 2, 0);         // A: resolved after the cut-off -> open
  add(1, 75, 76, 5, "defect", 1, 1, 0);         // A: opened after the cut-off -> left out
  add(2, 14, -1, 3, "billing", -1, 0, 0);       // B: never resolved, no handler
  add(4, 81, 82, 1, "billing", 5, 1, 0);        // D: not a summary customer
  return path;
}

struct Loaded {
  std::string db = make_db();
  CustomerSummary summary;
  std::vector<std::string> ids;
  Loaded() {
    SummaryPeriod period;
    period.calibration_end_day = kCalEndDay;
    period.unit = TimeUnit::week();
    summary = summarize_database(db, period);
    for (size_t i = 0; i < summary.size(); ++i) ids.emplace_back(summary.ids[i]);
  }
  size_t index_of(const std::string& id) const {
    for (size_t i = 0; i < ids.size(); ++i)
      if (ids[i] == id) return i;
    throw std::runtime_error("no customer " + id);
  }
  DbCovariateOptions options(bool plugins) const {
    DbCovariateOptions o;
    o.db_path = db;
    o.calibration_end_day = kCalEndDay;
    o.unit = TimeUnit::week();
    o.use_plugins = plugins;
    if (plugins) o.plugin_dirs = {std::string(CLV_BINARY_DIR) + "/plugins"};
    return o;
  }
};

TEST(DbCovariates, TimesCutOffAndEmployeeJoin) {
  const Loaded l;
  ASSERT_EQ(l.ids.size(), 3u);  // D bought only after the calibration end
  CovariateSpec spec;
  spec.incidents = spec.staff = true;
  const DbCovariates cov = load_db_covariates(l.options(false), spec, l.ids, l.summary.T);
  EXPECT_EQ(cov.incidents_used, 3u);
  EXPECT_EQ(cov.incidents_after_end, 1u);
  EXPECT_EQ(cov.incidents_other_customers, 1u);

  const auto& a = cov.data.incidents[l.index_of("A")];
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NEAR(a[0].opened, 1.0, 1e-12);          // 7 days after the first purchase
  EXPECT_NEAR(a[0].resolved, 9.0 / 7.0, 1e-12);  // in weeks
  EXPECT_EQ(a[0].severity, 2);
  EXPECT_EQ(a[0].category, "late delivery");
  EXPECT_EQ(a[0].satisfaction, 4.0);
  EXPECT_EQ(a[0].compensation, 5.0);  // minor units / 100
  EXPECT_EQ(a[0].empathy, 8.0);       // employee E1
  EXPECT_EQ(a[0].employee_location, "store-a");
  EXPECT_LT(a[1].resolved, 0.0);      // resolved after the cut-off: open then
  EXPECT_LT(a[1].satisfaction, 0.0);  // its survey came later too
  EXPECT_EQ(a[1].empathy, 1.0);       // employee E2
  const auto& b = cov.data.incidents[l.index_of("B")];
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NEAR(b[0].opened, 1.0, 1e-12);  // Jan 15 is one week after B's first purchase
  EXPECT_LT(b[0].empathy, 0.0);          // no handler: unknown
  EXPECT_TRUE(cov.data.incidents[l.index_of("C")].empty());

  // Core defaults without plugins: SLA 48 h in weeks, severity weights 1..5.
  ASSERT_EQ(cov.data.rules.size(), 1u);
  EXPECT_NEAR(cov.data.rules[0].expected_resolution, 2.0 / 7.0, 1e-12);
  EXPECT_NE(cov.data.rules[0].source.find("core defaults"), std::string::npos);
  bool said = false;
  for (const auto& n : cov.notes) said = said || n.find("plugins not used") != std::string::npos;
  EXPECT_TRUE(said);

  // The built covariates follow from the records.
  CustomerCovariateData data = cov.data;
  const CovariateMatrix m = data.build();
  const size_t ia = l.index_of("A"), ib = l.index_of("B"), ic = l.index_of("C");
  auto col = [&](const char* name) {
    for (size_t j = 0; j < m.names.size(); ++j)
      if (m.names[j] == name) return j;
    throw std::runtime_error(name);
  };
  const double T_a = l.summary.T[ia];
  EXPECT_NEAR(T_a, 69.0 / 7.0, 1e-12);
  EXPECT_EQ(m.at(ia, col("incident_count")), 2.0);
  EXPECT_EQ(m.at(ia, col("unresolved_count")), 1.0);
  EXPECT_EQ(m.at(ia, col("severity_weighted")), 2.0 + 4.0);
  EXPECT_NEAR(m.at(ia, col("mean_resolution_vs_sla")), 1.0, 1e-12);  // 2 days / 48 h
  // Open for (T_a - 4) weeks, far beyond 2 SLAs: counted as given up.
  EXPECT_NEAR(m.at(ia, col("worst_resolution_vs_sla")), kGivenUpSlas, 1e-9);
  EXPECT_EQ(m.at(ia, col("satisfaction")), 4.0);
  EXPECT_EQ(m.at(ia, col("staff_empathy")), 4.5);  // (8 + 1) / 2
  // B's survey and handler are unknown: the portfolio means of the known values.
  EXPECT_EQ(m.at(ib, col("satisfaction")), 4.0);
  EXPECT_EQ(m.at(ib, col("staff_empathy")), 4.5);
  EXPECT_EQ(m.at(ic, col("incident_count")), 0.0);
}

TEST(DbCovariates, StaticColumnsFromTheCustomersTable) {
  const Loaded l;
  CovariateSpec spec;
  spec.static_columns = {"segment", "income", "tier"};
  const DbCovariates cov = load_db_covariates(l.options(false), spec, l.ids, l.summary.T);
  const CovariateMatrix& s = cov.data.static_columns;
  // regular is the most common segment and silver the most common tier: the references.
  ASSERT_EQ(s.names, (std::vector<std::string>{"segment=premium", "income", "tier=gold"}));
  EXPECT_EQ(s.at(l.index_of("A"), 0), 1.0);
  EXPECT_EQ(s.at(l.index_of("B"), 0), 0.0);
  EXPECT_EQ(s.at(l.index_of("A"), 1), 52.5);
  EXPECT_EQ(s.at(l.index_of("C"), 2), 0.0);
  spec.static_columns = {"nickname"};
  try {
    load_db_covariates(l.options(false), spec, l.ids, l.summary.T);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no 'nickname' attribute"), std::string::npos);
  }
  EXPECT_THROW(parse_covariate_spec("incidents,weather"), Error);
  EXPECT_THROW(parse_covariate_spec(""), Error);
}

TEST(DbCovariates, RetailPluginWeightsAndSlas) {
  const Loaded l;
  if (!std::filesystem::exists(std::string(CLV_BINARY_DIR) + "/plugins/retail")) {
    GTEST_SKIP() << "retail plugin not built (cmake --build ... --target clv_sector_retail)";
  }
  CovariateSpec spec;
  spec.incidents = true;
  const DbCovariates cov = load_db_covariates(l.options(true), spec, l.ids, l.summary.T);
  ASSERT_EQ(cov.data.rules.size(), 1u);
  const IncidentRules& r = cov.data.rules[0];
  // plugins/retail/README.md: severity 0.2/0.5/1.0/1.8/3.0; defect 1.4, delivery 1.2;
  // SLA delivery 24 h, defect 72 h, others 48 h.
  ASSERT_EQ(r.severity_weight.size(), 5u);
  const double expected[5] = {0.2, 0.5, 1.0, 1.8, 3.0};
  for (int s = 0; s < 5; ++s) EXPECT_NEAR(r.severity_weight[s], expected[s], 1e-12);
  EXPECT_NEAR(r.weight_of("late delivery"), 1.2, 1e-12);
  EXPECT_NEAR(r.weight_of("defect"), 1.4, 1e-12);
  EXPECT_NEAR(r.weight_of("billing"), 1.0, 1e-12);
  EXPECT_NEAR(r.sla_of("late delivery"), 1.0 / 7.0, 1e-9);
  EXPECT_NEAR(r.sla_of("defect"), 3.0 / 7.0, 1e-9);
  EXPECT_NEAR(r.sla_of("billing"), 2.0 / 7.0, 1e-9);
  EXPECT_NE(r.source.find("plugin retail"), std::string::npos) << r.source;
  CustomerCovariateData data = cov.data;
  const CovariateMatrix m = data.build();
  const size_t ia = l.index_of("A");
  EXPECT_NEAR(m.at(ia, 2), 0.5 * 1.2 + 1.8 * 1.4, 1e-12);     // severity_weighted
  EXPECT_NEAR(m.at(ia, 4), (2.0 / 7.0) / (1.0 / 7.0), 1e-9);  // 48 h against a 24 h SLA
}

}  // namespace
}  // namespace clv
