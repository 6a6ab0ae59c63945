// Exact decimal money parsing: "0.29" USD is 29 cents, never 28.999... The
// number of minor-unit digits comes from ISO 4217 (JPY 0, most 2, BHD 3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace clv {

// Minor-unit digits of an ISO 4217 code; 2 for codes not in the 0/3/4-digit
// tables. Call only with a code that passed is_currency_code.
int currency_exponent(std::string_view code);

// An ISO 4217 code in use (or recently withdrawn, for historical data), e.g.
// USD, JPY, KWD. Not XXX (no currency) or XTS (testing); "ZZZ" is refused.
bool is_currency_code(std::string_view code);
// Why `code` is refused as a currency (the importer's reject reason, which
// the JSON ingest of HTTP and the C API gives too); empty when it is a code.
std::string currency_problem(std::string_view code);

// Parses [+-]digits[.digits] into minor units with `exponent` decimals.
// Extra decimals are accepted only when they are zeros ("1.230" USD = 123).
// False on anything else (empty, exponent notation, overflow, "1.234" USD).
bool parse_amount_minor(std::string_view text, int exponent, int64_t& minor);

// The one amount rule of every path that reads a transaction (importer,
// streaming summary): an exact decimal (parse_amount_minor) of at most
// kMaxAmountMinor minor units; negative only where money goes back (a return
// or refund), and then stored as its absolute value, because the kind says
// what the money did. A negative purchase is an error in the data, not a
// purchase of -5.00.
inline constexpr int64_t kMaxAmountMinor = (int64_t{1} << 53) - 1;  // exact in a double
enum class AmountStatus { kOk, kUnparseable, kTooLarge, kNegative };
AmountStatus parse_transaction_amount(std::string_view text, int exponent, bool money_back,
                                      int64_t& minor);
// Why `text` was refused, for a rejects file: names the currency's decimals.
std::string amount_problem(AmountStatus status, std::string_view text, int exponent,
                           std::string_view currency, std::string_view kind);

}  // namespace clv
