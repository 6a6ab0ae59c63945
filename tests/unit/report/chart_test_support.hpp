// Helpers for inspecting generated SVG in tests.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace clv::report::testing {

inline size_t count_occurrences(std::string_view haystack, std::string_view needle) {
  size_t count = 0;
  for (size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

// Marks are tagged class="mark <shape>..." (the shape may be followed by
// more classes, e.g. "mark bar positive").
inline size_t count_marks(std::string_view svg, std::string_view shape) {
  return count_occurrences(svg, "class=\"mark " + std::string(shape) + "\"") +
         count_occurrences(svg, "class=\"mark " + std::string(shape) + " ");
}

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// No number in the output may be NaN or infinite.
inline bool has_non_finite(const std::string& text) {
  const std::string l = lower(text);
  return l.find("nan") != std::string::npos || l.find("inf") != std::string::npos;
}

}  // namespace clv::report::testing
