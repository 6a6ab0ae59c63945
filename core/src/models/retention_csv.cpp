#include "models/retention_csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<size_t> find_column(const std::vector<std::string>& header,
                                  std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<size_t>(it - header.begin());
  }
  return std::nullopt;
}

}  // namespace

SbgData read_retention_csv(const std::string& path) {
  CsvReader reader(path);
  CsvRecord record;
  if (!reader.next(record)) {
    throw Error::invalid_argument(fmt::format("{} is empty; expected a header line", path));
  }
  std::vector<std::string> header;
  for (auto f : record.fields) header.push_back(lower(trim(f)));
  const auto period_col = find_column(header, {"period"});
  const auto survivors_col = find_column(header, {"survivors", "active", "alive"});
  const auto periods_col = find_column(header, {"periods", "tenure"});
  const auto churned_col = find_column(header, {"churned", "lost"});
  const auto count_col = find_column(header, {"count", "weight", "weights", "customers"});
  const bool curve = period_col && survivors_col;
  if (!curve && !(periods_col && churned_col)) {
    throw Error::invalid_argument(fmt::format(
        "{}: header '{}' is not a retention file; expected period,survivors (survivor curve, "
        "first row = cohort size) or periods,churned[,count] (one row per customer)",
        path, record.raw));
  }
  const auto field = [&](const CsvRecord& rec, size_t col) {
    if (col >= rec.fields.size()) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: missing column '{}'", path, rec.line, header[col]));
    }
    return trim(rec.fields[col]);
  };
  const auto number = [&](const CsvRecord& rec, size_t col) {
    const std::string_view text = field(rec, col);
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() ||
        !std::isfinite(value) || value < 0) {
      throw Error::invalid_argument(fmt::format(
          "{} line {}: column '{}' is '{}', not a number >= 0", path, rec.line, header[col], text));
    }
    return value;
  };
  const auto whole = [&](const CsvRecord& rec, size_t col) {
    const double v = number(rec, col);
    if (v != std::floor(v) || v > 1e6) {
      throw Error::invalid_argument(fmt::format("{} line {}: column '{}' must be a whole number",
                                                path, rec.line, header[col]));
    }
    return v;
  };
  if (curve) {
    std::vector<double> survivors;
    while (reader.next(record)) {
      if (!record.error.empty()) {
        throw Error::invalid_argument(
            fmt::format("{} line {}: {}", path, record.line, record.error));
      }
      const double period = whole(record, *period_col);
      if (period != static_cast<double>(survivors.size())) {
        throw Error::invalid_argument(
            fmt::format("{} line {}: period {} out of order; periods must be 0, 1, 2, ... with the "
                        "cohort size at period 0",
                        path, record.line, period));
      }
      survivors.push_back(number(record, *survivors_col));
    }
    return sbg_data_from_survivors(survivors);
  }
  SbgData data;
  while (reader.next(record)) {
    if (!record.error.empty()) {
      throw Error::invalid_argument(fmt::format("{} line {}: {}", path, record.line, record.error));
    }
    const double periods = whole(record, *periods_col);
    const std::string churned_text = lower(field(record, *churned_col));
    bool churned = false;
    if (churned_text == "1" || churned_text == "true" || churned_text == "yes") {
      churned = true;
    } else if (churned_text != "0" && churned_text != "false" && churned_text != "no") {
      throw Error::invalid_argument(fmt::format(
          "{} line {}: churned is '{}'; use 1/0 or true/false", path, record.line, churned_text));
    }
    const double count = count_col ? number(record, *count_col) : 1.0;
    if (churned && periods < 1) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: a churned customer needs periods >= 1", path, record.line));
    }
    if (periods == 0 || count == 0) continue;  // no completed period: no information
    const size_t t = static_cast<size_t>(periods);
    if (data.lost.size() < t) {
      data.lost.resize(t, 0.0);
      data.censored.resize(t, 0.0);
    }
    (churned ? data.lost : data.censored)[t - 1] += count;
  }
  if (data.lost.empty()) {
    throw Error::invalid_argument(
        fmt::format("{}: no customer with at least one completed period", path));
  }
  return data;
}

}  // namespace clv
