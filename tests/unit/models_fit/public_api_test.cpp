#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"

namespace clv {
namespace {

const std::string kFile =
    std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary_with_transactions.csv";

TEST(PublicApi, FitsScoresAndRoundTripsJson) {
  const auto names = available_models();
  EXPECT_NE(std::find(names.begin(), names.end(), "bgnbd"), names.end());
  const RfmData data = read_summary_file(kFile);
  const FitResult bg = fit_model("bgnbd", data);
  const FitResult gg = fit_model("gg", data);
  EXPECT_NEAR(bg.log_likelihood, -9582.4, 0.1);
  const FitResult back = fit_result_from_json_text(fit_result_to_json_text(bg));
  EXPECT_EQ(back.params, bg.params);
  EXPECT_EQ(back.time_unit.name, "week");

  ScoreOptions o;
  o.horizon = 39;
  o.margin = 0.3;
  o.annual_discount_rate = 0.1;
  const Scores s = score(bg, data, o, &gg);
  ASSERT_EQ(s.clv.size(), data.size());
  EXPECT_NEAR(s.expected_purchases[0], 1.226, 1e-3);
  for (double v : s.clv) ASSERT_TRUE(std::isfinite(v) && v >= 0);

  FitResult unconverged = bg;
  unconverged.converged = false;
  try {
    score(unconverged, data, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotConverged);
  }
  EXPECT_THROW(score(gg, data, o), Error);       // gg is not a count model
  EXPECT_THROW(score(bg, data, o, &bg), Error);  // bg is not a spend model
  EXPECT_THROW(fit_result_from_json_text("{"), Error);
}

}  // namespace
}  // namespace clv
