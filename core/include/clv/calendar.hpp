// Dates and timestamps as they appear in customer data: ISO 8601
// (1997-01-01, 1997-01-01T10:30:00Z, 1997-01-01 10:30:00+02:00) and the
// compact YYYYMMDD of the CDNOW files. Times are UTC seconds since the Unix
// epoch; a date alone means midnight UTC. Parsing is allocation-free because
// it runs once per transaction on the import and summary hot paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace clv {

constexpr int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil). Valid for any year in int range.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

CivilDate civil_from_days(int64_t days);

// Parses a date or timestamp; returns false (and leaves `seconds` alone) when
// the text is not a valid date, e.g. 1997-02-30 or 19971301.
bool parse_timestamp(std::string_view text, int64_t& seconds);

// Floor division so that times before 1970 land on the right day.
constexpr int64_t day_of(int64_t seconds) {
  return seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
}

// "1997-09-30" and "1997-09-30T12:00:00Z".
std::string format_date(int64_t days);
std::string format_timestamp(int64_t seconds);

}  // namespace clv
