// The tracking chart's numbers: actual repeat purchases per period from the
// transactions (file and database agree, and agree with the summary), and
// the expected curve equal to sum_i E[X(t - birth_i)] computed here from the
// published closed forms; on CDNOW the BG/NBD curve tracks the actual one.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "churn/churn_run_store.hpp"
#include "clv/error.hpp"
#include "clv/run_report.hpp"
#include "clv/summarize.hpp"
#include "clv/whatif.hpp"
#include "domain/calendar.hpp"
#include "store/database.hpp"

namespace clv {
namespace {

namespace fs = std::filesystem;

int64_t day(const char* text) {
  int64_t seconds = 0;
  EXPECT_TRUE(parse_timestamp(text, seconds)) << text;
  return day_of(seconds);
}

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path path = fs::path(::testing::TempDir()) / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Gauss 2F1 by its power series (|z| < 1), independent of the models' code.
double hyp2f1(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  for (int n = 0; n < 100000; ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (std::fabs(term) < 1e-16 * std::fabs(sum)) break;
  }
  return sum;
}

// BG/NBD E[X(t)], Fader, Hardie & Lee (2005), eq. 9.
double bgnbd_expected(double r, double alpha, double a, double b, double t) {
  if (t <= 0) return 0;
  return (a + b - 1) / (a - 1) *
         (1 - std::pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, t / (alpha + t)));
}

// Pareto/NBD E[X(t)], Schmittlein, Morrison & Colombo (1987).
double pnbd_expected(double r, double alpha, double s, double beta, double t) {
  return r * beta / (alpha * (s - 1)) * (1 - std::pow(beta / (beta + t), s - 1));
}

FitResult fit_of(const std::string& model, std::vector<std::string> names,
                 std::vector<double> params) {
  FitResult fit;
  fit.model = model;
  fit.param_names = std::move(names);
  fit.params = std::move(params);
  return fit;
}

// Four weeks from 2024-01-01; calibration = the first two.
SummaryPeriod tiny_period() {
  SummaryPeriod p;
  p.calibration_end_day = day("2024-01-14");
  p.holdout_end_day = day("2024-01-28");
  return p;
}

// a: born day 0, repeats on day 3 (twice: one purchase day) and day 11, a
// return on day 10 (not a purchase). b: born day 2 (rows out of order),
// repeat on day 19 (holdout) and one after the end. c: first seen in the
// holdout (not in the cohort). Two malformed rows (a date, an amount).
constexpr const char* kTinyCsv =
    "customer_id,timestamp,amount,kind\n"
    "a,2024-01-01,10,purchase\n"
    "a,2024-01-04,5,purchase\n"
    "b,2024-01-20,3,purchase\n"
    "a,2024-01-04,7,purchase\n"
    "a,2024-01-11,5,return\n"
    "a,2024-01-12,5,\n"
    "c,2024-01-20,1,purchase\n"
    "c,2024-01-25,1,purchase\n"
    "b,2024-01-03,10,purchase\n"
    "b,2024-02-10,3,purchase\n"
    "d,2024-13-45,1,purchase\n"
    "e,2024-01-02,1O.00,purchase\n";

TEST(PurchaseHistory, CountsBirthsAndRepeatDaysLikeTheSummary) {
  const fs::path path = write_file("tiny_history.csv", kTinyCsv);
  const PurchaseHistory h = read_purchase_history(path.string(), {}, tiny_period());
  EXPECT_EQ(h.first_day, day("2024-01-01"));
  EXPECT_EQ(h.end_day, day("2024-01-28"));
  ASSERT_EQ(h.births.size(), 28u);
  std::vector<double> births(28, 0.0), repeats(28, 0.0);
  births[0] = births[2] = 1;
  repeats[3] = repeats[11] = repeats[19] = 1;
  EXPECT_EQ(h.births, births);
  EXPECT_EQ(h.repeats, repeats);
  EXPECT_EQ(h.rows_rejected, 2u);
  EXPECT_NE(h.first_reject.find("line 12"), std::string::npos) << h.first_reject;

  // The summary of the same file: calibration and holdout repeats agree.
  const CustomerSummary s = summarize_transaction_file(path.string(), {}, tiny_period());
  EXPECT_EQ(s.diagnostics.rows_rejected, h.rows_rejected);
  EXPECT_EQ(s.size(), 2u);
  const double x = std::accumulate(s.frequency.begin(), s.frequency.end(), 0.0);
  const double x_holdout =
      std::accumulate(s.frequency_holdout.begin(), s.frequency_holdout.end(), 0.0);
  EXPECT_EQ(std::accumulate(repeats.begin(), repeats.begin() + 14, 0.0), x);
  EXPECT_EQ(std::accumulate(repeats.begin() + 14, repeats.end(), 0.0), x_holdout);
}

TEST(PurchaseHistory, DatabaseGivesTheSameHistoryAsTheFile) {
  const fs::path db_path = fs::path(::testing::TempDir()) / "tiny_history.db";
  fs::remove(db_path);
  {
    auto db = open_database(db_path.string());
    db->exec(
        "INSERT INTO customers (id, external_id) VALUES (1, 'a'), (2, 'b'), (3, 'c');"
        "INSERT INTO transactions (customer_id, ts, amount_minor, kind) VALUES "
        "(1, strftime('%s', '2024-01-01'), 1000, 'purchase'),"
        "(1, strftime('%s', '2024-01-04 09:00'), 500, 'purchase'),"
        "(1, strftime('%s', '2024-01-04 17:00'), 700, 'purchase'),"
        "(1, strftime('%s', '2024-01-11'), 500, 'return'),"
        "(1, strftime('%s', '2024-01-12'), 500, 'purchase'),"
        "(2, strftime('%s', '2024-01-20'), 300, 'purchase'),"
        "(2, strftime('%s', '2024-01-03'), 1000, 'purchase'),"
        "(2, strftime('%s', '2024-02-10'), 300, 'purchase'),"
        "(3, strftime('%s', '2024-01-20'), 100, 'purchase'),"
        "(3, strftime('%s', '2024-01-25'), 100, 'purchase');");
  }
  const PurchaseHistory from_db = read_purchase_history_database(db_path.string(), tiny_period());
  const PurchaseHistory from_file =
      read_purchase_history(write_file("tiny_history.csv", kTinyCsv).string(), {}, tiny_period());
  EXPECT_EQ(from_db.first_day, from_file.first_day);
  EXPECT_EQ(from_db.births, from_file.births);
  EXPECT_EQ(from_db.repeats, from_file.repeats);
  EXPECT_EQ(from_db.rows_rejected, 0u);
  fs::remove(db_path);
}

TEST(PurchaseTracking, ExpectedCurveIsTheSumOfClosedFormExpectations) {
  const PurchaseHistory h =
      read_purchase_history(write_file("tiny_history.csv", kTinyCsv).string(), {}, tiny_period());
  const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
  const PurchasesOverTime t =
      track_purchases(h, fit_of("bgnbd", {"r", "alpha", "a", "b"}, {r, alpha, a, b}));
  ASSERT_EQ(t.period, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(t.actual, (std::vector<double>{1, 1, 1, 0}));
  EXPECT_DOUBLE_EQ(t.calibration_end, 2.0);
  EXPECT_FALSE(t.cumulative);
  EXPECT_NE(t.note.find("2 malformed rows"), std::string::npos) << t.note;
  // Customers born on days 0 and 2; period k ends on day 7k - 1.
  double previous = 0;
  for (int k = 1; k <= 4; ++k) {
    const double end = 7.0 * k - 1;
    const double cumulative =
        bgnbd_expected(r, alpha, a, b, end / 7) + bgnbd_expected(r, alpha, a, b, (end - 2) / 7);
    EXPECT_NEAR(t.fitted[k - 1], cumulative - previous, 1e-9 * cumulative) << "period " << k;
    previous = cumulative;
  }

  const double pr = 0.553, palpha = 10.578, s = 0.606, beta = 11.669;
  const PurchasesOverTime p =
      track_purchases(h, fit_of("pnbd", {"r", "alpha", "s", "beta"}, {pr, palpha, s, beta}));
  const double total =
      pnbd_expected(pr, palpha, s, beta, 27.0 / 7) + pnbd_expected(pr, palpha, s, beta, 25.0 / 7);
  EXPECT_NEAR(std::accumulate(p.fitted.begin(), p.fitted.end(), 0.0), total, 1e-9 * total);
}

TEST(PurchaseTracking, PartialLastPeriodAndUnitMismatch) {
  SummaryPeriod period = tiny_period();
  period.holdout_end_day = day("2024-01-24");  // 24 days: 3 full weeks and 3 days
  const PurchaseHistory h =
      read_purchase_history(write_file("tiny_history.csv", kTinyCsv).string(), {}, period);
  const PurchasesOverTime t = track_purchases(h, [](double t) { return t; });
  ASSERT_EQ(t.period.size(), 4u);
  EXPECT_DOUBLE_EQ(t.period.back(), 24.0 / 7);
  // E[X(t)] = t: the cumulative expectation is the sum of ages at the end.
  EXPECT_NEAR(std::accumulate(t.fitted.begin(), t.fitted.end(), 0.0), (23.0 + 21.0) / 7, 1e-12);

  // A calibration end in mid-week splits that week: no period mixes
  // calibration and holdout purchases.
  SummaryPeriod mid_week = tiny_period();
  mid_week.calibration_end_day = day("2024-01-11");  // day 10, in week 2 (days 7..13)
  const PurchasesOverTime split = track_purchases(
      read_purchase_history(write_file("tiny_history.csv", kTinyCsv).string(), {}, mid_week),
      [](double t) { return t; });
  ASSERT_EQ(split.period, (std::vector<double>{1, 11.0 / 7, 2, 3, 4}));
  EXPECT_DOUBLE_EQ(split.calibration_end, 11.0 / 7);
  EXPECT_EQ(split.actual, (std::vector<double>{1, 0, 1, 1, 0}));  // day 11 is in the holdout

  FitResult days = fit_of("bgnbd", {"r", "alpha", "a", "b"}, {0.243, 4.414, 0.793, 2.426});
  days.time_unit = TimeUnit::day();
  EXPECT_THROW(track_purchases(h, days), Error);
  EXPECT_THROW(track_purchases(
                   h, fit_of("bgbb", {"alpha", "beta", "gamma", "delta"}, {1.2, 0.75, 0.66, 2.8})),
               Error);
  EXPECT_THROW(track_purchases(h, [](double) { return std::nan(""); }), Error);
}

TEST(PurchaseHistory, BadInputGivesClearErrors) {
  const fs::path path = write_file("tiny_history.csv", kTinyCsv);
  SummaryPeriod early;
  early.calibration_end_day = day("2023-12-31");
  try {
    read_purchase_history(path.string(), {}, early);
    FAIL() << "no cohort accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("calibration end"), std::string::npos) << e.what();
  }
  SummaryPeriod backwards = tiny_period();
  backwards.holdout_end_day = day("2024-01-01");
  EXPECT_THROW(read_purchase_history(path.string(), {}, backwards), Error);
  TransactionFileFormat bad_map;
  bad_map.field_map = {{"timestamp", "when"}};
  EXPECT_THROW(read_purchase_history(path.string(), bad_map, tiny_period()), Error);
  try {
    read_purchase_history_database((fs::path(::testing::TempDir()) / "absent.db").string(),
                                   tiny_period());
    FAIL() << "a missing database was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST(PurchaseTracking, RunReportShowsTotalsAndWarnsWhenTheSummaryDisagrees) {
  const PurchaseHistory h =
      read_purchase_history(write_file("tiny_history.csv", kTinyCsv).string(), {}, tiny_period());
  const FitResult fit = fit_of("bgnbd", {"r", "alpha", "a", "b"}, {0.243, 4.414, 0.793, 2.426});
  FitResult converged = fit;
  converged.converged = true;
  RfmData data;  // a: x = 2 (days 3 and 11), b: x = 0, as of 2024-01-14
  data.customer_id = {"a", "b"};
  data.x = {2, 0};
  data.t_x = {11.0 / 7, 0};
  data.T = {13.0 / 7, 11.0 / 7};
  RunReportInputs in;
  in.data = &data;
  in.count_model = &converged;
  in.history = &h;
  const ReportData matching = build_run_report(in);
  ASSERT_TRUE(matching.purchases);
  EXPECT_EQ(matching.purchases->note.find("Warning"), std::string::npos);
  bool has_totals = false;
  for (const auto& row : matching.summary) {
    if (row.label == "Repeat purchases in calibration: actual / model") {
      has_totals = row.value.rfind("2 / ", 0) == 0;
    }
  }
  EXPECT_TRUE(has_totals);
  data.x = {1, 0};  // not the summary of these transactions
  const ReportData other = build_run_report(in);
  EXPECT_NE(other.purchases->note.find("Warning: the transactions have 2 repeat purchases in "
                                       "calibration but the summary has 1"),
            std::string::npos)
      << other.purchases->note;
}

TEST(ChurnRun, StoredRunGivesRiskBySegmentAndFittedDrivers) {
  const fs::path db_path = fs::path(::testing::TempDir()) / "churn_run.db";
  fs::remove(db_path);
  CovariateParetoNbd model;
  model.scaling.names = {"incidents", "late_deliveries"};
  model.fit.model = "pnbd_cov";
  model.fit.param_names = {"r",
                           "alpha",
                           "s",
                           "beta",
                           "purchase:incidents",
                           "purchase:late_deliveries",
                           "dropout:incidents",
                           "dropout:late_deliveries"};
  model.fit.params = {0.5, 10, 0.6, 12, -0.1, 0.05, 0.42, -0.17};
  model.fit.std_errors = {0.1, 1, 0.1, 1, 0.05, 0.05, 0.08, 0.06};
  const auto customer = [](const char* id, double risk) {
    CustomerChurn c;
    c.customer = id;
    c.prediction.churn_risk = risk;
    return c;
  };
  save_churn_run(db_path.string(), "old.csv", model, 26, {customer("a", 0.9)});
  const int64_t latest = save_churn_run(
      db_path.string(), "s.csv", model, 52,
      {customer("a", 0.2), customer("b", 0.5), customer("c", 0.4), customer("z", 0.7)});

  const StoredChurnRun run = read_churn_run(db_path.string());
  EXPECT_EQ(run.id, latest);
  EXPECT_EQ(run.model, "pnbd_cov");
  EXPECT_EQ(run.horizon, 52);
  EXPECT_EQ(run.covariates, (std::vector<std::string>{"incidents", "late_deliveries"}));
  EXPECT_EQ(run.dropout_effect, (std::vector<double>{0.42, -0.17}));
  EXPECT_EQ(run.dropout_std_error, (std::vector<double>{0.08, 0.06}));
  EXPECT_EQ(run.customer, (std::vector<std::string>{"a", "b", "c", "z"}));
  EXPECT_EQ(read_churn_run(db_path.string(), latest - 1).churn_risk, (std::vector<double>{0.9}));
  EXPECT_THROW(read_churn_run(db_path.string(), latest + 1), Error);

  // In the report: mean risk per segment (z is not in the summary).
  const FitResult fit = [] {
    FitResult f = fit_of("pnbd", {"r", "alpha", "s", "beta"}, {0.553, 10.578, 0.606, 11.669});
    f.converged = true;
    return f;
  }();
  RfmData data;
  data.customer_id = {"a", "b", "c"};
  data.x = {1, 0, 2};
  data.t_x = {3, 0, 5};
  data.T = {10, 10, 10};
  CustomerAttributes attributes;
  attributes.segment = {"premium", "value", "premium"};
  RunReportInputs in;
  in.data = &data;
  in.count_model = &fit;
  in.attributes = &attributes;
  in.churn_run = &run;
  const ReportData r = build_run_report(in);
  ASSERT_TRUE(r.churn);
  ASSERT_EQ(r.churn->segments.size(), 3u);  // sorted by name
  EXPECT_EQ(r.churn->segments[0].segment, "(no segment)");
  EXPECT_DOUBLE_EQ(r.churn->segments[0].churn_risk, 0.7);
  EXPECT_EQ(r.churn->segments[1].segment, "premium");
  EXPECT_DOUBLE_EQ(r.churn->segments[1].churn_risk, 0.3);
  EXPECT_DOUBLE_EQ(r.churn->segments[1].customers, 2);
  EXPECT_EQ(r.churn->segments[2].segment, "value");
  EXPECT_DOUBLE_EQ(r.churn->segments[2].churn_risk, 0.5);
  ASSERT_EQ(r.churn->drivers.size(), 2u);
  EXPECT_EQ(r.churn->drivers[0].name, "incidents");
  EXPECT_DOUBLE_EQ(r.churn->drivers[0].effect, 0.42);
  EXPECT_NE(r.churn->effect_label.find("run " + std::to_string(latest)), std::string::npos);
  fs::remove(db_path);
  EXPECT_THROW(read_churn_run(db_path.string()), Error);
}

// CDNOW, BG/NBD at the published calibration fit (Fader, Hardie & Lee 2005).
TEST(PurchaseTracking, CdnowBgnbdTracksTheActualRepeatPurchases) {
  const std::string dir = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/";
  TransactionFileFormat format;
  format.whitespace = true;
  format.has_header = false;
  format.field_map = {{"customer_id", "2"}, {"timestamp", "3"}, {"amount", "5"}};
  SummaryPeriod period;
  period.calibration_end_day = day("1997-09-30");
  period.holdout_end_day = day("1998-06-30");
  const PurchaseHistory h = read_purchase_history(dir + "CDNOW_sample.txt", format, period);
  EXPECT_EQ(h.rows_rejected, 0u);
  EXPECT_EQ(std::accumulate(h.births.begin(), h.births.end(), 0.0), 2357.0);

  const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
  const PurchasesOverTime t =
      track_purchases(h, fit_of("bgnbd", {"r", "alpha", "a", "b"}, {r, alpha, a, b}));
  ASSERT_EQ(t.period.size(), 78u);
  EXPECT_DOUBLE_EQ(t.calibration_end, 39.0);
  const auto sum = [](const std::vector<double>& v, size_t from, size_t to) {
    return std::accumulate(v.begin() + from, v.begin() + to, 0.0);
  };
  // Actual calibration repeats = sum of x in the published summary file.
  const RfmData summary = read_summary_file(dir + "cdnow_customers_summary.csv");
  EXPECT_EQ(sum(t.actual, 0, 39), std::accumulate(summary.x.begin(), summary.x.end(), 0.0));
  EXPECT_EQ(sum(t.actual, 0, 39), 2457.0);
  // Holdout repeats = the summary's holdout column over the same file.
  const CustomerSummary s = summarize_transaction_file(dir + "CDNOW_sample.txt", format, period);
  EXPECT_EQ(sum(t.actual, 39, 78),
            std::accumulate(s.frequency_holdout.begin(), s.frequency_holdout.end(), 0.0));

  std::printf(
      "CDNOW BG/NBD repeat purchases: week 39 actual %.0f model %.1f; week 78 actual %.0f "
      "model %.1f\n",
      sum(t.actual, 0, 39), sum(t.fitted, 0, 39), sum(t.actual, 0, 78), sum(t.fitted, 0, 78));
  // The expectation at the calibration end is sum_i E[X(T_i)] over the
  // summary's T (rounded there to 0.01 week).
  double at_calibration_end = 0;
  for (double T : summary.T) at_calibration_end += bgnbd_expected(r, alpha, a, b, T);
  EXPECT_NEAR(sum(t.fitted, 0, 39), at_calibration_end, 1e-3 * at_calibration_end);
  // The fitted model tracks the data it was fitted on and forecasts the
  // holdout closely (FHL 2005, figure 2): within 3% and 5%.
  EXPECT_NEAR(sum(t.fitted, 0, 39) / sum(t.actual, 0, 39), 1.0, 0.03);
  EXPECT_NEAR(sum(t.fitted, 0, 78) / sum(t.actual, 0, 78), 1.0, 0.05);
  // The weekly expectation is smooth: it rises while the cohort is being
  // acquired (first 12 weeks) and declines after.
  EXPECT_LT(t.fitted[1], t.fitted[10]);
  for (size_t k = 13; k < 78; ++k) EXPECT_LE(t.fitted[k], t.fitted[k - 1] + 1e-9) << k;
}

}  // namespace
}  // namespace clv
