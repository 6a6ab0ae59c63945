// score_by_sector() is the one scoring entry of the CLI and the Engine: it
// must refuse bad horizons and economics itself, before any customer is
// scored, so no front end needs its own checks.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/sector_economics.hpp"

namespace {

clv::FitResult cdnow_pnbd() {  // Fader, Hardie & Lee (2005) CDNOW estimates
  clv::FitResult f;
  f.model = "pnbd";
  f.param_names = {"r", "alpha", "s", "beta"};
  f.params = {0.553, 10.578, 0.606, 11.669};
  f.converged = true;
  f.time_unit = clv::TimeUnit::week();
  return f;
}

clv::RfmData two_customers() {
  clv::RfmData d;
  d.customer_id = {"a", "b"};
  d.x = {2, 0};
  d.t_x = {30.43, 0};
  d.T = {38.86, 38.86};
  return d;
}

clv::SectorScores score(double horizon, const clv::EconomicsOverrides& o) {
  const clv::FitResult fit = cdnow_pnbd();
  return clv::score_by_sector(fit, two_customers(), {"", ""}, horizon, nullptr, o, nullptr, 10.0);
}

TEST(ScoreBySector, RefusesBadHorizonsAndEconomicsItself) {
  clv::EconomicsOverrides ok;
  ok.margin = 0.3;
  ok.annual_discount_rate = 0.1;
  const clv::SectorScores s = score(52, ok);
  ASSERT_EQ(s.scores.clv.size(), 2u);
  for (double v : s.scores.clv) EXPECT_TRUE(std::isfinite(v) && v >= 0) << v;
  EXPECT_GT(s.scores.clv[0], s.scores.clv[1]);  // the repeat buyer is worth more

  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double horizon : {nan, 0.0, -1.0, 1e9}) {
    EXPECT_THROW(score(horizon, ok), clv::Error) << horizon;
  }
  auto with = [&](auto set) {
    clv::EconomicsOverrides o = ok;
    set(o);
    return o;
  };
  EXPECT_THROW(score(52, with([&](auto& o) { o.margin = nan; })), clv::Error);
  EXPECT_THROW(score(52, with([](auto& o) { o.margin = 0.0; })), clv::Error);
  EXPECT_THROW(score(52, with([](auto& o) { o.annual_discount_rate = -0.1; })), clv::Error);
  EXPECT_THROW(score(52, with([](auto& o) { o.cost_to_serve = -1.0; })), clv::Error);
  EXPECT_THROW(score(52, with([](auto& o) { o.cost_to_serve = 1e308; })), clv::Error);
  EXPECT_THROW(score(52, with([&](auto& o) { o.referral_value = nan; })), clv::Error);
}

}  // namespace
