#include "store/pending_transactions.hpp"

#include <algorithm>
#include <numeric>
#include <optional>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace clv {
namespace {

// Foreign-key and CHECK probes are off while rows move (they were half the
// cost: `kind IN (...)` builds a table per row): every row's customer was
// created in the same transaction as the row, and its kind was validated.
class UncheckedWrites {
 public:
  explicit UncheckedWrites(SQLite::Database& db) : db_(db) {
    db_.exec("PRAGMA foreign_keys=OFF");
    db_.exec("PRAGMA ignore_check_constraints=ON");
  }
  ~UncheckedWrites() {
    try {
      db_.exec("PRAGMA foreign_keys=ON");
      db_.exec("PRAGMA ignore_check_constraints=OFF");
    } catch (...) {  // restoring must never mask the real error
    }
  }

 private:
  SQLite::Database& db_;
};

// OR IGNORE: an id that another process imported into `transactions` after
// the engine's check stays stored once.
constexpr const char* kInsertInto =
    "INSERT OR IGNORE INTO transactions (external_id, customer_id, ts, amount_minor, currency, "
    "kind, quantity, category, channel, location) ";
constexpr int kColumns = 10;
constexpr size_t kRowsPerInsert = 64;

}  // namespace

void PendingTransactions::add(std::vector<Row>&& rows) {
  // Moves into reserved room: nothing allocates (Row's moves are noexcept).
  rows_.insert(rows_.end(), std::make_move_iterator(rows.begin()),
               std::make_move_iterator(rows.end()));
}

void PendingTransactions::merge(SQLite::Database& db) {
  if (size() == 0) return;
  UncheckedWrites unchecked(db);
  SQLite::Transaction tx(db);
  if (leftovers_ > 0) {
    // Rows of a previous process: all of them, through SQLite's sorter.
    db.exec(std::string(kInsertInto) +
            "SELECT external_id, customer_id, ts, amount_minor, currency, kind, quantity, "
            "category, channel, location FROM transactions_pending ORDER BY customer_id, ts");
  } else {
    std::vector<uint32_t> order(rows_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const Row &x = rows_[a], &y = rows_[b];
      if (x.customer_row != y.customer_row) return x.customer_row < y.customer_row;
      if (x.ts != y.ts) return x.ts < y.ts;
      return a < b;
    });
    auto statement = [&](size_t rows) {
      std::string sql = std::string(kInsertInto) + "VALUES ";
      for (size_t r = 0; r < rows; ++r)
        sql += r == 0 ? "(?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?)";
      return SQLite::Statement(db, sql);
    };
    auto bind = [](SQLite::Statement& q, int first, const Row& r) {
      if (r.external_id.empty()) {
        q.bind(first);
      } else {
        q.bindNoCopy(first, r.external_id);
      }
      q.bind(first + 1, r.customer_row);
      q.bind(first + 2, r.ts);
      q.bind(first + 3, r.amount_minor);
      q.bindNoCopy(first + 4, r.currency);
      q.bindNoCopy(first + 5, r.kind);
      if (r.quantity >= 0) {
        q.bind(first + 6, r.quantity);
      } else {
        q.bind(first + 6);
      }
      auto text = [&q](int column, const std::string& v) {
        if (v.empty()) {
          q.bind(column);
        } else {
          q.bindNoCopy(column, v);
        }
      };
      text(first + 7, r.category);
      text(first + 8, r.channel);
      text(first + 9, r.location);
    };
    SQLite::Statement many = statement(kRowsPerInsert);
    size_t k = 0;
    for (; k + kRowsPerInsert <= order.size(); k += kRowsPerInsert) {
      for (size_t j = 0; j < kRowsPerInsert; ++j) {
        bind(many, static_cast<int>(j * kColumns + 1), rows_[order[k + j]]);
      }
      many.exec();
      many.reset();
    }
    if (k < order.size()) {
      SQLite::Statement one = statement(1);
      for (; k < order.size(); ++k) {
        bind(one, 1, rows_[order[k]]);
        one.exec();
        one.reset();
      }
    }
  }
  db.exec("DELETE FROM transactions_pending");
  tx.commit();
  rows_.clear();
  rows_.shrink_to_fit();
  leftovers_ = 0;
}

}  // namespace clv
