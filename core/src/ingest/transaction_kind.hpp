// What a transaction row's `kind` column may say, shared by the importer and
// the streaming summary so both accept the same rows.
#pragma once

#include <optional>
#include <string_view>

namespace clv {

// "purchase", "return", "refund" or "cancellation" for that text in any case;
// an empty kind is a purchase; nullopt for anything else.
std::optional<std::string_view> canonical_kind(std::string_view text);

// Money goes back to the customer: the amount may be written negative.
inline bool is_money_back(std::string_view canonical) {
  return canonical == "return" || canonical == "refund";
}

}  // namespace clv
