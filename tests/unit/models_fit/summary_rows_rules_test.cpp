// One set of row rules for every model, with file lines in the messages
// (issue 13, items 11 and 12): customers with T = 0 are left out of every
// fit and counted; bad rows are refused naming the file line; the fast and
// the general summary readers give the same table.
#include <cmath>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"
#include "models/summary_csv.hpp"

namespace clv {
namespace {

const std::string kCdnow = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary.csv";

std::string write_file(const char* name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SummaryRowRules, CustomersWithZeroAgeAreLeftOutOfEveryFitAndCounted) {
  const RfmData cdnow = read_summary_csv(kCdnow);
  // The same file with three customers whose first purchase is on the last day.
  std::string text = slurp(kCdnow);
  text += "9001,0,0,0\n9002,0,0,0\n9003,0,0,0\n";
  const RfmData with_new = read_summary_csv(write_file("t0.csv", text));
  ASSERT_EQ(with_new.size(), cdnow.size() + 3);
  for (const char* model : {"bgnbd", "mbgnbd", "pnbd"}) {
    const FitResult plain = fit_model(model, cdnow);
    FitResult fit;
    ASSERT_NO_THROW(fit = fit_model(model, with_new)) << model;
    EXPECT_EQ(fit.n_excluded, 3.0) << model;
    EXPECT_EQ(fit.n_customers, 2357.0) << model;
    for (size_t i = 0; i < plain.params.size(); ++i) {
      EXPECT_NEAR(fit.params[i], plain.params[i], 1e-6 * plain.params[i]) << model;
    }
    // Scored from the prior: alive (nothing observed) and the new-customer rate.
    ScoreOptions options;
    options.horizon = 52;
    const Scores s = score(fit, with_new, options);
    // (MBG/NBD customers may drop out at time 0: b / (a + b) alive.)
    const double prior_alive =
        std::string(model) == "mbgnbd" ? fit.params[3] / (fit.params[2] + fit.params[3]) : 1.0;
    EXPECT_NEAR(s.p_alive.back(), prior_alive, 1e-12) << model;
    EXPECT_TRUE(std::isfinite(s.expected_purchases.back()) && s.expected_purchases.back() > 0);
  }
}

TEST(SummaryRowRules, BadRowsAreRefusedWithTheirFileLine) {
  const auto message = [](const std::string& text) {
    try {
      read_summary_csv(write_file("bad_rows.csv", text));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = "# clv: unit=week days=7\nID,frequency,recency,T\n1,2,3,5\n2,0,0,4\n";
  std::string m = message(head + "3,2,6,5\n");
  EXPECT_NE(m.find("line 5: T must be >= recency"), std::string::npos) << m;
  m = message(head + "3,1.5,1,5\n");
  EXPECT_NE(m.find("line 5: frequency must be a whole number"), std::string::npos) << m;
  m = message(head + "\n3,0,2,5\n");
  EXPECT_NE(m.find("line 6: recency must be 0 when frequency is 0"), std::string::npos) << m;
  m = message(head + "3,1,1,inf\n");
  EXPECT_NE(m.find("line 5: values must be finite"), std::string::npos) << m;
  m = message(head + "3,1,1\n");
  EXPECT_NE(m.find("line 5: missing column 'T'"), std::string::npos) << m;
}

TEST(SummaryRowRules, FastAndGeneralReadersAgree) {
  // A large plain file takes the two-thread path; a quoted id sends the same
  // rows through the general CSV reader.
  std::string plain =
      "# clv: unit=month days=30.4375 calibration_end=2026-06-30\n"
      "customer_id,frequency,recency,T,monetary_value\r\n";
  std::string quoted = "customer_id,frequency,recency,T,monetary_value\n\"q,1\",1,1,2,3\n";
  for (int i = 0; i < 60000; ++i) {
    const std::string row = fmt::format("c{},{},{},{},12.5\r\n", i, i % 7,
                                        i % 7 ? 0.125 * (i % 13) : 0.0, 1.625 + 0.125 * (i % 13));
    plain += row;
    quoted += row;
  }
  const RfmData a = read_summary_csv(write_file("plain_big.csv", plain));
  const RfmData b = read_summary_csv(write_file("quoted_big.csv", quoted));
  ASSERT_EQ(a.size(), 60000u);
  ASSERT_EQ(b.size(), 60001u);
  ASSERT_TRUE(a.unit.has_value());
  EXPECT_EQ(a.unit->days, 30.4375);
  EXPECT_EQ(a.calibration_end, "2026-06-30");
  EXPECT_FALSE(b.unit.has_value());
  EXPECT_EQ(b.customer_id[0], "q,1");
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a.customer_id[i], b.customer_id[i + 1]);
    ASSERT_EQ(a.x[i], b.x[i + 1]);
    ASSERT_EQ(a.t_x[i], b.t_x[i + 1]);
    ASSERT_EQ(a.T[i], b.T[i + 1]);
    ASSERT_EQ(a.monetary[i], b.monetary[i + 1]);
  }
}

TEST(ScoreOptionRules, EveryNumericOptionIsChecked) {
  ScoreOptions ok;
  ok.horizon = 52;
  EXPECT_NO_THROW(validate_score_options(ok, TimeUnit::week(), 5.0));
  auto bad = ok;
  bad.horizon = 1e300;
  EXPECT_THROW(validate_score_options(bad, TimeUnit::week()), Error);
  bad = ok;
  bad.horizon = -1;
  EXPECT_THROW(validate_score_options(bad, TimeUnit::week()), Error);
  EXPECT_THROW(validate_score_options(ok, TimeUnit::week(), 1e308), Error);
  EXPECT_THROW(validate_score_options(ok, TimeUnit::week(), -1.0), Error);
  bad = ok;
  bad.margin = std::nan("");
  EXPECT_THROW(validate_score_options(bad, TimeUnit::week()), Error);
  bad = ok;
  bad.annual_discount_rate = 1e308;
  EXPECT_THROW(validate_score_options(bad, TimeUnit::week()), Error);
}

TEST(ScoreOptionRules, BgBbScoringRefusesWhatItsFitRefuses) {
  RfmData data;
  data.customer_id = {"a", "b"};
  data.x = {2, 5};
  data.t_x = {4, 5};
  data.T = {6, 4};  // frequency 5 > periods 4
  FitResult fit;
  fit.model = "bgbb";
  fit.params = {1.2, 0.75, 0.66, 2.78};
  fit.converged = true;
  fit.time_unit = TimeUnit{"period", 365.25};
  ScoreOptions options;
  options.horizon = 5;
  try {
    score(fit, data, options);
    FAIL() << "frequency > periods must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("customer b"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace clv
