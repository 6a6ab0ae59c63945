// The time unit every summary, fit and prediction is expressed in. Results
// always carry it so that "expected purchases in the next 52" is never
// ambiguous.
#pragma once

#include <string>
#include <string_view>

namespace clv {

struct TimeUnit {
  std::string name = "week";  // "day", "week", "month" (or "Nd" for a custom length)
  double days = 7.0;          // length of one unit in days

  static TimeUnit day() { return {"day", 1.0}; }
  static TimeUnit week() { return {"week", 7.0}; }
  // A month of a stated number of days; 30.4375 = 365.25 / 12 by default.
  static TimeUnit month(double days = 30.4375) { return {"month", days}; }

  // Parses "day", "week", "month", "month:30" or "10d". Throws
  // Error::invalid_argument for anything else.
  static TimeUnit parse(std::string_view text);

  // "week (7 days)", printed next to every result.
  std::string describe() const;
};

}  // namespace clv

namespace clv {

// Throws Error::invalid_argument naming both units (e.g. "the summary
// summary.csv is in months (30.4375 days) but the fit params.json is in weeks
// (7 days)") unless the two units have the same length. Every command that
// combines a summary, a fit and a horizon calls this before computing.
void require_same_unit(const TimeUnit& first, std::string_view first_what, const TimeUnit& second,
                       std::string_view second_what);

}  // namespace clv
