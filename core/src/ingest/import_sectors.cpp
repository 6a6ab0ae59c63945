#include "clv/import_sectors.hpp"

#include "store/database_access.hpp"
#include "store/prepared_statement.hpp"

namespace clv {

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

}  // namespace clv
