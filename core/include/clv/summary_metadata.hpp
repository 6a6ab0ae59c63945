// What a summary file records about itself so that its numbers are never
// read in the wrong time unit: a first line
//   # clv: unit=month days=30.4375 calibration_end=2026-06-30
// before the lifetimes-style header. Readers that know the line use it; the
// project's summary readers skip other '#' lines, and lifetimes-style readers
// skip it as a comment (pandas.read_csv(..., comment='#')).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clv/time_unit.hpp"

namespace clv {

struct SummaryMetadata {
  std::optional<TimeUnit> unit;
  std::string calibration_end;  // YYYY-MM-DD, empty when not recorded
};

// The line above (without the line end) for a summary in `unit`.
std::string format_summary_metadata(const TimeUnit& unit, std::string_view calibration_end);

// True for any line the summary readers treat as a comment (starts with '#').
inline bool is_summary_comment(std::string_view line) {
  return !line.empty() && line.front() == '#';
}

// Parses a "# clv:" line into `out`; other comment lines are left alone and
// return false. Throws Error::invalid_argument (naming `where`) for a clv
// line with an unknown key or a malformed unit, so a damaged record is never
// silently ignored.
bool parse_summary_metadata(std::string_view line, SummaryMetadata& out, std::string_view where);

}  // namespace clv
