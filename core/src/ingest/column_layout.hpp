// Where each field of an entity sits in the input records: resolved once per
// file from the header, --map entries and the canonical field order.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/csv_reader.hpp"

namespace clv {

struct ColumnLayout {
  std::vector<int> column_of_field;       // per canonical field; -1 when absent
  std::vector<std::string> column_names;  // header names, or "1", "2", ... without header
  size_t expected_fields = 0;             // every record must have this many fields
  std::vector<int> extra_columns;         // columns no field uses (customer attributes)

  bool has(size_t field) const { return column_of_field[field] >= 0; }
  std::string_view column_name(size_t field) const {
    return has(field) ? std::string_view(column_names[column_of_field[field]]) : std::string_view();
  }
  // The trimmed cell of `field`, empty when absent.
  std::string_view get(const CsvRecord& record, size_t field) const;
};

// `first_record` is the header when `has_header`, else the first data record
// (only its field count is used). Throws clv::Error::invalid_argument for an
// unknown field or column in `column_map`, or a required field left unmapped.
ColumnLayout resolve_columns(std::string_view entity, const std::vector<std::string_view>& fields,
                             const std::vector<size_t>& required, const CsvRecord& first_record,
                             bool has_header,
                             const std::vector<std::pair<std::string, std::string>>& column_map);

}  // namespace clv
