// The one conversion of a JSON "amount" (major units: 5.125 KWD, 500 JPY) to
// the stored minor units, shared by the fast and the strict transaction
// parsers so HTTP, the C API and the CLI store the same integer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clv {

// Minor units of `amount` in `currency` (ISO 4217 decimals: JPY 0, USD 2,
// KWD 3). nullopt, with `problem` set, when the currency is not a code, the
// amount is not finite or too large for exact cents, or it has more decimals
// than the currency has (1.234 USD).
std::optional<int64_t> minor_units_of(double amount, std::string_view currency,
                                      std::string* problem = nullptr);

}  // namespace clv
