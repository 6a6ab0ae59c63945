// What may be stored as text: ids and text fields go into SQLite and from
// there into JSON (HTTP, --json, the report), which must be valid UTF-8. A NUL
// byte truncates an id in C APIs, and a byte order mark inside the data means
// files were concatenated. Each is refused at import with line and column.
#pragma once

#include <string_view>

namespace clv {

// True when every byte is printable-ish ASCII (0x01..0x7F): the common case,
// checked over a whole record before looking at fields one by one.
inline bool is_plain_ascii(std::string_view text) {
  unsigned char any_high = 0;
  bool any_nul = false;
  for (const char c : text) {
    any_high |= static_cast<unsigned char>(c);
    any_nul |= c == '\0';
  }
  return (any_high & 0x80) == 0 && !any_nul;
}

// Why `text` cannot be stored as a text field ("invalid UTF-8 at byte 3",
// "NUL byte at byte 0", "byte order mark (U+FEFF) at byte 0 ..."), or an
// empty view when it can.
std::string_view text_field_problem(std::string_view text, size_t& byte);

}  // namespace clv
