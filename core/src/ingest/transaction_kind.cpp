#include "ingest/transaction_kind.hpp"

#include <algorithm>
#include <cctype>

namespace clv {

std::optional<std::string_view> canonical_kind(std::string_view text) {
  static constexpr std::string_view kKinds[] = {"purchase", "return", "refund", "cancellation"};
  if (text.empty() || text == kKinds[0]) return kKinds[0];  // the common case, no folding
  for (std::string_view kind : kKinds) {
    if (kind.size() == text.size() &&
        std::equal(kind.begin(), kind.end(), text.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace clv
