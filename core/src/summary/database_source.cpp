#include "summary/database_source.hpp"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "ingest/money.hpp"
#include "store/database.hpp"
#include "summary/summary_accumulator.hpp"

namespace clv {
namespace {

// A raw prepared statement: the scan runs millions of steps, and the C API
// avoids a reference-counted Column object per value.
class Cursor {
 public:
  Cursor(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw Error::io(fmt::format("cannot read the database: {}", sqlite3_errmsg(db)));
    }
  }
  ~Cursor() { sqlite3_finalize(stmt_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error::io(fmt::format("reading the database failed: {}", sqlite3_errmsg(db_)));
  }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Major units per minor unit of a stored currency (1/100 for USD, 1 for JPY,
// 1/1000 for BHD).
double minor_unit_scale(std::string_view code) {
  if (!is_currency_code(code)) {
    throw Error::corrupt_data(fmt::format(
        "a transaction has currency '{}', not an ISO 4217 code: run the database integrity check",
        code));
  }
  return 1.0 / std::pow(10.0, currency_exponent(code));
}

// The one currency of all transactions, or nullopt when there are several
// (or none). Two cheap queries instead of a DISTINCT over the table.
std::optional<std::string> single_currency(sqlite3* handle) {
  Cursor first(handle, "SELECT currency FROM transactions LIMIT 1");
  if (!first.step()) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(first.get(), 0));
  std::string code(text == nullptr ? "" : text);
  Cursor other(handle, "SELECT EXISTS(SELECT 1 FROM transactions WHERE currency IS NOT ?)");
  sqlite3_bind_text(other.get(), 1, code.c_str(), static_cast<int>(code.size()), SQLITE_STATIC);
  if (other.step() && sqlite3_column_int64(other.get(), 0) != 0) return std::nullopt;
  return code;
}

// Memory-maps the database file for the scan (reads become page-table hits
// instead of a pread per page) and restores the connection's setting after.
class MmapForScan {
 public:
  explicit MmapForScan(sqlite3* db) : db_(db) {
    Cursor current(db, "PRAGMA mmap_size");
    if (current.step()) previous_ = sqlite3_column_int64(current.get(), 0);
    sqlite3_exec(db, "PRAGMA mmap_size=2147418112", nullptr, nullptr, nullptr);  // a hint
  }
  ~MmapForScan() {
    const std::string restore = fmt::format("PRAGMA mmap_size={}", previous_);
    sqlite3_exec(db_, restore.c_str(), nullptr, nullptr, nullptr);
  }
  MmapForScan(const MmapForScan&) = delete;
  MmapForScan& operator=(const MmapForScan&) = delete;

 private:
  sqlite3* db_;
  int64_t previous_ = 0;
};

// Holds one read transaction over the count and the scan so they agree even
// with a writer in between; a savepoint nests inside a caller's transaction.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sqlite3* db) : db_(db) {
    if (sqlite3_exec(db, "SAVEPOINT clv_summary_scan", nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw Error::io(fmt::format("cannot read the database: {}", sqlite3_errmsg(db)));
    }
  }
  ~ReadSnapshot() { sqlite3_exec(db_, "RELEASE clv_summary_scan", nullptr, nullptr, nullptr); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sqlite3* db_;
};

}  // namespace

CustomerSummary summarize_database(SQLite::Database& db, const SummaryPeriod& period,
                                   const std::string& source) {
  SummaryAccumulator acc(period);
  sqlite3* handle = db.getHandle();
  MmapForScan mmap_scan(handle);
  ReadSnapshot snapshot(handle);
  SummaryDiagnostics diag;
  // count(*) walks the smallest b-tree without decoding rows; purchases come
  // from the scan below, so every other row is a return, refund or cancellation.
  {
    Cursor count(handle, "SELECT count(*) FROM transactions");
    if (count.step()) diag.rows_read = static_cast<uint64_t>(sqlite3_column_int64(count.get(), 0));
  }
  // One currency (the usual case): its exponent applies to every row, and the
  // scan stays on the covering index. Several: each row is scaled by its own
  // currency's exponent (amounts are not converted between currencies), at
  // the cost of reading the table row as well. Only integer columns are read
  // per row: each extra column (e.g. kind as text) costs as much as the rest.
  const std::optional<std::string> currency = single_currency(handle);
  const double fixed_scale = currency ? minor_unit_scale(*currency) : 0.0;
  Cursor tx(handle, currency ? "SELECT customer_id, ts, amount_minor FROM transactions "
                               "INDEXED BY transactions_by_customer_time "
                               "WHERE kind = 'purchase' ORDER BY customer_id, ts"
                             : "SELECT customer_id, ts, amount_minor, currency FROM "
                               "transactions INDEXED BY transactions_by_customer_time "
                               "WHERE kind = 'purchase' ORDER BY customer_id, ts");
  std::string row_currency;  // the last per-row currency and its scale
  double row_scale = 0.0;
  std::string customer_currency;  // of the current customer's first purchase
  Cursor customers(handle, "SELECT id, external_id FROM customers ORDER BY id");
  const int64_t last_day = acc.last_observed_day();
  CustomerIds ids;
  uint64_t purchases = 0;
  int64_t current = 0;
  bool have_current = false;
  bool customers_done = false;
  uint32_t index = 0;
  while (tx.step()) {
    sqlite3_stmt* s = tx.get();
    ++purchases;
    const int64_t customer_id = sqlite3_column_int64(s, 0);
    const int64_t ts = sqlite3_column_int64(s, 1);
    const int64_t amount_minor = sqlite3_column_int64(s, 2);
    const int64_t day = day_of(ts);
    if (day > last_day) {
      ++diag.rows_after_end;
      continue;
    }
    if (!have_current || customer_id != current) {
      // Both scans run in id order: advance the customers cursor to this id.
      int64_t id = -1;
      while (!customers_done && id < customer_id) {
        if (!customers.step()) {
          customers_done = true;
          break;
        }
        id = sqlite3_column_int64(customers.get(), 0);
      }
      if (id != customer_id) {
        throw Error::corrupt_data(fmt::format(
            "transactions refer to customer {} which is not in the customers table: run the "
            "database integrity check",
            customer_id));
      }
      const auto* external = reinterpret_cast<const char*>(sqlite3_column_text(customers.get(), 1));
      const int length = sqlite3_column_bytes(customers.get(), 1);
      index = ids.add(std::string_view(external, static_cast<size_t>(length)));
      acc.add_customer();
      current = customer_id;
      have_current = true;
      customer_currency.clear();
    }
    ++diag.rows_used;
    double scale = fixed_scale;
    if (!currency) {
      const auto* code = reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
      const std::string_view text = code == nullptr ? std::string_view() : code;
      if (row_currency.empty() || text != row_currency) {
        row_scale = minor_unit_scale(text);
        row_currency.assign(text);
      }
      scale = row_scale;
      // A mean spend over 500 JPY and 5 KWD is no amount in any currency.
      if (customer_currency.empty()) {
        customer_currency.assign(text);
      } else if (text != customer_currency) {
        throw Error::invalid_argument(fmt::format(
            "customer '{}' has purchases in {} and {}: a spend summary would average amounts "
            "in different currencies; convert them to one currency before importing",
            ids[index], customer_currency, text));
      }
    }
    acc.add(index, static_cast<int32_t>(day), static_cast<double>(amount_minor) * scale);
  }
  diag.rows_not_purchase = diag.rows_read - purchases;  // same snapshot: purchases <= rows
  return acc.finish(std::move(ids), std::move(diag), source);
}

CustomerSummary summarize_database(const std::string& db_path, const SummaryPeriod& period) {
  // Opening would create an empty database; a summary of nothing is a mistake.
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(fmt::format(
        "no database at '{}': import transactions first, or pass --db PATH / --transactions FILE",
        db_path));
  }
  open_database(db_path);  // creates or migrates the schema, then closes
  // The scan's own connection without SQLite's per-call mutex: one connection
  // used by one thread needs none, and locking it on every step and column
  // read costs a tenth of the scan.
  SQLite::Database scan(db_path, SQLite::OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  scan.setBusyTimeout(10000);
  return summarize_database(scan, period, "sqlite:" + db_path);
}

}  // namespace clv
