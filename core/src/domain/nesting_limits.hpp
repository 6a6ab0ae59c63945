// Nesting limits for untrusted JSON and TOML text (scenario files, HTTP
// bodies, fit records, plugin manifests). A JSON document nested 100,000 deep
// parses in nlohmann's iterative parser but overflows the stack in every
// recursive walk after it (dump, copy, conversion to TOML); toml++ itself
// recurses without limit on a dotted key or table header of 100,000 parts.
// So depth is checked on the text, before anything is built.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace clv {

// Deeper than any document the engine defines (scenario files reach ~6);
// applies to JSON brackets, TOML arrays/inline tables and dotted key parts.
inline constexpr int kMaxJsonDepth = 64;

// Byte offset of the '[' or '{' that first nests deeper than `max_depth`,
// or std::string_view::npos. Brackets inside strings do not count.
size_t json_depth_exceeded_at(std::string_view text, int max_depth = kMaxJsonDepth);

// Throws Error::invalid_argument "<source>: JSON nests deeper than N levels
// (at byte B)" when `text` is too deep. For callers with their own parse.
void check_json_depth(std::string_view text, std::string_view source,
                      int max_depth = kMaxJsonDepth);

// check_json_depth, then nlohmann::json::parse; a syntax error becomes
// Error::invalid_argument "<source>: invalid JSON: <what>".
nlohmann::json parse_json_limited(std::string_view text, std::string_view source,
                                  int max_depth = kMaxJsonDepth);

// Line (1-based) of the first TOML key or table header with more than
// `max_depth` dotted parts, or of the array / inline table that nests deeper
// than `max_depth`; 0 when none. Strings and comments are skipped.
size_t toml_depth_exceeded_line(std::string_view text, int max_depth = kMaxJsonDepth);

// Throws Error::invalid_argument "<source>:<line>: TOML nests deeper than N
// levels" when `text` is too deep.
void check_toml_depth(std::string_view text, std::string_view source,
                      int max_depth = kMaxJsonDepth);

}  // namespace clv
