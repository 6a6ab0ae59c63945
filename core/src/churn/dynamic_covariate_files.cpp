// Reading a transaction file and a per-period covariate file into the input
// of fit_dynamic_pnbd (clv/dynamic_covariates.hpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "clv/dynamic_covariates.hpp"
#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

size_t column_of(const std::vector<std::string_view>& header, const std::string& name,
                 const std::string& path, const char* what) {
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == name) return c;
  }
  std::string names;
  for (auto h : header) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", h);
  throw Error::invalid_argument(
      fmt::format("{}: no {} column '{}'; the header has {}", path, what, name, names));
}

Error bad_row(const std::string& path, uint64_t line, const std::string& why) {
  return Error::invalid_argument(fmt::format("{}:{}: {}", path, line, why));
}

int64_t day_field(std::string_view text, const std::string& path, uint64_t line) {
  int64_t seconds = 0;
  if (!parse_timestamp(text, seconds)) {
    throw bad_row(path, line, fmt::format("invalid date '{}': use YYYY-MM-DD", text));
  }
  return day_of(seconds);
}

struct CovariateRow {
  int64_t day = 0;
  uint64_t line = 0;
  std::vector<double> values;
};

}  // namespace

DynamicCovariateData read_dynamic_covariate_files(const DynamicCovariateFiles& files) {
  if (!(files.unit.days > 0)) throw Error::invalid_argument("the time unit must be > 0 days");
  // Purchase days of each customer, in first-seen order.
  std::vector<std::string> ids;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::set<int64_t>> days;
  {
    CsvReader reader(files.transactions);
    CsvRecord record;
    if (!reader.next(record)) {
      throw Error::invalid_argument(fmt::format("{}: the file is empty", files.transactions));
    }
    const std::vector<std::string> names(record.fields.begin(), record.fields.end());
    const std::vector<std::string_view> name_views(names.begin(), names.end());
    const size_t id_col =
        column_of(name_views, files.transaction_id_column, files.transactions, "customer id");
    const size_t date_col =
        column_of(name_views, files.transaction_date_column, files.transactions, "date");
    while (reader.next(record)) {
      if (!record.error.empty()) throw bad_row(files.transactions, record.line, record.error);
      if (record.fields.size() <= std::max(id_col, date_col)) {
        throw bad_row(
            files.transactions, record.line,
            fmt::format("{} fields, the header has {}", record.fields.size(), names.size()));
      }
      const std::string id(record.fields[id_col]);
      if (id.empty()) throw bad_row(files.transactions, record.line, "empty customer id");
      const int64_t day = day_field(record.fields[date_col], files.transactions, record.line);
      if (day > files.calibration_end_day) continue;
      auto [it, inserted] = index.try_emplace(id, ids.size());
      if (inserted) {
        ids.push_back(id);
        days.emplace_back();
      }
      days[it->second].insert(day);
    }
  }
  if (ids.empty()) {
    throw Error::invalid_argument(fmt::format("{}: no purchases up to the calibration end {}",
                                              files.transactions,
                                              format_date(files.calibration_end_day)));
  }

  DynamicCovariateData out;
  std::vector<std::vector<CovariateRow>> rows(ids.size());
  {
    CsvReader reader(files.covariates);
    CsvRecord record;
    if (!reader.next(record)) {
      throw Error::invalid_argument(fmt::format("{}: the file is empty", files.covariates));
    }
    const std::vector<std::string> header(record.fields.begin(), record.fields.end());
    const std::vector<std::string_view> views(header.begin(), header.end());
    const size_t id_col =
        column_of(views, files.covariate_id_column, files.covariates, "customer id");
    const size_t date_col =
        column_of(views, files.covariate_date_column, files.covariates, "period date");
    std::vector<size_t> value_cols;
    if (files.covariate_columns.empty()) {
      for (size_t c = 0; c < header.size(); ++c) {
        if (c != id_col && c != date_col) value_cols.push_back(c);
      }
    } else {
      for (const std::string& name : files.covariate_columns) {
        value_cols.push_back(column_of(views, name, files.covariates, "covariate"));
      }
    }
    if (value_cols.empty()) {
      throw Error::invalid_argument(
          fmt::format("{}: no covariate columns besides the id and date", files.covariates));
    }
    for (size_t c : value_cols) out.names.push_back(header[c]);
    const size_t needed =
        std::max({id_col, date_col, *std::max_element(value_cols.begin(), value_cols.end())}) + 1;
    while (reader.next(record)) {
      ++out.covariate_rows;
      if (!record.error.empty()) throw bad_row(files.covariates, record.line, record.error);
      if (record.fields.size() < needed) {
        throw bad_row(files.covariates, record.line,
                      fmt::format("{} fields, needs {}", record.fields.size(), needed));
      }
      const auto it = index.find(std::string(record.fields[id_col]));
      if (it == index.end()) continue;  // no purchase in the calibration period
      CovariateRow row;
      row.line = record.line;
      row.day = day_field(record.fields[date_col], files.covariates, record.line);
      for (size_t c : value_cols) {
        const std::string_view text = record.fields[c];
        double v = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
            !std::isfinite(v)) {
          throw bad_row(files.covariates, record.line,
                        fmt::format("covariate {} = '{}' is not a number", header[c], text));
        }
        row.values.push_back(v);
      }
      rows[it->second].push_back(std::move(row));
    }
  }

  const double unit = files.unit.days;
  const int64_t end = files.calibration_end_day;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::set<int64_t>& d = days[i];
    const int64_t first = *d.begin();
    std::vector<CovariateRow>& r = rows[i];
    if (r.empty()) {
      throw Error::invalid_argument(fmt::format(
          "{}: customer {} has purchases but no covariate rows", files.covariates, ids[i]));
    }
    std::stable_sort(r.begin(), r.end(),
                     [](const CovariateRow& a, const CovariateRow& b) { return a.day < b.day; });
    for (size_t p = 1; p < r.size(); ++p) {
      if (r[p].day == r[p - 1].day) {
        throw bad_row(files.covariates, r[p].line,
                      fmt::format("customer {} has two rows for period {} (also line {})", ids[i],
                                  format_date(r[p].day), r[p - 1].line));
      }
    }
    // The period holding the first purchase is the last starting on or before it.
    size_t start = 0;
    while (start + 1 < r.size() && r[start + 1].day <= first) ++start;
    if (r[start].day > first) {
      throw bad_row(files.covariates, r[start].line,
                    fmt::format("customer {}'s covariates start on {}, after the first purchase "
                                "on {}; give the period holding the first purchase",
                                ids[i], format_date(r[start].day), format_date(first)));
    }
    out.periods_before_first += start;
    CustomerCovariateSeries s;
    for (size_t p = start; p < r.size(); ++p) {
      s.period_start.push_back(static_cast<double>(r[p].day - first) / unit);
      s.values.insert(s.values.end(), r[p].values.begin(), r[p].values.end());
    }
    for (int64_t day : d) {
      if (day > first) s.purchase_times.push_back(static_cast<double>(day - first) / unit);
    }
    out.ids.push_back(ids[i]);
    out.x.push_back(static_cast<double>(s.purchase_times.size()));
    out.t_x.push_back(static_cast<double>(*d.rbegin() - first) / unit);
    out.T.push_back(static_cast<double>(end - first) / unit);
    out.series.push_back(std::move(s));
  }
  return out;
}

}  // namespace clv
