// The engine's live-ingest staging (schema migration 5). Ingested transactions
// are appended to transactions_pending when their batch commits; a merge moves
// them into `transactions` in index order (customer, time), many batches at
// once, so each page of the per-customer index is written once per merge
// rather than once per batch. The rows are also kept in memory: the merge
// sorts them with std::sort and binds them in order, where SQLite's ORDER BY
// sorter took a third of the merge.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace clv {

class PendingTransactions {
 public:
  struct Row {
    int64_t customer_row = 0, ts = 0, amount_minor = 0;
    std::string currency, kind, external_id;  // external_id empty: none
    int64_t quantity = -1;                    // < 0: none
    std::string category, channel, location;  // empty: none
  };

  // Rows found in transactions_pending at open (an engine that did not close):
  // there is no copy of them in memory, so they merge through SQL.
  void add_leftovers(size_t count) { leftovers_ += count; }
  // Makes room for `count` more rows, so that add() of them cannot throw.
  void reserve_more(size_t count) {
    const size_t needed = rows_.size() + count;
    if (needed > rows_.capacity()) rows_.reserve(std::max(needed, 2 * rows_.capacity()));
  }
  // The rows of one batch, once it has committed (after reserve_more).
  void add(std::vector<Row>&& rows);
  // Rows in transactions_pending.
  size_t size() const { return rows_.size() + leftovers_; }

  // Moves every pending row into `transactions` in one SQLite transaction
  // (nothing moves if it throws SQLite::Exception). Caller holds the writer.
  void merge(SQLite::Database& db);

 private:
  std::vector<Row> rows_;
  size_t leftovers_ = 0;
};

}  // namespace clv
