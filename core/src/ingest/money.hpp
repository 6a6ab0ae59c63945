// Exact decimal money parsing: "0.29" USD is 29 cents, never 28.999... The
// number of minor-unit digits comes from ISO 4217 (JPY 0, most 2, BHD 3).
#pragma once

#include <cstdint>
#include <string_view>

namespace clv {

// Minor-unit digits of an ISO 4217 code; 2 for codes not in the 0/3/4-digit
// tables. Call only with a code that passed is_currency_code.
int currency_exponent(std::string_view code);

// Three ASCII upper-case letters.
bool is_currency_code(std::string_view code);

// Parses [+-]digits[.digits] into minor units with `exponent` decimals.
// Extra decimals are accepted only when they are zeros ("1.230" USD = 123).
// False on anything else (empty, exponent notation, overflow, "1.234" USD).
bool parse_amount_minor(std::string_view text, int exponent, int64_t& minor);

}  // namespace clv
