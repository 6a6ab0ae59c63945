#include "store/transaction_ledger.hpp"

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

LedgerCursor::LedgerCursor(sqlite3* db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    throw Error::io(fmt::format("cannot read the database: {}", sqlite3_errmsg(db)));
  }
}

void LedgerCursor::fail() const {
  throw Error::io(fmt::format("reading the database failed: {}", sqlite3_errmsg(db_)));
}

namespace {

// The one currency of all transactions, or nullopt when there are several
// (or none). Two cheap queries instead of a DISTINCT over the table.
std::optional<std::string> single_currency(sqlite3* handle) {
  LedgerCursor first(handle, "SELECT currency FROM transactions LIMIT 1");
  if (!first.step()) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(first.get(), 0));
  std::string code(text == nullptr ? "" : text);
  LedgerCursor other(handle, "SELECT EXISTS(SELECT 1 FROM transactions WHERE currency IS NOT ?)");
  sqlite3_bind_text(other.get(), 1, code.c_str(), static_cast<int>(code.size()), SQLITE_STATIC);
  if (other.step() && sqlite3_column_int64(other.get(), 0) != 0) return std::nullopt;
  return code;
}

}  // namespace

// Memory-maps the database file for the scan (reads become page-table hits
// instead of a pread per page), then holds one read transaction over the
// count and the scan so they agree even with a writer in between.
struct PurchaseLedgerScan::Snapshot {
  explicit Snapshot(sqlite3* db) : db_(db) {
    LedgerCursor current(db, "PRAGMA mmap_size");
    if (current.step()) previous_mmap_ = sqlite3_column_int64(current.get(), 0);
    sqlite3_exec(db, "PRAGMA mmap_size=2147418112", nullptr, nullptr, nullptr);  // a hint
    if (sqlite3_exec(db, "SAVEPOINT clv_summary_scan", nullptr, nullptr, nullptr) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db);
      restore_mmap();
      throw Error::io(fmt::format("cannot read the database: {}", message));
    }
  }
  ~Snapshot() {
    sqlite3_exec(db_, "RELEASE clv_summary_scan", nullptr, nullptr, nullptr);
    restore_mmap();
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  void restore_mmap() {
    const std::string restore = fmt::format("PRAGMA mmap_size={}", previous_mmap_);
    sqlite3_exec(db_, restore.c_str(), nullptr, nullptr, nullptr);
  }

  sqlite3* db_;
  int64_t previous_mmap_ = 0;
};

PurchaseLedgerScan::PurchaseLedgerScan(SQLite::Database& db, MinorUnitScale scale)
    : handle_(db.getHandle()), snapshot_(std::make_unique<Snapshot>(handle_)), scale_(scale) {
  // count(*) walks the smallest b-tree without decoding rows.
  {
    LedgerCursor count(handle_, "SELECT count(*) FROM transactions");
    if (count.step()) rows_ = static_cast<uint64_t>(sqlite3_column_int64(count.get(), 0));
  }
  // One currency (the usual case): its exponent applies to every row, and the
  // scan stays on the covering index. Several: each row is scaled by its own
  // currency's exponent (amounts are not converted between currencies), at
  // the cost of reading the table row as well. Only integer columns are read
  // per row: each extra column (e.g. kind as text) costs as much as the rest.
  currency_ = single_currency(handle_);
  if (currency_) fixed_scale_ = scale_(*currency_);
  tx_ = std::make_unique<LedgerCursor>(
      handle_, currency_ ? "SELECT customer_id, ts, amount_minor FROM transactions "
                           "INDEXED BY transactions_by_customer_time "
                           "WHERE kind = 'purchase' ORDER BY customer_id, ts"
                         : "SELECT customer_id, ts, amount_minor, currency FROM "
                           "transactions INDEXED BY transactions_by_customer_time "
                           "WHERE kind = 'purchase' ORDER BY customer_id, ts");
  customers_ =
      std::make_unique<LedgerCursor>(handle_, "SELECT id, external_id FROM customers ORDER BY id");
}

// The cursors are finalized before the savepoint is released.
PurchaseLedgerScan::~PurchaseLedgerScan() {
  tx_.reset();
  customers_.reset();
}

double PurchaseLedgerScan::row_scale(sqlite3_stmt* s) {
  const auto* code = reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
  const std::string_view text = code == nullptr ? std::string_view() : code;
  if (row_currency_.empty() || text != row_currency_) {
    row_scale_ = scale_(text);
    row_currency_.assign(text);
  }
  return row_scale_;
}

std::string_view PurchaseLedgerScan::external_id(int64_t customer_id) {
  // Both scans run in id order: advance the customers cursor to this id.
  int64_t id = -1;
  while (!customers_done_ && id < customer_id) {
    if (!customers_->step()) {
      customers_done_ = true;
      break;
    }
    id = sqlite3_column_int64(customers_->get(), 0);
  }
  if (id != customer_id) {
    throw Error::corrupt_data(fmt::format(
        "transactions refer to customer {} which is not in the customers table: run the "
        "database integrity check",
        customer_id));
  }
  const auto* external = reinterpret_cast<const char*>(sqlite3_column_text(customers_->get(), 1));
  const int length = sqlite3_column_bytes(customers_->get(), 1);
  return {external, static_cast<size_t>(length)};
}

// The covering index (customer_id, ts, kind, ...) serves this scan in order.
PurchaseTimeScan::PurchaseTimeScan(SQLite::Database& db)
    : cursor_(db.getHandle(),
              "SELECT customer_id, ts FROM transactions WHERE kind = 'purchase' "
              "ORDER BY customer_id, ts") {}

}  // namespace clv
