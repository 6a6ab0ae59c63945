#include "models/summary_csv.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Position of the first header among `names` (already lower case), if any.
std::optional<size_t> find_column(const std::vector<std::string>& header,
                                  std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
  }
  return std::nullopt;
}

}  // namespace

SummaryTable read_summary_csv(const std::string& path) {
  CsvReader reader(path);
  CsvRecord record;
  if (!reader.next(record)) {
    throw Error::invalid_argument(fmt::format("{} is empty; expected a header line", path));
  }
  std::vector<std::string> header, original;
  for (auto f : record.fields) {
    original.emplace_back(trim(f));
    header.push_back(lower(trim(f)));
  }
  // "T" is matched case-sensitively in lifetimes; here any case is accepted.
  const auto id_col = find_column(header, {"id", "customer_id", "customer", "cust"});
  const auto x_col = find_column(header, {"frequency", "x"});
  const auto tx_col = find_column(header, {"recency", "t_x"});
  const auto T_col = find_column(header, {"t", "periods", "n"});
  const auto m_col = find_column(header, {"monetary_value", "zbar", "monetary", "m_x"});
  const auto w_col = find_column(header, {"weights", "weight", "count", "custs"});
  if (!x_col || !tx_col || !T_col) {
    throw Error::invalid_argument(
        fmt::format("{}: header '{}' lacks the summary columns; expected frequency,recency,T "
                    "(lifetimes), x,t_x,T (Fader-Hardie) or frequency,recency,periods (BG/BB)",
                    path, record.raw));
  }
  SummaryTable table;
  table.T_column = original[*T_col];
  const auto number = [&](const CsvRecord& rec, size_t col, const char* what) {
    if (col >= rec.fields.size()) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: missing column '{}'", path, rec.line, what));
    }
    const std::string_view text = trim(rec.fields[col]);
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: column '{}' is '{}', not a number", path, rec.line, what, text));
    }
    return value;
  };
  while (reader.next(record)) {
    if (!record.error.empty()) {
      throw Error::invalid_argument(fmt::format("{} line {}: {}", path, record.line, record.error));
    }
    if (id_col) {
      if (*id_col >= record.fields.size()) {
        throw Error::invalid_argument(fmt::format("{} line {}: missing id", path, record.line));
      }
      table.customer_id.emplace_back(trim(record.fields[*id_col]));
    } else {
      table.customer_id.push_back(std::to_string(table.x.size() + 1));
    }
    table.x.push_back(number(record, *x_col, original[*x_col].c_str()));
    table.t_x.push_back(number(record, *tx_col, original[*tx_col].c_str()));
    table.T.push_back(number(record, *T_col, original[*T_col].c_str()));
    if (m_col) table.monetary.push_back(number(record, *m_col, original[*m_col].c_str()));
    if (w_col) table.weight.push_back(number(record, *w_col, original[*w_col].c_str()));
  }
  return table;
}

}  // namespace clv
