#include "domain/json_nesting.hpp"

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

void check_json_nesting(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '"') {
      // To the closing quote; a backslash escapes the byte after it.
      for (++i; i < n && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        throw Error::invalid_argument(fmt::format(
            "the JSON nests arrays and objects more than {} deep (at byte {}); no valid input "
            "needs that",
            max_depth, i));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

}  // namespace clv
