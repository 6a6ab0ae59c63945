// The streaming file source: one pass over the file with a fixed read buffer,
// an id hash index and ~40 bytes of state per customer. Customers whose rows
// are not in time order are replayed from a second pass.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "ingest/csv_reader.hpp"
#include "ingest/money.hpp"
#include "ingest/transaction_kind.hpp"
#include "summary/customer_key_table.hpp"
#include "summary/row_scanner.hpp"
#include "summary/summary_accumulator.hpp"

namespace clv {
namespace {

enum Field { kCustomerId, kTimestamp, kAmount, kKind, kFieldCount };
constexpr const char* kFieldNames[kFieldCount] = {"customer_id", "timestamp", "amount", "kind"};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<size_t> parse_position(std::string_view text) {
  size_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value == 0) return std::nullopt;
  return value - 1;
}

// Column index of each field (-1 when the optional kind column is absent).
struct Columns {
  int64_t index[kFieldCount] = {-1, -1, -1, -1};
  size_t needed = 0;  // fields a row must have
};

Columns resolve_columns(const TransactionFileFormat& format,
                        const std::vector<std::string_view>* header, const std::string& source) {
  std::string spec[kFieldCount];
  bool mapped[kFieldCount] = {};
  for (const auto& [field, column] : format.field_map) {
    auto it = std::find(std::begin(kFieldNames), std::end(kFieldNames), field);
    if (it == std::end(kFieldNames)) {
      throw Error::invalid_argument(fmt::format(
          "unknown field '{}' in --map: a summary uses customer_id, timestamp, amount and kind",
          field));
    }
    const auto f = static_cast<size_t>(it - std::begin(kFieldNames));
    spec[f] = column;
    mapped[f] = true;
  }
  if (header != nullptr) {
    // Which of two 'amount' columns holds the amount? Refused, like the importer.
    for (size_t c = 0; c < header->size(); ++c) {
      for (size_t d = 0; d < c; ++d) {
        if (!(*header)[c].empty() && iequals((*header)[c], (*header)[d])) {
          throw Error::invalid_argument(fmt::format(
              "{}: line 1: the header names column '{}' twice (columns {} and {}); rename one",
              source, (*header)[c], d + 1, c + 1));
        }
      }
    }
  }
  Columns columns;
  for (size_t f = 0; f < kFieldCount; ++f) {
    if (!mapped[f]) spec[f] = kFieldNames[f];
    if (auto position = parse_position(spec[f])) {
      columns.index[f] = static_cast<int64_t>(*position);
    } else if (header == nullptr) {
      if ((f == kKind || f == kAmount) && !mapped[f]) continue;
      throw Error::invalid_argument(
          fmt::format("field {} is mapped to '{}' but the file has no header: map it to a 1-based "
                      "column number "
                      "(e.g. --map {}=2)",
                      kFieldNames[f], spec[f], kFieldNames[f]));
    } else {
      for (size_t c = 0; c < header->size(); ++c) {
        if ((*header)[c] == spec[f]) columns.index[f] = static_cast<int64_t>(c);
      }
      for (size_t c = 0; c < header->size() && columns.index[f] < 0; ++c) {
        if (iequals((*header)[c], spec[f])) columns.index[f] = static_cast<int64_t>(c);
      }
      // kind and amount are optional: without amounts (e.g. lifetimes'
      // date,id example) the summary has no spend column.
      if (columns.index[f] < 0 && ((f != kKind && f != kAmount) || mapped[f])) {
        std::string names;
        for (auto h : *header) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", h);
        throw Error::invalid_argument(
            fmt::format("{}: no column '{}' for field {}; the header has {}: use --map {}=COLUMN",
                        source, spec[f], kFieldNames[f], names, kFieldNames[f]));
      }
    }
    if (columns.index[f] >= 0) {
      columns.needed = std::max(columns.needed, static_cast<size_t>(columns.index[f]) + 1);
    }
  }
  return columns;
}

// Exports repeat the same date on consecutive rows: remember the last one.
// Timestamps of up to 15 bytes (dates, ISO minutes) are compared as two
// words, the way customer keys are; longer ones as text.
struct DateCache {
  bool matches(std::string_view ts) const {
    if (!valid) return false;
    if (ts.size() <= CustomerKey::kInlineBytes) return CustomerKey::inline_key(ts) == key;
    return ts == text;
  }
  void remember(std::string_view ts, int32_t parsed_day) {
    valid = true;
    day = parsed_day;
    if (ts.size() <= CustomerKey::kInlineBytes) {
      key = CustomerKey::inline_key(ts);
      text.clear();
    } else {
      key = CustomerKey();
      text.assign(ts);
    }
  }
  bool valid = false;
  CustomerKey key;
  std::string text;
  int32_t day = 0;
};

struct ParsedRow {
  std::string_view id;
  int32_t day = 0;
  double amount = 0;
  bool purchase = true;
};

// How amounts are read: the importer's rule (ingest/money.hpp) with the
// currency's decimals, or whole minor units when amounts are in cents.
struct AmountRule {
  std::string currency;
  int exponent = 2;
  double divisor = 1.0;  // minor units per major unit
};

AmountRule amount_rule(const TransactionFileFormat& format) {
  if (!(format.amount_divisor > 0) || !std::isfinite(format.amount_divisor)) {
    throw Error::invalid_argument("amount divisor must be a positive number");
  }
  if (!is_currency_code(format.currency)) {
    throw Error::invalid_argument(
        fmt::format("currency '{}' is not an ISO 4217 code like USD", format.currency));
  }
  AmountRule rule;
  rule.currency = format.currency;
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4};
  if (format.amount_divisor != 1.0) {
    rule.exponent = 0;  // amounts in cents are whole numbers of cents
    rule.divisor = format.amount_divisor;
  } else {
    rule.exponent = currency_exponent(format.currency);
    rule.divisor = kPow10[rule.exponent];
  }
  return rule;
}

