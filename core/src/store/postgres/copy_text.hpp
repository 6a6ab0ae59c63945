// Splits one COPY text-format line into its fields (tab-separated, \N is
// NULL, backslash escapes) and parses numbers from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clv::pg {

class CopyLine {
 public:
  // Splits `line`; throws Error::corrupt_data if it has not `columns` fields.
  CopyLine(std::string_view line, size_t columns);
  bool is_null(size_t i) const { return !fields_[i].has_value(); }
  const std::string& text(size_t i) const;
  double number(size_t i) const;    // throws Error::corrupt_data on NULL or non-finite
  int64_t integer(size_t i) const;  // accepts "12" and "12.0"-free float8 text of integers

 private:
  std::vector<std::optional<std::string>> fields_;
  std::string line_;
};

}  // namespace clv::pg
