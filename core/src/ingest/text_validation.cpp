#include "ingest/text_validation.hpp"

namespace clv {

std::string_view text_field_problem(std::string_view text, size_t& byte) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    byte = i;
    const unsigned char c = s[i];
    if (c == 0) return "NUL byte";
    if (c < 0x80) {
      ++i;
      continue;
    }
    // RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF.
    size_t length = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return "invalid UTF-8";
    }
    if (i + length > n) return "invalid UTF-8 (truncated character)";
    if (s[i + 1] < lo || s[i + 1] > hi) return "invalid UTF-8";
    for (size_t k = 2; k < length; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return "invalid UTF-8";
    }
    if (length == 3 && c == 0xEF && s[i + 1] == 0xBB && s[i + 2] == 0xBF) {
      return "byte order mark (U+FEFF) inside the data: were files concatenated?";
    }
    i += length;
  }
  return {};
}

}  // namespace clv
