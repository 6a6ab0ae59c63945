#include "clv/summary_metadata.hpp"

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/time_unit.hpp"

namespace clv {
namespace {

TEST(SummaryMetadata, RoundTripsUnitAndCalibrationEnd) {
  const std::string line = format_summary_metadata(TimeUnit::month(), "2026-06-30");
  EXPECT_EQ(line, "# clv: unit=month days=30.4375 calibration_end=2026-06-30");
  SummaryMetadata m;
  ASSERT_TRUE(parse_summary_metadata(line, m, "f.csv line 1"));
  ASSERT_TRUE(m.unit.has_value());
  EXPECT_EQ(m.unit->name, "month");
  EXPECT_EQ(m.unit->days, 30.4375);
  EXPECT_EQ(m.calibration_end, "2026-06-30");

  SummaryMetadata custom;
  ASSERT_TRUE(parse_summary_metadata(format_summary_metadata({"14d", 14.0}, ""), custom, "f"));
  EXPECT_EQ(custom.unit->days, 14.0);
  EXPECT_TRUE(custom.calibration_end.empty());
}

TEST(SummaryMetadata, OtherCommentsAreIgnoredAndDamagedLinesRefused) {
  SummaryMetadata m;
  EXPECT_FALSE(parse_summary_metadata("# written by hand", m, "f"));
  EXPECT_FALSE(m.unit.has_value());
  EXPECT_TRUE(is_summary_comment("# written by hand"));
  EXPECT_FALSE(is_summary_comment("customer_id,frequency"));
  try {
    parse_summary_metadata("# clv: unit=week colour=red", m, "f.csv line 1");
    FAIL() << "an unknown key must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("f.csv line 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("colour"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_summary_metadata("# clv: unit=week days=-7", m, "f"), Error);
  EXPECT_THROW(parse_summary_metadata("# clv: unit=fortnight", m, "f"), Error);
}

TEST(RequireSameUnit, AcceptsEqualLengthsAndNamesBothUnitsOtherwise) {
  EXPECT_NO_THROW(require_same_unit(TimeUnit::week(), "a", TimeUnit{"7d", 7.0}, "b"));
  try {
    require_same_unit(TimeUnit::month(), "the summary s.csv", TimeUnit::week(), "the fit f.json");
    FAIL() << "a month summary with a week fit must be refused";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("the summary s.csv is in month (30.4375 days)"), std::string::npos) << what;
    EXPECT_NE(what.find("the fit f.json is in week (7 days)"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace clv
