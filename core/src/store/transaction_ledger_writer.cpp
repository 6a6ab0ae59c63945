#include "store/transaction_ledger_writer.hpp"

#include "store/prepared_statement.hpp"

namespace clv {

TransactionLedgerWriter::TransactionLedgerWriter(sqlite3* db, Columns optional, int64_t file_id)
    : file_id_(file_id) {
  static constexpr const char* kNames[] = {"external_id", "customer_id", "ts",       "amount_minor",
                                           "currency",    "kind",        "quantity", "category",
                                           "channel",     "location",    "file_id"};
  const bool wanted[] = {optional.id,
                         true,
                         true,
                         true,
                         true,
                         true,
                         optional.quantity,
                         optional.category,
                         optional.channel,
                         optional.location,
                         true};
  std::string columns, row_params;
  for (int c = kColId; c <= kColFile; ++c) {
    if (!wanted[c]) continue;
    columns_.push_back(static_cast<Column>(c));
    columns += columns.empty() ? "" : ", ";
    columns += kNames[c];
    row_params += row_params.empty() ? "?" : ",?";
  }
  auto statement = [&](size_t rows) {
    std::string sql = "INSERT INTO transactions(" + columns + ") VALUES ";
    for (size_t r = 0; r < rows; ++r) sql += (r == 0 ? "(" : ",(") + row_params + ")";
    // Without ids nothing can conflict, and the upsert clause costs.
    if (optional.id) sql += " ON CONFLICT(external_id) WHERE external_id IS NOT NULL DO NOTHING";
    return std::make_unique<PreparedStatement>(db, sql);
  };
  insert_one_ = statement(1);
  insert_many_ = statement(kRowsPerInsert);
  rows_.reserve(kRowsPerInsert);
}

TransactionLedgerWriter::~TransactionLedgerWriter() = default;

TransactionLedgerWriter::Row& TransactionLedgerWriter::next_row() {
  if (rows_.size() == kRowsPerInsert) flush();
  return rows_.emplace_back();
}

void TransactionLedgerWriter::add(int64_t customer, int64_t ts, int64_t amount_minor,
                                  int64_t quantity, std::string_view kind,
                                  const std::string_view (&texts)[kTextCount]) {
  Row& row = next_row();
  row = {customer, ts, amount_minor, quantity, kind, nullptr, {}, {}};
  for (int t = 0; t < kTextCount; ++t) {
    row.text_offset[t] = static_cast<uint32_t>(text_.size());
    row.text_length[t] = static_cast<uint32_t>(texts[t].size());
    text_.append(texts[t]);
  }
}

void TransactionLedgerWriter::add_in_place(int64_t customer, int64_t ts, int64_t amount_minor,
                                           int64_t quantity, std::string_view kind,
                                           const char* base,
                                           const uint32_t (&lengths)[kTextCount]) {
  Row& row = next_row();
  row = {customer, ts, amount_minor, quantity, kind, base, {}, {}};
  uint32_t offset = 0;
  for (int t = 0; t < kTextCount; ++t) {
    row.text_offset[t] = offset;
    row.text_length[t] = lengths[t];
    offset += lengths[t];
  }
}

void TransactionLedgerWriter::bind(PreparedStatement& s, int first, const Row& row) {
  const char* base = row.text_base != nullptr ? row.text_base : text_.data();
  auto text = [&](int t) {
    return std::string_view(base + row.text_offset[t], row.text_length[t]);
  };
  int at = first;
  for (const Column column : columns_) {
    switch (column) {
      case kColId:
        s.bind_text_or_null(at, text(kId));
        break;
      case kColCustomer:
        s.bind(at, row.customer);
        break;
      case kColTs:
        s.bind(at, row.ts);
        break;
      case kColAmount:
        s.bind(at, row.amount);
        break;
      case kColCurrency:
        s.bind_text_or_null(at, text(kCurrency));
        break;
      case kColKind:
        s.bind_text_or_null(at, row.kind);
        break;
      case kColQuantity:
        row.quantity >= 0 ? s.bind(at, row.quantity) : s.bind_null(at);
        break;
      case kColCategory:
        s.bind_text_or_null(at, text(kCategory));
        break;
      case kColChannel:
        s.bind_text_or_null(at, text(kChannel));
        break;
      case kColLocation:
        s.bind_text_or_null(at, text(kLocation));
        break;
      case kColFile:
        s.bind(at, file_id_);
        break;
    }
    ++at;
  }
}

void TransactionLedgerWriter::step_counted(PreparedStatement& s, uint64_t rows) {
  s.step();
  // Ids are unique within a file (the importer checks), so a row not
  // inserted is one already stored (ON CONFLICT DO NOTHING).
  const auto inserted = static_cast<uint64_t>(s.changes());
  inserted_ += inserted;
  duplicates_ += rows - inserted;
  s.reset();
}

void TransactionLedgerWriter::flush() {
  const int per_row = static_cast<int>(columns_.size());
  if (rows_.size() == kRowsPerInsert) {
    for (size_t r = 0; r < rows_.size(); ++r) {
      bind(*insert_many_, static_cast<int>(r) * per_row + 1, rows_[r]);
    }
    step_counted(*insert_many_, kRowsPerInsert);
  } else {
    for (const Row& row : rows_) {
      bind(*insert_one_, 1, row);
      step_counted(*insert_one_, 1);
    }
  }
  rows_.clear();
  text_.clear();
}

std::unordered_set<std::string> pending_transaction_ids(sqlite3* db) {
  PreparedStatement s(db,
                      "SELECT external_id FROM transactions_pending WHERE external_id IS NOT NULL");
  std::unordered_set<std::string> ids;
  while (s.step()) ids.emplace(s.column_text(0));
  return ids;
}

int64_t max_transaction_row(sqlite3* db) {
  PreparedStatement s(db, "SELECT COALESCE(MAX(id), 0) FROM transactions");
  return s.step() ? s.column_int64(0) : 0;
}

CustomerTimeIndexDrop::CustomerTimeIndexDrop(sqlite3* db) : db_(db) {
  {
    PreparedStatement s(db,
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
                        "name = 'transactions_by_customer_time'");
    if (s.step()) create_sql_ = std::string(s.column_text(0));
  }
  if (!create_sql_.empty())
    PreparedStatement(db, "DROP INDEX transactions_by_customer_time").step();
}

void CustomerTimeIndexDrop::restore() {
  if (create_sql_.empty()) return;
  PreparedStatement(db_, create_sql_).step();
  create_sql_.clear();
}

}  // namespace clv
