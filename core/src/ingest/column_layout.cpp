#include "ingest/column_layout.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clv/error.hpp"
#include "ingest/text_validation.hpp"

namespace clv {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view ColumnLayout::get(const CsvRecord& record, size_t field) const {
  const int column = column_of_field[field];
  if (column < 0 || static_cast<size_t>(column) >= record.fields.size()) return {};
  return trim(record.fields[column]);
}

ColumnLayout resolve_columns(std::string_view entity, const std::vector<std::string_view>& fields,
                             const std::vector<size_t>& required, const CsvRecord& first_record,
                             bool has_header,
                             const std::vector<std::pair<std::string, std::string>>& column_map) {
  ColumnLayout layout;
  layout.expected_fields = first_record.fields.size();
  layout.column_of_field.assign(fields.size(), -1);
  for (size_t c = 0; c < first_record.fields.size(); ++c) {
    layout.column_names.push_back(has_header ? std::string(trim(first_record.fields[c]))
                                             : std::to_string(c + 1));
  }
  if (has_header) {
    // A header naming one column twice leaves the second unreadable: which
    // one holds the amount? Refused, as is a name that cannot be stored.
    for (size_t c = 0; c < layout.column_names.size(); ++c) {
      size_t at = 0;
      if (const auto problem = text_field_problem(layout.column_names[c], at); !problem.empty()) {
        throw Error::invalid_argument(fmt::format("line {}, column {}: header name: {} at byte {}",
                                                  first_record.line, c + 1, problem, at + 1));
      }
      for (size_t d = 0; d < c; ++d) {
        if (!layout.column_names[c].empty() &&
            iequals(layout.column_names[c], layout.column_names[d])) {
          throw Error::invalid_argument(fmt::format(
              "line {}: the header names column '{}' twice (columns {} and {}); rename one",
              first_record.line, layout.column_names[c], d + 1, c + 1));
        }
      }
    }
  }
  auto find_column = [&](std::string_view name) -> int {
    for (size_t c = 0; c < layout.column_names.size(); ++c) {
      if (has_header && iequals(layout.column_names[c], name)) return static_cast<int>(c);
    }
    return -1;
  };
  for (const auto& [field_name, column] : column_map) {
    const auto it = std::find(fields.begin(), fields.end(), trim(field_name));
    if (it == fields.end()) {
      throw Error::invalid_argument(fmt::format("--map {}={}: {} have no field '{}'; fields are {}",
                                                field_name, column, entity, field_name,
                                                fmt::join(fields, ",")));
    }
    int index = find_column(trim(column));
    if (index < 0) {
      int position = 0;
      const std::string_view text = trim(column);
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), position);
      if (ec == std::errc() && end == text.data() + text.size() && position >= 1 &&
          static_cast<size_t>(position) <= layout.expected_fields) {
        index = position - 1;
      }
    }
    if (index < 0) {
      throw Error::invalid_argument(fmt::format(
          "--map {}={}: the file has no column '{}' (columns: {}); give a header name or a "
          "1-based position",
          field_name, column, column, fmt::join(layout.column_names, ",")));
    }
    layout.column_of_field[it - fields.begin()] = index;
  }
  for (size_t f = 0; f < fields.size(); ++f) {
    if (layout.has(f)) continue;
    if (has_header) {
      layout.column_of_field[f] = find_column(fields[f]);
    } else if (column_map.empty() && f < layout.expected_fields) {
      layout.column_of_field[f] = static_cast<int>(f);  // canonical order
    }
  }
  for (size_t f : required) {
    if (layout.has(f)) continue;
    throw Error::invalid_argument(
        fmt::format("{} need a column named '{}', and none was found (columns: {}); name it in the "
                    "header or pass "
                    "--map {}=COLUMN",
                    entity, fields[f], fmt::join(layout.column_names, ","), fields[f]));
  }
  for (size_t c = 0; c < layout.expected_fields; ++c) {
    if (std::find(layout.column_of_field.begin(), layout.column_of_field.end(),
                  static_cast<int>(c)) == layout.column_of_field.end()) {
      layout.extra_columns.push_back(static_cast<int>(c));
    }
  }
  return layout;
}

}  // namespace clv
