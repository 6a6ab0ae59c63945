#include "ingest/money.hpp"

#include <algorithm>
#include <array>

namespace clv {

int currency_exponent(std::string_view code) {
  // ISO 4217 currencies whose minor unit is not 2 digits.
  static constexpr std::array<std::string_view, 16> kZero = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
      "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF"};
  static constexpr std::array<std::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD",
                                                             "LYD", "OMR", "TND"};
  static constexpr std::array<std::string_view, 2> kFour = {"CLF", "UYW"};
  if (std::find(kZero.begin(), kZero.end(), code) != kZero.end()) return 0;
  if (code == "XPF") return 0;
  if (std::find(kThree.begin(), kThree.end(), code) != kThree.end()) return 3;
  if (std::find(kFour.begin(), kFour.end(), code) != kFour.end()) return 4;
  return 2;
}

bool is_currency_code(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool parse_amount_minor(std::string_view text, int exponent, int64_t& minor) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  // 18 significant digits always fit in int64 (max ~9.2e18).
  constexpr int kMaxDigits = 18;
  int64_t value = 0;
  int digits = 0, int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    if (value != 0 || text[i] != '0') ++digits;
    if (digits > kMaxDigits) return false;  // before multiplying: no overflow
    value = value * 10 + (text[i] - '0');
  }
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (frac_digits < exponent) {
        ++frac_digits;
        if (value != 0 || text[i] != '0') ++digits;
        if (digits > kMaxDigits) return false;
        value = value * 10 + (text[i] - '0');
      } else if (text[i] != '0') {
        return false;  // more precision than the currency has: would lose money
      } else {
        ++int_digits;  // counts as a seen digit for the "no digits" check below
      }
    }
    int_digits += frac_digits;
  }
  if (i != text.size() || int_digits == 0) return false;
  for (; frac_digits < exponent; ++frac_digits) {
    if (++digits > kMaxDigits && value != 0) return false;
    value *= 10;
  }
  minor = negative ? -value : value;
  return true;
}

}  // namespace clv
