#include "report/svg_text.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace clv::report {

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// Rounding can produce "-0"; a chart label should never show it.
std::string drop_negative_zero(std::string s) {
  if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("0.,", 1) == std::string::npos) {
    s.erase(0, 1);
  }
  return s;
}

// The fewest decimals (up to 6) that print `step` exactly, so that labels
// spaced 0.25 apart read 0.25, 0.5, 0.75 and not 0.3, 0.5, 0.8.
int decimals_for_step(double step) {
  if (!(step > 0) || !std::isfinite(step)) return 0;
  double scaled = step;
  for (int d = 0; d < 6; ++d) {
    if (std::fabs(scaled - std::round(scaled)) <= 1e-6 * scaled) return d;
    scaled *= 10.0;
  }
  return 6;
}

}  // namespace

std::string coord(double value) {
  if (!std::isfinite(value)) return "0";
  return drop_negative_zero(trim_zeros(fmt::format("{:.2f}", value)));
}

std::string format_number(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  if (decimals < 0) decimals = 0;
  std::string s = fmt::format("{:.{}f}", std::fabs(value), decimals);
  // Thousands separators on the integer part only.
  const size_t point = s.find('.');
  const size_t int_end = point == std::string::npos ? s.size() : point;
  std::string grouped;
  for (size_t i = 0; i < int_end; ++i) {
    if (i > 0 && (int_end - i) % 3 == 0) grouped += ',';
    grouped += s[i];
  }
  grouped += s.substr(int_end);
  return drop_negative_zero((value < 0 ? "-" : "") + grouped);
}

std::string format_tick(double value, double step) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0.0 && step >= 1e4) return "0";  // "0k" reads oddly on an axis
  const double magnitude = std::max(std::fabs(value), std::isfinite(step) ? std::fabs(step) : 0.0);
  if (magnitude >= 1e6) {
    return drop_negative_zero(
               trim_zeros(fmt::format("{:.{}f}", value / 1e6, decimals_for_step(step / 1e6)))) +
           "M";
  }
  if (magnitude >= 1e4) {
    return drop_negative_zero(
               trim_zeros(fmt::format("{:.{}f}", value / 1e3, decimals_for_step(step / 1e3)))) +
           "k";
  }
  return format_number(value, decimals_for_step(step));
}

std::string format_percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "n/a";
  return drop_negative_zero(fmt::format("{:.{}f}", fraction * 100.0, decimals)) + "%";
}

}  // namespace clv::report
