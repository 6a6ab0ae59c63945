// Where in a request's JSON a number out of double range sits: nlohmann's
// parsers report the overflow (out_of_range.406) without a field, and the
// client needs the field (issue 13, item 8). Only run on that error path.
#pragma once

#include <string>
#include <string_view>

namespace clv {

// The path ("transactions[3].amount") of the first number in `text` that does
// not fit a double, or "" when there is none or the text fails before it.
std::string json_path_of_overflow(std::string_view text);

}  // namespace clv
