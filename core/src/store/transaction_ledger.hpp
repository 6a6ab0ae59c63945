// Reading the transactions table in (customer, time) order on the covering
// index transactions_by_customer_time: every purchase with its amount in
// major units of its own currency (the summary), or only purchase times (the
// report's tracking chart). Rows are handed out one at a time with inline
// column reads: the summary scan runs tens of millions of steps, and a
// reference-counted column object or an extra call per value would cost a
// noticeable share of it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>

namespace clv {

// A raw prepared read statement; errors become Error::io.
class LedgerCursor {
 public:
  LedgerCursor(sqlite3* db, const char* sql);
  ~LedgerCursor() { sqlite3_finalize(stmt_); }
  LedgerCursor(const LedgerCursor&) = delete;
  LedgerCursor& operator=(const LedgerCursor&) = delete;

  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail();
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  [[noreturn]] void fail() const;
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Major units per minor unit of a currency code (1/100 for USD, 1 for JPY);
// throws Error::corrupt_data for a code that is not ISO 4217.
using MinorUnitScale = double (*)(std::string_view currency);

struct LedgerPurchase {
  int64_t customer_id = 0;   // customers.id
  int64_t ts = 0;            // UTC seconds
  int64_t amount_minor = 0;  // minor units of the row's currency
};

// One consistent pass over the purchases: the count of all transaction rows
// and the scan read the same snapshot (a savepoint, so it nests inside a
// caller's transaction), and the file is memory-mapped for the scan (the
// connection's setting is restored afterwards).
class PurchaseLedgerScan {
 public:
  // `scale` converts each row's amount_minor; with one currency in the table
  // (the usual case) it is called once and the scan stays on the index.
  PurchaseLedgerScan(SQLite::Database& db, MinorUnitScale scale);
  ~PurchaseLedgerScan();
  PurchaseLedgerScan(const PurchaseLedgerScan&) = delete;
  PurchaseLedgerScan& operator=(const PurchaseLedgerScan&) = delete;

  // Transaction rows of every kind in the snapshot.
  uint64_t rows() const { return rows_; }

  // The next purchase in (customer, time) order; false after the last.
  bool next(LedgerPurchase& row) {
    if (!tx_->step()) return false;
    sqlite3_stmt* s = tx_->get();
    row.customer_id = sqlite3_column_int64(s, 0);
    row.ts = sqlite3_column_int64(s, 1);
    row.amount_minor = sqlite3_column_int64(s, 2);
    return true;
  }

  // The amount of the row `next` just read, in major units of its currency
  // (separate so that rows the caller skips never have their currency read).
  double amount(const LedgerPurchase& row) {
    return static_cast<double>(row.amount_minor) *
           (currency_ ? fixed_scale_ : row_scale(tx_->get()));
  }

  // Whether the table holds more than one currency.
  bool several_currencies() const { return !currency_; }
  // The currency of the row `amount` was last called for.
  std::string_view currency() const { return currency_ ? *currency_ : row_currency_; }

  // The external id of `customer_id`, valid until the next call. Ids must be
  // asked for in ascending order (the scan's); throws Error::corrupt_data
  // when the customers table has no such row.
  std::string_view external_id(int64_t customer_id);

 private:
  struct Snapshot;
  double row_scale(sqlite3_stmt* s);

  sqlite3* handle_;
  std::unique_ptr<Snapshot> snapshot_;  // mmap + savepoint, released last
  MinorUnitScale scale_;
  uint64_t rows_ = 0;
  std::optional<std::string> currency_;  // the table's one currency, if one
  double fixed_scale_ = 0;
  std::string row_currency_;  // several currencies: the last row's and its scale
  double row_scale_ = 0;
  std::unique_ptr<LedgerCursor> tx_, customers_;
  int64_t customer_at_ = -1;
  bool customers_done_ = false;
};

// Purchase times in (customer, time) order, without amounts.
class PurchaseTimeScan {
 public:
  explicit PurchaseTimeScan(SQLite::Database& db);

  bool next(int64_t& customer_id, int64_t& ts) {
    if (!cursor_.step()) return false;
    customer_id = sqlite3_column_int64(cursor_.get(), 0);
    ts = sqlite3_column_int64(cursor_.get(), 1);
    return true;
  }

 private:
  LedgerCursor cursor_;
};

}  // namespace clv