// Returns an empty string when the row parses, else the reason it does not.
std::string parse_row(const CsvRecord& record, const Columns& columns, const AmountRule& money,
                      DateCache& dates, ParsedRow& row) {
  if (!record.error.empty()) return record.error;
  const auto& f = record.fields;
  if (f.size() < columns.needed) {
    return fmt::format("row has {} fields, needs at least {}", f.size(), columns.needed);
  }
  row.id = f[static_cast<size_t>(columns.index[kCustomerId])];
  if (row.id.empty()) return "empty customer id";
  if (row.id.size() > CustomerIds::kMaxIdBytes) return "customer id longer than 65535 bytes";
  const std::string_view ts = f[static_cast<size_t>(columns.index[kTimestamp])];
  if (dates.matches(ts)) {
    row.day = dates.day;
  } else {
    int64_t seconds = 0;
    if (!parse_timestamp(ts, seconds)) {
      return fmt::format("invalid date '{}': use YYYY-MM-DD, YYYYMMDD or ISO 8601", ts);
    }
    const int64_t day = day_of(seconds);
    if (day < std::numeric_limits<int32_t>::min() / 2 ||
        day > std::numeric_limits<int32_t>::max() / 2) {
      return fmt::format("date '{}' is out of range", ts);
    }
    row.day = static_cast<int32_t>(day);
    dates.remember(ts, row.day);
  }
  std::string_view kind = "purchase";
  if (columns.index[kKind] >= 0) {
    const std::string_view text = f[static_cast<size_t>(columns.index[kKind])];
    const auto canonical = canonical_kind(text);
    if (!canonical) {
      return fmt::format("unknown kind '{}': use purchase, return, refund or cancellation", text);
    }
    kind = *canonical;
  }
  row.purchase = kind == "purchase";
  row.amount = 0;
  if (columns.index[kAmount] < 0) return {};  // a summary without spend
  const std::string_view amount = f[static_cast<size_t>(columns.index[kAmount])];
  int64_t minor = 0;
  const AmountStatus status =
      parse_transaction_amount(amount, money.exponent, is_money_back(kind), minor);
  if (status != AmountStatus::kOk) {
    return amount_problem(status, amount, money.exponent, money.currency, kind);
  }
  // minor < 2^53, so this is the correctly rounded decimal value.
  row.amount = static_cast<double>(minor) / money.divisor;
  return {};
}

