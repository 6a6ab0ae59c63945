#include "domain/nesting_limits.hpp"

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

size_t json_depth_exceeded_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return i;
        break;
      case ']':
      case '}':
        --depth;  // unbalanced text is the parser's to report
        break;
      default:
        break;
    }
  }
  return std::string_view::npos;
}

void check_json_depth(std::string_view text, std::string_view source, int max_depth) {
  const size_t at = json_depth_exceeded_at(text, max_depth);
  if (at != std::string_view::npos) {
    throw Error::invalid_argument(
        fmt::format("{}: JSON nests deeper than {} levels (at byte {})", source, max_depth, at));
  }
}

nlohmann::json parse_json_limited(std::string_view text, std::string_view source, int max_depth) {
  check_json_depth(text, source, max_depth);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error::invalid_argument(fmt::format("{}: invalid JSON: {}", source, e.what()));
  }
}

}  // namespace clv

namespace clv {

size_t toml_depth_exceeded_line(std::string_view text, int max_depth) {
  // Open arrays ('[') and inline tables ('{'); a header '[' is not pushed.
  std::string open;
  size_t line = 1;
  bool line_start = true;  // only whitespace so far on this line
  bool in_key = true;      // the text before '=' (or inside a header)
  bool in_header = false;
  int key_parts = 1;
  auto key_context = [&] {
    in_key = true;
    key_parts = 1;
  };
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = true;
      if (open.empty() && !in_header) key_context();
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    const bool at_line_start = line_start;
    line_start = false;
    if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool multi = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      const bool escapes = c == '"';
      i += multi ? 3 : 1;
      for (; i < n; ++i) {
        if (escapes && text[i] == '\\') {
          if (i + 1 < n && text[i + 1] == '\n') ++line;
          ++i;
        } else if (text[i] == '\n') {
          ++line;
          if (!multi) break;  // the parser reports the unclosed string
        } else if (text[i] == c &&
                   (!multi || (i + 2 < n && text[i + 1] == c && text[i + 2] == c))) {
          if (multi) i += 2;
          break;
        }
      }
      continue;
    }
    if (in_key) {
      if (c == '.') {
        if (++key_parts > max_depth) return line;
      } else if (c == '=') {
        in_key = false;
      } else if (c == '[' && at_line_start && open.empty()) {
        in_header = true;
        if (i + 1 < n && text[i + 1] == '[') ++i;  // [[array of tables]]
      } else if (c == ']' && in_header) {
        if (i + 1 < n && text[i + 1] == ']') ++i;
        in_header = false;
        in_key = false;  // the rest of the line is a comment or an error
      }
      continue;
    }
    if (c == '[' || c == '{') {
      open.push_back(c);
      if (open.size() > static_cast<size_t>(max_depth)) return line;
      if (c == '{') key_context();
    } else if (c == ']' || c == '}') {
      if (!open.empty()) open.pop_back();
    } else if (c == ',' && !open.empty() && open.back() == '{') {
      key_context();
    }
  }
  return 0;
}

void check_toml_depth(std::string_view text, std::string_view source, int max_depth) {
  if (const size_t line = toml_depth_exceeded_line(text, max_depth); line > 0) {
    throw Error::invalid_argument(
        fmt::format("{}:{}: TOML nests deeper than {} levels", source, line, max_depth));
  }
}

}  // namespace clv
