#include "engine/transaction_amount.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "ingest/money.hpp"

namespace clv {

std::optional<int64_t> minor_units_of(double amount, std::string_view currency,
                                      std::string* problem) {
  auto refuse = [&](std::string why) -> std::optional<int64_t> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  if (!is_currency_code(currency)) {
    return refuse(fmt::format("currency '{}' is not an ISO 4217 code such as USD", currency));
  }
  const int exponent = currency_exponent(currency);
  const double scaled = amount * std::pow(10.0, exponent);
  // 2^53: beyond it a double no longer holds every integer, so cents would be guessed.
  if (!std::isfinite(scaled) || std::fabs(scaled) > 9.0e15) {
    return refuse(fmt::format("{} is out of range", amount));
  }
  const double rounded = std::nearbyint(scaled);
  // Decimal fractions are inexact in binary (0.29 * 100 = 28.999...96): only
  // a remainder well above that noise is a real extra decimal.
  if (std::fabs(scaled - rounded) > std::max(1e-6, std::fabs(scaled) * 1e-12)) {
    return refuse(fmt::format("{} has more decimals than {} has ({})", amount, currency, exponent));
  }
  return static_cast<int64_t>(rounded);
}

}  // namespace clv