// `open` returns a fresh reader (CsvReader or RowScanner) of the input.
template <typename Open>
CustomerSummary summarize(const Open& open, const TransactionFileFormat& format,
                          const SummaryPeriod& period, const RejectSink& on_reject,
                          const std::string& source, const ProgressCallback& progress) {
  const AmountRule money = amount_rule(format);
  SummaryAccumulator acc(period);
  const int32_t last_day = static_cast<int32_t>(acc.last_observed_day());
  CustomerKeyTable table;
  SummaryDiagnostics diag;

  auto reader = open();
  CsvRecord record;
  Columns columns;
  if (format.has_header) {
    if (!reader.next(record))
      throw Error::invalid_argument(fmt::format("{}: the file is empty", source));
    columns = resolve_columns(format, &record.fields, source);
  } else {
    columns = resolve_columns(format, nullptr, source);
  }

  // A three-stage software pipeline over the rows: when row r is parsed its
  // hash slot is prefetched; for row r-kLag the slot is read and the
  // candidate's key and state are prefetched (two independent misses); row
  // r-2*kLag is folded. On a file in time order every row hits a random
  // customer, and overlapping those cache misses (instead of waiting for each
  // in turn) is what makes the pass fast.
  constexpr size_t kLag = 16;
  constexpr size_t kRing = 4 * kLag;  // power of two, > 2 * kLag
  struct Pending {
    CustomerKeyTable::Probe probe;
    std::string long_id;  // ids longer than a key holds (the reader's buffer moves on)
    int64_t candidate = -1;
    int32_t day = 0;
    double amount = 0;
    bool same_as_previous = false;
  };
  std::vector<Pending> ring(kRing);
  uint64_t parsed = 0;  // rows entered into the pipeline
  uint32_t last_index = 0;
  bool any_out_of_order = false;
  auto prefetch_entry = [&](uint64_t r) {
    Pending& p = ring[r & (kRing - 1)];
    p.candidate = p.same_as_previous ? -1 : table.candidate(p.probe.hash);
    if (p.candidate >= 0) {
      table.prefetch_key(static_cast<uint32_t>(p.candidate));
      acc.prefetch(static_cast<uint32_t>(p.candidate));
    }
  };
  auto fold = [&](uint64_t r) {
    const Pending& p = ring[r & (kRing - 1)];
    if (!p.same_as_previous) {
      bool inserted = false;
      last_index = table.find_or_insert(p.probe, p.long_id, inserted);
      if (inserted) acc.add_customer();
    }
    if (!acc.add(last_index, p.day, p.amount)) any_out_of_order = true;
  };

  ParsedRow row;
  DateCache dates;
  CustomerKeyTable::Probe previous;  // of the last row entered; the key is zero at the start
  std::string previous_long_id;
  while (reader.next(record)) {
    if ((++diag.rows_read & (kProgressRowStride - 1)) == 0 && progress) {
      progress(Progress{"summary", reader.bytes_consumed(),
                        std::max(reader.total_bytes(), reader.bytes_consumed()), "bytes",
                        diag.rows_read});
    }
    std::string reason = parse_row(record, columns, money, dates, row);
    if (!reason.empty()) {
      ++diag.rows_rejected;
      RejectedRow rejected{record.line, std::move(reason), std::string(record.raw.substr(0, 200))};
      if (on_reject) on_reject(rejected);
      if (diag.first_rejects.size() < SummaryDiagnostics::kMaxKeptRejects) {
        diag.first_rejects.push_back(std::move(rejected));
      }
      continue;
    }
    if (!row.purchase) {
      ++diag.rows_not_purchase;
      continue;
    }
    if (row.day > last_day) {
      ++diag.rows_after_end;
      continue;
    }
    ++diag.rows_used;
    Pending& p = ring[parsed & (kRing - 1)];
    // Consecutive rows of one customer (files grouped by customer) skip the
    // lookup. An all-zero key matches no id (ids are not empty).
    if (row.id.size() <= CustomerKey::kInlineBytes) {
      const CustomerKey key = CustomerKey::inline_key(row.id);
      p.same_as_previous = !previous.is_long && key == previous.key;
      if (!p.same_as_previous) previous = CustomerKeyTable::probe(key);
    } else {
      p.same_as_previous = previous.is_long && row.id == previous_long_id;
      if (!p.same_as_previous) {
        previous = CustomerKeyTable::probe(row.id);
        previous_long_id.assign(row.id);
        p.long_id.assign(row.id);
      }
    }
    if (!p.same_as_previous) {
      p.probe = previous;
      table.prefetch_slot(p.probe.hash);
    }
    p.day = row.day;
    p.amount = row.amount;
    if (parsed >= kLag) prefetch_entry(parsed - kLag);
    if (parsed >= 2 * kLag) fold(parsed - 2 * kLag);
    ++parsed;
  }
  for (uint64_t r = parsed >= 2 * kLag ? parsed - 2 * kLag : 0; r < parsed; ++r) fold(r);

  if (any_out_of_order) {
    // Replay the out-of-order customers from a second pass, sorted by day.
    struct Replay {
      uint32_t customer;
      int32_t day;
      double amount;
    };
    std::vector<Replay> replay;
    auto again = open();
    if (format.has_header) again.next(record);
    while (again.next(record)) {
      if (!parse_row(record, columns, money, dates, row).empty()) continue;
      if (!row.purchase || row.day > last_day) continue;
      const int64_t customer = table.find(row.id);
      if (customer < 0) continue;
      if (acc.out_of_order(static_cast<uint32_t>(customer))) {
        replay.push_back({static_cast<uint32_t>(customer), row.day, row.amount});
      }
    }
    std::stable_sort(replay.begin(), replay.end(), [](const Replay& a, const Replay& b) {
      return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
    });
    for (size_t i = 0; i < replay.size(); ++i) {
      if (i == 0 || replay[i].customer != replay[i - 1].customer) {
        acc.reset(replay[i].customer);
        ++diag.customers_out_of_order;
      }
      acc.add(replay[i].customer, replay[i].day, replay[i].amount);
    }
  }
  if (progress) {
    const uint64_t size = std::max(reader.total_bytes(), reader.bytes_consumed());
    progress(Progress{"summary", size, size, "bytes", diag.rows_read});
  }
  table.release_slots();
  CustomerIds ids = table.take_ids();
  CustomerSummary summary = acc.finish(std::move(ids), std::move(diag), source);
  if (columns.index[kAmount] < 0) {
    // No amounts: spend is unknown, not zero.
    summary.monetary_value.clear();
    summary.monetary_value_holdout.clear();
  }
  return summary;
}

