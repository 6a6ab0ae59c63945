#include "report/svg_text.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace clv::report {
namespace {

TEST(EscapeXml, EscapesAllFiveSpecialCharacters) {
  EXPECT_EQ(escape_xml("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(escape_xml("plain text"), "plain text");
  EXPECT_EQ(escape_xml(""), "");
  EXPECT_EQ(escape_xml("caf\xC3\xA9"), "caf\xC3\xA9");  // UTF-8 passes through untouched
}

TEST(Coord, RoundsToTwoDecimalsAndDropsTrailingZeros) {
  EXPECT_EQ(coord(12.0), "12");
  EXPECT_EQ(coord(12.5), "12.5");
  EXPECT_EQ(coord(12.345), "12.35");  // 12.345 is stored slightly above: rounds up
  EXPECT_EQ(coord(-0.001), "0");      // never "-0"
}

TEST(Coord, NonFiniteBecomesZero) {
  EXPECT_EQ(coord(std::numeric_limits<double>::quiet_NaN()), "0");
  EXPECT_EQ(coord(std::numeric_limits<double>::infinity()), "0");
  EXPECT_EQ(coord(-std::numeric_limits<double>::infinity()), "0");
}

TEST(FormatTick, PrecisionFollowsTheStep) {
  EXPECT_EQ(format_tick(0.25, 0.25), "0.25");
  EXPECT_EQ(format_tick(0.5, 0.25), "0.50");
  EXPECT_EQ(format_tick(0.4, 0.2), "0.4");
  EXPECT_EQ(format_tick(3, 1), "3");
  EXPECT_EQ(format_tick(2500, 500), "2,500");
  EXPECT_EQ(format_tick(0, 0.05), "0.00");
}

TEST(FormatTick, LargeValuesUseThousandsAndMillions) {
  EXPECT_EQ(format_tick(20000, 5000), "20k");
  EXPECT_EQ(format_tick(12500, 2500), "12.5k");
  EXPECT_EQ(format_tick(1.5e6, 5e5), "1.5M");
  EXPECT_EQ(format_tick(-2e6, 1e6), "-2M");
  EXPECT_EQ(format_tick(0, 1e6), "0");  // not "0M"
}

TEST(FormatNumber, GroupsThousandsAndHandlesSigns) {
  EXPECT_EQ(format_number(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(format_number(-1234.4, 0), "-1,234");
  EXPECT_EQ(format_number(999, 0), "999");
  EXPECT_EQ(format_number(-0.0001, 2), "0.00");
  EXPECT_EQ(format_number(std::nan(""), 2), "n/a");
}

TEST(FormatPercent, ScalesFractions) {
  EXPECT_EQ(format_percent(0.1234), "12.3%");
  EXPECT_EQ(format_percent(1.0, 0), "100%");
  EXPECT_EQ(format_percent(std::numeric_limits<double>::infinity()), "n/a");
}

}  // namespace
}  // namespace clv::report
