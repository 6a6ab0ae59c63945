#include "store/customer_repository.hpp"

#include "clv/import_sectors.hpp"
#include "store/database_access.hpp"
#include "store/prepared_statement.hpp"

namespace clv {

void for_each_customer(
    sqlite3* db, bool with_sector,
    const std::function<void(int64_t, std::string_view, std::string_view)>& row) {
  PreparedStatement select(db, with_sector ? "SELECT id, external_id, sector FROM customers"
                                           : "SELECT id, external_id FROM customers");
  while (select.step()) {
    row(select.column_int64(0), select.column_text(1),
        with_sector ? select.column_text(2) : std::string_view());
  }
}

bool any_customer_has_sector(sqlite3* db) {
  PreparedStatement s(db,
                      "SELECT EXISTS(SELECT 1 FROM customers WHERE sector IS NOT NULL AND "
                      "sector <> '')");
  return s.step() && s.column_int64(0) != 0;
}

CustomerCreator::CustomerCreator(sqlite3* db)
    : insert_(std::make_unique<PreparedStatement>(
          db, "INSERT INTO customers(external_id, sector) VALUES (?, ?)")) {}

CustomerCreator::~CustomerCreator() = default;

int64_t CustomerCreator::create(std::string_view external_id, std::string_view sector) {
  insert_->bind_text_or_null(1, external_id);
  insert_->bind_text_or_null(2, sector);
  insert_->step();
  insert_->reset();
  return insert_->last_insert_rowid();
}

CustomerWriter::CustomerWriter(sqlite3* db)
    : db_(db),
      upsert_(std::make_unique<PreparedStatement>(
          db,
          "INSERT INTO customers(external_id, sector, segment, region, acquired_at, attributes) "
          "VALUES (?,?,?,?,?,?) ON CONFLICT(external_id) DO UPDATE SET "
          "sector = COALESCE(customers.sector, excluded.sector), "
          "segment = COALESCE(customers.segment, excluded.segment), "
          "region = COALESCE(customers.region, excluded.region), "
          "acquired_at = COALESCE(customers.acquired_at, excluded.acquired_at), "
          "attributes = CASE WHEN customers.attributes = '{}' THEN excluded.attributes "
          "ELSE customers.attributes END "
          "WHERE (customers.sector IS NULL AND excluded.sector IS NOT NULL) "
          "OR (customers.segment IS NULL AND excluded.segment IS NOT NULL) "
          "OR (customers.region IS NULL AND excluded.region IS NOT NULL) "
          "OR (customers.acquired_at IS NULL AND excluded.acquired_at IS NOT NULL) "
          "OR (customers.attributes = '{}' AND excluded.attributes <> '{}')")) {}

CustomerWriter::~CustomerWriter() = default;

CustomerWrite CustomerWriter::write(const CustomerRecord& c) {
  PreparedStatement& s = *upsert_;
  s.bind_text_or_null(1, c.external_id);
  s.bind_text_or_null(2, c.sector);
  s.bind_text_or_null(3, c.segment);
  s.bind_text_or_null(4, c.region);
  c.acquired_at ? s.bind(5, *c.acquired_at) : s.bind_null(5);
  s.bind_text_or_null(6, c.attributes_json);
  // An upsert that changed a row without inserting one filled in a stored
  // customer: the connection's last insert rowid stays as it was set.
  sqlite3_set_last_insert_rowid(db_, 0);  // row ids start at 1
  s.step();
  CustomerWrite outcome = CustomerWrite::kUnchanged;
  if (s.changes() > 0) {
    outcome = s.last_insert_rowid() != 0 ? CustomerWrite::kInserted : CustomerWrite::kUpdated;
  }
  s.reset();
  return outcome;
}

std::map<std::string, uint64_t> transaction_customers_by_sector(Database& db) {
  PreparedStatement select(sqlite_of(db).getHandle(),
                           "SELECT COALESCE(c.sector, ''), COUNT(*) FROM customers c WHERE "
                           "EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id) "
                           "GROUP BY 1");
  std::map<std::string, uint64_t> out;
  while (select.step()) {
    out[std::string(select.column_text(0))] = static_cast<uint64_t>(select.column_int64(1));
  }
  return out;
}

std::unordered_map<std::string, std::string> customer_sectors(Database& db) {
  PreparedStatement select(sqlite_of(db).getHandle(),
                           "SELECT external_id, COALESCE(sector, '') FROM customers");
  std::unordered_map<std::string, std::string> out;
  while (select.step()) out.emplace(select.column_text(0), select.column_text(1));
  return out;
}

int64_t CustomerWriter::last_inserted_id() const {
  return sqlite3_last_insert_rowid(db_);
}

}  // namespace clv
