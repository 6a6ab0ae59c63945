#include "clv/calendar.hpp"

#include <fmt/format.h>

namespace clv {
namespace {

// Reads exactly `n` digits at `p`; false if any is not a digit.
inline bool read_digits(const char* p, int n, unsigned& out) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    const unsigned c = static_cast<unsigned char>(p[i]) - '0';
    if (c > 9) return false;
    v = v * 10 + c;
  }
  out = v;
  return true;
}

constexpr bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline bool valid_date(unsigned y, unsigned m, unsigned d) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const unsigned limit = kDays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
  return d <= limit && y >= 1;
}

// Parses "HH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM|+HHMM]" into seconds of day
// minus the offset.
bool parse_time_of_day(std::string_view t, int64_t& seconds) {
  unsigned hh, mm, ss = 0;
  if (t.size() < 5 || !read_digits(t.data(), 2, hh) || t[2] != ':' ||
      !read_digits(t.data() + 3, 2, mm)) {
    return false;
  }
  size_t i = 5;
  if (i < t.size() && t[i] == ':') {
    if (t.size() < i + 3 || !read_digits(t.data() + i + 1, 2, ss)) return false;
    i += 3;
    if (i < t.size() && (t[i] == '.' || t[i] == ',')) {  // fractions are dropped
      ++i;
      const size_t start = i;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
      if (i == start) return false;
    }
  }
  if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm != 0 || ss != 0))) return false;
  int64_t offset = 0;
  if (i < t.size()) {
    if (t[i] == 'Z' && i + 1 == t.size()) {
      i += 1;
    } else if (t[i] == '+' || t[i] == '-') {
      const int sign = t[i] == '+' ? 1 : -1;
      unsigned oh, om = 0;
      std::string_view rest = t.substr(i + 1);
      if (rest.size() == 5 && rest[2] == ':' && read_digits(rest.data(), 2, oh) &&
          read_digits(rest.data() + 3, 2, om)) {
      } else if (rest.size() == 4 && read_digits(rest.data(), 2, oh) &&
                 read_digits(rest.data() + 2, 2, om)) {
      } else if (rest.size() == 2 && read_digits(rest.data(), 2, oh)) {
      } else {
        return false;
      }
      if (oh > 23 || om > 59) return false;
      offset = sign * static_cast<int64_t>(oh * 3600 + om * 60);
      i = t.size();
    } else {
      return false;
    }
  }
  seconds = static_cast<int64_t>(hh) * 3600 + mm * 60 + (ss == 60 ? 59 : ss) - offset;
  return true;
}

}  // namespace

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool parse_timestamp(std::string_view text, int64_t& seconds) {
  unsigned y, m, d;
  size_t rest;
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    if (!read_digits(text.data(), 4, y) || !read_digits(text.data() + 5, 2, m) ||
        !read_digits(text.data() + 8, 2, d)) {
      return false;
    }
    rest = 10;
  } else if (text.size() >= 8 && read_digits(text.data(), 4, y) &&
             read_digits(text.data() + 4, 2, m) && read_digits(text.data() + 6, 2, d)) {
    rest = 8;
  } else {
    return false;
  }
  if (!valid_date(y, m, d)) return false;
  int64_t time_of_day = 0;
  if (rest < text.size()) {
    if (text[rest] != 'T' && text[rest] != ' ') return false;
    if (!parse_time_of_day(text.substr(rest + 1), time_of_day)) return false;
  }
  seconds = days_from_civil(y, m, d) * kSecondsPerDay + time_of_day;
  return true;
}

std::string format_date(int64_t days) {
  const CivilDate c = civil_from_days(days);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

std::string format_timestamp(int64_t seconds) {
  const int64_t days = day_of(seconds);
  const int64_t s = seconds - days * kSecondsPerDay;
  return fmt::format("{}T{:02d}:{:02d}:{:02d}Z", format_date(days), s / 3600, (s / 60) % 60, s % 60);
}

}  // namespace clv
