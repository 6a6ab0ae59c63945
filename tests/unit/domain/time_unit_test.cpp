#include "clv/time_unit.hpp"

#include <gtest/gtest.h>

#include "clv/error.hpp"

namespace clv {
namespace {

TEST(TimeUnit, ParsesNamedAndCustomUnits) {
  EXPECT_EQ(TimeUnit::parse("week").days, 7.0);
  EXPECT_EQ(TimeUnit::parse("day").days, 1.0);
  EXPECT_DOUBLE_EQ(TimeUnit::parse("month").days, 30.4375);
  EXPECT_EQ(TimeUnit::parse("month:30").days, 30.0);
  EXPECT_EQ(TimeUnit::parse("14d").days, 14.0);
  EXPECT_EQ(TimeUnit::week().describe(), "week (7 days)");
}

TEST(TimeUnit, RejectsUnknownUnits) {
  for (const char* bad : {"", "fortnight", "month:", "month:-3", "0d", "d", "nand"}) {
    EXPECT_THROW(TimeUnit::parse(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace clv
