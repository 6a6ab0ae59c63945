#include "clv/summary_metadata.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

std::string format_summary_metadata(const TimeUnit& unit, std::string_view calibration_end) {
  std::string line = fmt::format("# clv: unit={} days={:.17g}", unit.name, unit.days);
  if (!calibration_end.empty()) line += fmt::format(" calibration_end={}", calibration_end);
  return line;
}

bool parse_summary_metadata(std::string_view line, SummaryMetadata& out, std::string_view where) {
  constexpr std::string_view kPrefix = "# clv:";
  if (!line.starts_with(kPrefix)) return false;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  std::string_view rest = line.substr(kPrefix.size());
  std::string name;
  double days = 0.0;
  bool has_days = false;
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view item = rest.substr(0, end);
    rest.remove_prefix(end);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      throw Error::invalid_argument(
          fmt::format("{}: '{}' in the '# clv:' line is not key=value", where, item));
    }
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "unit") {
      name = std::string(value);
    } else if (key == "days") {
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), days);
      has_days = ec == std::errc() && ptr == value.data() + value.size() && std::isfinite(days) &&
                 days > 0.0;
      if (!has_days) {
        throw Error::invalid_argument(
            fmt::format("{}: days={} in the '# clv:' line is not a positive number", where, value));
      }
    } else if (key == "calibration_end") {
      out.calibration_end = std::string(value);
    } else {
      throw Error::invalid_argument(fmt::format(
          "{}: unknown key '{}' in the '# clv:' line (unit, days, calibration_end)", where, key));
    }
  }
  if (!name.empty()) {
    TimeUnit unit;
    try {
      unit = TimeUnit::parse(name);
    } catch (const Error&) {
      if (!has_days) throw;
      unit.name = name;  // a custom name: the day count is what matters
    }
    if (has_days) unit.days = days;
    out.unit = unit;
  } else if (has_days) {
    out.unit = TimeUnit{fmt::format("{:g}d", days), days};
  }
  return true;
}

}  // namespace clv