CsvDialect dialect_of(const TransactionFileFormat& format) {
  CsvDialect dialect;
  dialect.format = format.whitespace ? CsvFormat::kWhitespace : CsvFormat::kDelimited;
  dialect.delimiter = format.delimiter;
  return dialect;
}

}  // namespace

std::pair<std::string, std::string> parse_field_mapping(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    throw Error::invalid_argument(fmt::format(
        "bad --map '{}': use FIELD=COLUMN, e.g. customer_id=Id or customer_id=2", text));
  }
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

CustomerSummary summarize_transaction_file(const std::string& path,
                                           const TransactionFileFormat& format,
                                           const SummaryPeriod& period, const RejectSink& on_reject,
                                           const ProgressCallback& progress) {
  const CsvDialect dialect = dialect_of(format);
  if (dialect.format == CsvFormat::kDelimited) {
    return summarize([&] { return RowScanner(path, dialect.delimiter); }, format, period, on_reject,
                     path, progress);
  }
  return summarize([&] { return CsvReader(path, dialect); }, format, period, on_reject, path,
                   progress);
}

CustomerSummary summarize_transaction_text(std::string_view text,
                                           const TransactionFileFormat& format,
                                           const SummaryPeriod& period, const RejectSink& on_reject,
                                           const ProgressCallback& progress) {
  const CsvDialect dialect = dialect_of(format);
  if (dialect.format == CsvFormat::kDelimited) {
    return summarize([&] { return RowScanner::from_text(text, dialect.delimiter); }, format, period,
                     on_reject, "<text>", progress);
  }
  return summarize([&] { return CsvReader::from_text(text, dialect); }, format, period, on_reject,
                   "<text>", progress);
}

}  // namespace clv
