#include "churn/covariate_summary_csv.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/summary_metadata.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

double parse_number(std::string_view text, const std::string& column, uint64_t line) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    throw Error::invalid_argument(
        fmt::format("line {}: column '{}' holds '{}', not a finite number; fix or remove the row",
                    line, column, text));
  }
  return value;
}

}  // namespace

std::vector<std::string> parse_static_covariate_spec(const std::string& spec) {
  std::vector<std::string> columns;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string item = spec.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    if (item == "incidents" || item == "staff") {
      throw Error::invalid_argument(fmt::format(
          "--covariates {} needs the incident records of a database, which this command does "
          "not read yet; use static:COLUMN covariates from the summary file",
          item));
    }
    if (item.rfind("static:", 0) != 0 || item.size() == 7) {
      throw Error::invalid_argument(
          fmt::format("unknown covariate '{}'; use incidents, staff or static:COLUMN", item));
    }
    columns.push_back(item.substr(7));
  }
  if (columns.empty()) {
    throw Error::invalid_argument("--covariates is empty; e.g. --covariates static:Gender");
  }
  return columns;
}

CovariateSummary read_covariate_summary(const std::string& path,
                                        const std::vector<std::string>& columns) {
  CsvReader reader(path);
  CsvRecord record;
  SummaryMetadata metadata;
  bool has_record = reader.next(record);
  while (has_record && is_summary_comment(record.raw)) {
    parse_summary_metadata(record.raw, metadata, fmt::format("{} line {}", path, record.line));
    has_record = reader.next(record);
  }
  if (!has_record) {
    throw Error::invalid_argument(fmt::format("{} is empty; it needs a header line", path));
  }
  std::vector<std::string> header(record.fields.begin(), record.fields.end());
  auto find = [&](std::initializer_list<const char*> names, bool required) -> long {
    for (const char* name : names)
      for (size_t j = 0; j < header.size(); ++j)
        if (header[j] == name) return static_cast<long>(j);
    if (required) {
      throw Error::invalid_argument(fmt::format("{} has no '{}' column; header is: {}", path,
                                                *names.begin(), fmt::join(header, ",")));
    }
    return -1;
  };
  const long id = find({"customer_id", "ID", "Id", "id"}, true);
  const long x = find({"frequency", "x"}, true), t_x = find({"recency", "t_x"}, true),
             T = find({"T"}, true), holdout = find({"frequency_holdout"}, false);
  std::vector<long> cov;
  for (const auto& c : columns) cov.push_back(find({c.c_str()}, true));

  CovariateSummary out;
  out.unit = metadata.unit;
  out.covariates.names = columns;
  while (reader.next(record)) {
    if (!record.error.empty()) {
      throw Error::invalid_argument(fmt::format("{} line {}: {}", path, record.line, record.error));
    }
    if (record.fields.size() != header.size()) {
      throw Error::invalid_argument(fmt::format("{} line {}: {} fields, the header has {}", path,
                                                record.line, record.fields.size(), header.size()));
    }
    auto field = [&](long j) { return record.fields[static_cast<size_t>(j)]; };
    out.ids.emplace_back(field(id));
    out.x.push_back(parse_number(field(x), header[static_cast<size_t>(x)], record.line));
    out.t_x.push_back(parse_number(field(t_x), header[static_cast<size_t>(t_x)], record.line));
    out.T.push_back(parse_number(field(T), "T", record.line));
    if (holdout >= 0) {
      out.x_holdout.push_back(parse_number(field(holdout), "frequency_holdout", record.line));
    }
    for (size_t c = 0; c < cov.size(); ++c) {
      out.covariates.values.push_back(parse_number(field(cov[c]), columns[c], record.line));
    }
  }
  if (out.ids.empty()) throw Error::invalid_argument(fmt::format("{} has no customers", path));
  return out;
}

}  // namespace clv
