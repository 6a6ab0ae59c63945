// The importer's writer of the transactions table. Rows wait here and go to
// SQLite kRowsPerInsert per statement: one multi-row INSERT costs far less
// than as many single-row steps. Only the optional columns the input has (or
// a plugin may fill) are bound, as each bound NULL costs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <sqlite3.h>

namespace clv {

class PreparedStatement;

class TransactionLedgerWriter {
 public:
  // The text columns of a row, in this order wherever texts are passed.
  enum Text { kId, kCurrency, kCategory, kChannel, kLocation, kTextCount };
  struct Columns {  // optional columns to bind
    bool id = false, quantity = false, category = false, channel = false, location = false;
  };
  static constexpr size_t kRowsPerInsert = 64;

  // `file_id` goes into every row; rows whose external id is stored already
  // are skipped (ON CONFLICT DO NOTHING) and counted as duplicates.
  TransactionLedgerWriter(sqlite3* db, Columns columns, int64_t file_id);
  ~TransactionLedgerWriter();

  // Queues a row, copying its texts (the caller's buffer moves on).
  // `quantity` < 0: none. `kind` must outlive the writer (a canonical name).
  void add(int64_t customer, int64_t ts, int64_t amount_minor, int64_t quantity,
           std::string_view kind, const std::string_view (&texts)[kTextCount]);
  // Queues a row whose texts lie back to back from `base`, lengths in Text
  // order; `base` must stay valid until the next flush().
  void add_in_place(int64_t customer, int64_t ts, int64_t amount_minor, int64_t quantity,
                    std::string_view kind, const char* base, const uint32_t (&lengths)[kTextCount]);
  // Writes every queued row.
  void flush();

  uint64_t inserted() const { return inserted_; }
  uint64_t duplicates() const { return duplicates_; }

 private:
  struct Row {
    int64_t customer, ts, amount, quantity;
    std::string_view kind;
    const char* text_base;  // nullptr: the texts are in text_ at text_offset
    uint32_t text_offset[kTextCount], text_length[kTextCount];
  };
  enum Column {
    kColId,
    kColCustomer,
    kColTs,
    kColAmount,
    kColCurrency,
    kColKind,
    kColQuantity,
    kColCategory,
    kColChannel,
    kColLocation,
    kColFile
  };
  Row& next_row();
  void bind(PreparedStatement& s, int first, const Row& row);
  void step_counted(PreparedStatement& s, uint64_t rows);

  std::vector<Column> columns_;
  std::unique_ptr<PreparedStatement> insert_one_, insert_many_;
  std::vector<Row> rows_;
  std::string text_;
  int64_t file_id_;
  uint64_t inserted_ = 0, duplicates_ = 0;
};

// External ids of transactions the engine accepted (HTTP, C API) that wait in
// transactions_pending for their merge: taken, like stored ones.
std::unordered_set<std::string> pending_transaction_ids(sqlite3* db);

// The highest transaction row id (0 for an empty table).
int64_t max_transaction_row(sqlite3* db);

// Drops the per-customer time index for a bulk load and puts it back (same
// definition) on restore(), inside the caller's transaction: sorting once
// beats millions of random B-tree inserts.
class CustomerTimeIndexDrop {
 public:
  explicit CustomerTimeIndexDrop(sqlite3* db);
  void restore();  // no-op when nothing was dropped

 private:
  sqlite3* db_;
  std::string create_sql_;
};

}  // namespace clv
