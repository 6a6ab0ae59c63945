#include "clv/time_unit.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

bool parse_positive(std::string_view text, double& out) {
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() &&
         std::isfinite(out) && out > 0;
}

}  // namespace

TimeUnit TimeUnit::parse(std::string_view text) {
  if (text == "day" || text == "days") return day();
  if (text == "week" || text == "weeks") return week();
  if (text == "month" || text == "months") return month();
  double days = 0;
  if (text.starts_with("month:") && parse_positive(text.substr(6), days)) return month(days);
  if (text.size() > 1 && text.back() == 'd' && parse_positive(text.substr(0, text.size() - 1), days)) {
    return {std::string(text), days};
  }
  throw Error::invalid_argument(fmt::format(
      "unknown time unit '{}': use day, week, month, month:DAYS or Nd (e.g. 14d)", text));
}

std::string TimeUnit::describe() const { return fmt::format("{} ({:g} days)", name, days); }

}  // namespace clv
