#include "ingest/money.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>

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
  // ISO 4217 list one (2024), plus codes withdrawn since 2014 that old
  // exports still carry (HRK, LTL, LVL, SLL, VEF, ZMK, ...). Sorted.
  static constexpr std::string_view kCodes[] = {
      "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
      "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BYR",
      "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC",
      "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EEK", "EGP", "ERN", "ETB", "EUR", "FJD",
      "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG",
      "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR",
      "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LTL", "LVL",
      "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRO", "MRU", "MUR", "MVR", "MWK",
      "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
      "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
      "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STD", "STN", "SVC", "SYP",
      "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
      "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VEF", "VES", "VND", "VUV", "WST", "XAF", "XAG",
      "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU",
      "XUA", "YER", "ZAR", "ZMK", "ZMW", "ZWG", "ZWL"};
  return std::binary_search(std::begin(kCodes), std::end(kCodes), code);
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

AmountStatus parse_transaction_amount(std::string_view text, int exponent, bool money_back,
                                      int64_t& minor) {
  if (!parse_amount_minor(text, exponent, minor)) return AmountStatus::kUnparseable;
  if (minor > kMaxAmountMinor || minor < -kMaxAmountMinor) return AmountStatus::kTooLarge;
  if (minor < 0) {
    if (!money_back) return AmountStatus::kNegative;
    minor = -minor;
  }
  return AmountStatus::kOk;
}

std::string amount_problem(AmountStatus status, std::string_view text, int exponent,
                           std::string_view currency, std::string_view kind) {
  switch (status) {
    case AmountStatus::kOk:
      return {};
    case AmountStatus::kUnparseable:
      return fmt::format(
          "unparseable amount '{}' (expected a decimal like 12.34 with at most {} decimals for "
          "{})",
          text, exponent, currency);
    case AmountStatus::kTooLarge:
      return fmt::format("amount '{}' is too large (at most {} minor units of {})", text,
                         kMaxAmountMinor, currency);
    case AmountStatus::kNegative:
      return fmt::format(
          "negative amount '{}' for a {}: amounts are positive and the kind says what the money "
          "did (use kind return or refund for money paid back)",
          text, kind.empty() ? std::string_view("purchase") : kind);
  }
  return {};
}

std::string currency_problem(std::string_view code) {
  if (is_currency_code(code)) return {};
  return fmt::format("unknown currency '{}' (expected an upper-case ISO 4217 code like USD)", code);
}

}  // namespace clv
