#include "store/postgres/copy_text.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv::pg {

CopyLine::CopyLine(std::string_view line, size_t columns) : line_(line.substr(0, 200)) {
  fields_.reserve(columns);
  std::string field;
  bool escaped_null = false;
  auto push = [&] {
    if (escaped_null && field.empty()) {
      fields_.emplace_back(std::nullopt);
    } else {
      fields_.emplace_back(std::move(field));
    }
    field.clear();
    escaped_null = false;
  };
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\t') {
      push();
    } else if (c == '\\' && i + 1 < line.size()) {
      const char e = line[++i];
      switch (e) {
        case 'N':
          escaped_null = true;
          break;
        case 't':
          field += '\t';
          break;
        case 'n':
          field += '\n';
          break;
        case 'r':
          field += '\r';
          break;
        case 'b':
          field += '\b';
          break;
        case 'f':
          field += '\f';
          break;
        case 'v':
          field += '\v';
          break;
        default:
          field += e;
      }
    } else {
      field += c;
    }
  }
  push();
  if (fields_.size() != columns) {
    throw Error::corrupt_data(fmt::format("PostgreSQL returned a row of {} fields, expected {}: {}",
                                          fields_.size(), columns, line_));
  }
}

const std::string& CopyLine::text(size_t i) const {
  if (!fields_[i]) {
    throw Error::corrupt_data(
        fmt::format("PostgreSQL returned NULL in field {}: {}", i + 1, line_));
  }
  return *fields_[i];
}

double CopyLine::number(size_t i) const {
  const std::string& t = text(i);
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) {
    throw Error::corrupt_data(fmt::format(
        "PostgreSQL returned '{}' in field {}, not a finite number: {}", t, i + 1, line_));
  }
  return v;
}

int64_t CopyLine::integer(size_t i) const {
  const std::string& t = text(i);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc() && end == t.data() + t.size()) return v;
  const double d = number(i);  // float8 text of a whole number, e.g. from a UNION
  if (d != std::floor(d) || std::fabs(d) > 9.0e15) {
    throw Error::corrupt_data(
        fmt::format("PostgreSQL returned '{}' in field {}, not an integer: {}", t, i + 1, line_));
  }
  return static_cast<int64_t>(d);
}

}  // namespace clv::pg
