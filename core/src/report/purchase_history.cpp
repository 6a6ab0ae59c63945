// Daily first and repeat purchases of the summary's cohort, from a
// transaction file or the database. The counting rules are the summary's
// (core/src/summary), so the tracking chart's calibration total equals the
// sum of the summary's frequency column; the reading is separate because the
// chart needs every purchase day, which a summary does not keep.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/run_report.hpp"
#include "ingest/column_layout.hpp"
#include "ingest/csv_reader.hpp"
#include "store/database.hpp"
#include "store/transaction_ledger.hpp"

namespace clv {
namespace {

enum Field : size_t { kCustomerId, kTimestamp, kAmount, kKind };
const std::vector<std::string_view> kFields = {"customer_id", "timestamp", "amount", "kind"};

// Collects each customer's distinct purchase days, then counts births and
// repeat days of the customers born on or before the calibration end.
class HistoryBuilder {
 public:
  explicit HistoryBuilder(const SummaryPeriod& period) : period_(period) {
    end_day_ = period.holdout_end_day.value_or(period.calibration_end_day);
    if (end_day_ < period.calibration_end_day) {
      throw Error::invalid_argument(
          fmt::format("the holdout end {} is before the calibration end {}: give a later "
                      "--holdout-end",
                      format_date(end_day_), format_date(period.calibration_end_day)));
    }
  }

  int64_t end_day() const { return end_day_; }

  // Days of one customer, in any order and with repeats.
  void add_customer(std::vector<int64_t>& days) {
    if (days.empty()) return;
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    if (days.front() > period_.calibration_end_day) return;  // first seen in the holdout
    births_.push_back(days.front());
    repeats_.insert(repeats_.end(), days.begin() + 1, days.end());
  }

  PurchaseHistory finish(std::string source) {
    if (births_.empty()) {
      throw Error::invalid_argument(fmt::format(
          "{}: no customer made a first purchase on or before the calibration end {}; check "
          "--calibration-end and the timestamp column",
          source, format_date(period_.calibration_end_day)));
    }
    PurchaseHistory h;
    h.first_day = *std::min_element(births_.begin(), births_.end());
    h.calibration_end_day = period_.calibration_end_day;
    h.end_day = end_day_;
    h.unit = period_.unit;
    h.source = std::move(source);
    const auto days = static_cast<size_t>(end_day_ - h.first_day + 1);
    h.births.assign(days, 0.0);
    h.repeats.assign(days, 0.0);
    for (int64_t d : births_) h.births[static_cast<size_t>(d - h.first_day)] += 1;
    for (int64_t d : repeats_) h.repeats[static_cast<size_t>(d - h.first_day)] += 1;
    return h;
  }

