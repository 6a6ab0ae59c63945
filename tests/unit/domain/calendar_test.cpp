#include "domain/calendar.hpp"

#include <gtest/gtest.h>

namespace clv {
namespace {

int64_t parse_or_die(std::string_view text) {
  int64_t s = 0;
  EXPECT_TRUE(parse_timestamp(text, s)) << text;
  return s;
}

TEST(Calendar, EpochAndKnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  // 1997-01-01 to 1997-09-30 is 272 days (the CDNOW calibration period).
  EXPECT_EQ(days_from_civil(1997, 9, 30) - days_from_civil(1997, 1, 1), 272);
}

TEST(Calendar, CivilRoundTrip) {
  for (int64_t d = -800000; d < 800000; d += 37) {
    const CivilDate c = civil_from_days(d);
    EXPECT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
}

TEST(Calendar, ParsesIsoAndCompactForms) {
  const int64_t day = days_from_civil(1997, 1, 1) * kSecondsPerDay;
  EXPECT_EQ(parse_or_die("19970101"), day);
  EXPECT_EQ(parse_or_die("1997-01-01"), day);
  EXPECT_EQ(parse_or_die("1997-01-01T10:30:00Z"), day + 10 * 3600 + 30 * 60);
  EXPECT_EQ(parse_or_die("1997-01-01 10:30"), day + 10 * 3600 + 30 * 60);
  EXPECT_EQ(parse_or_die("1997-01-01T10:30:00.250+02:00"), day + 8 * 3600 + 30 * 60);
  EXPECT_EQ(parse_or_die("1997-01-01T01:00:00-0130"), day + 2 * 3600 + 30 * 60);
}

TEST(Calendar, RejectsInvalidDates) {
  int64_t s = 42;
  for (const char* bad : {"", "1997", "1997-02-30", "1997-13-01", "19971301", "1997/01/01",
                          "1997-01-01X", "1997-01-01T25:00", "1997-01-01T10:61", "abcdefgh",
                          "1900-02-29", "1997-01-01T10:30+99:00"}) {
    EXPECT_FALSE(parse_timestamp(bad, s)) << bad;
  }
  EXPECT_EQ(s, 42);
  EXPECT_TRUE(parse_timestamp("2000-02-29", s));
}

TEST(Calendar, DayOfFloorsNegativeTimes) {
  EXPECT_EQ(day_of(0), 0);
  EXPECT_EQ(day_of(-1), -1);
  EXPECT_EQ(day_of(kSecondsPerDay), 1);
  EXPECT_EQ(format_date(days_from_civil(1997, 9, 30)), "1997-09-30");
  EXPECT_EQ(format_timestamp(days_from_civil(1997, 9, 30) * kSecondsPerDay + 3661),
            "1997-09-30T01:01:01Z");
}

}  // namespace
}  // namespace clv
