// Text and numbers as they go into SVG/HTML: every caller-supplied string is
// escaped, and every number is finite by construction so that a degenerate
// input can never print "nan" or "inf" into a chart.
#pragma once

#include <string>
#include <string_view>

namespace clv::report {

// Escapes & < > " ' for use in element text and attribute values.
std::string escape_xml(std::string_view text);

// A coordinate: at most two decimals, trailing zeros dropped; non-finite
// values become 0 (callers validate data first; this is the last guard).
std::string coord(double value);

// A human-readable value label whose precision suits `step` (the spacing
// between neighbouring labels): 0.25 -> "0.25", 2500 with step 500 -> "2,500",
// 1.5e6 with step 5e5 -> "1.5M".
std::string format_tick(double value, double step);

// A value with `decimals` digits after the point and thousands separators.
std::string format_number(double value, int decimals);

// 0.1234 -> "12.3%".
std::string format_percent(double fraction, int decimals = 1);

}  // namespace clv::report