 private:
  SummaryPeriod period_;
  int64_t end_day_ = 0;
  std::vector<int64_t> births_, repeats_;
};

CsvDialect dialect_of(const TransactionFileFormat& format) {
  CsvDialect d;
  if (format.whitespace) {
    d.format = CsvFormat::kWhitespace;
  } else {
    d.delimiter = format.delimiter;
  }
  return d;
}

// Empty when `kind` is a purchase, "skip" for other known kinds, else the reason.
std::string check_kind(std::string_view kind) {
  if (kind.empty() || kind == "purchase") return {};
  if (kind == "return" || kind == "refund" || kind == "cancellation") return "skip";
  return fmt::format("unknown kind '{}': use purchase, return, refund or cancellation", kind);
}

}  // namespace

PurchaseHistory read_purchase_history(const std::string& path, const TransactionFileFormat& format,
                                      const SummaryPeriod& period) {
  HistoryBuilder builder(period);
  CsvReader reader(path, dialect_of(format));
  CsvRecord record;
  if (!reader.next(record)) {
    throw Error::invalid_argument(fmt::format("{}: the transaction file is empty", path));
  }
  const ColumnLayout layout = resolve_columns("transactions", kFields, {kCustomerId, kTimestamp},
                                              record, format.has_header, format.field_map);
  size_t needed = 0;  // fields a row must have: up to the last column used
  for (int column : layout.column_of_field) {
    needed = std::max(needed, static_cast<size_t>(column + 1));
  }
  PurchaseHistory rejected_info;
  const auto reject = [&](const CsvRecord& r, const std::string& reason) {
    if (rejected_info.rows_rejected++ == 0) {
      rejected_info.first_reject = fmt::format("line {}: {}", r.line, reason);
    }
  };
  // Ids map to dense indexes; each customer's days are grouped after the
  // pass, so rows need not be sorted.
  std::unordered_map<std::string, uint32_t> index_of;
  std::vector<std::pair<uint32_t, int64_t>> purchases;
  const auto use = [&](const CsvRecord& r) {
    if (!r.error.empty()) return reject(r, r.error);
    if (r.fields.size() < needed) {
      return reject(r,
                    fmt::format("row has {} fields, needs at least {}", r.fields.size(), needed));
    }
    const std::string_view id = layout.get(r, kCustomerId);
    if (id.empty()) return reject(r, "empty customer id");
    // The summary rejects rows whose amount is not a number; so does this.
    if (layout.has(kAmount)) {
      std::string_view amount = layout.get(r, kAmount);
      if (!amount.empty() && amount.front() == '+') amount.remove_prefix(1);
      double value = 0;
      const auto [end, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), value);
      if (ec != std::errc() || end != amount.data() + amount.size() || !std::isfinite(value)) {
        return reject(r, fmt::format("invalid amount '{}': use a plain number such as 12.50",
                                     layout.get(r, kAmount)));
      }
    }
    const std::string kind = check_kind(layout.get(r, kKind));
    if (kind == "skip") return;
    if (!kind.empty()) return reject(r, kind);
    int64_t seconds = 0;
    const std::string_view ts = layout.get(r, kTimestamp);
    if (!parse_timestamp(ts, seconds)) {
      return reject(r, fmt::format("invalid date '{}': use YYYY-MM-DD, YYYYMMDD or ISO 8601", ts));
    }
    const int64_t day = day_of(seconds);
    if (day > builder.end_day()) return;  // after the observation window, as in the summary
    const auto [it, inserted] =
        index_of.try_emplace(std::string(id), static_cast<uint32_t>(index_of.size()));
    purchases.emplace_back(it->second, day);
  };
  if (!format.has_header) use(record);
  while (reader.next(record)) use(record);

  std::sort(purchases.begin(), purchases.end());
  std::vector<int64_t> days;
  for (size_t i = 0; i < purchases.size();) {
    days.clear();
    const uint32_t customer = purchases[i].first;
    for (; i < purchases.size() && purchases[i].first == customer; ++i) {
      days.push_back(purchases[i].second);
    }
    builder.add_customer(days);
  }
  PurchaseHistory h = builder.finish(path);
  h.rows_rejected = rejected_info.rows_rejected;
  h.first_reject = rejected_info.first_reject;
  return h;
}

PurchaseHistory read_purchase_history_database(const std::string& db_path,
                                               const SummaryPeriod& period) {
  // Opening would create an empty database; a chart of nothing is a mistake.
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(fmt::format(
        "no database at '{}': import transactions first, or pass --db PATH / --transactions FILE",
        db_path));
  }
  HistoryBuilder builder(period);
  auto db = open_database(db_path);
  PurchaseTimeScan scan(*db);
  std::vector<int64_t> days;
  int64_t current = std::numeric_limits<int64_t>::min();
  int64_t customer = 0, ts = 0;
  while (scan.next(customer, ts)) {
    if (customer != current) {
      builder.add_customer(days);
      days.clear();
      current = customer;
    }
    const int64_t day = day_of(ts);
    if (day <= builder.end_day()) days.push_back(day);
  }
  builder.add_customer(days);
  return builder.finish("sqlite:" + db_path);
}

}  // namespace clv
