// The customers table as the importer uses it: read every customer once,
// create customers that transactions and incidents name, and write customer
// rows (filling in the empty attributes of customers created that way).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <sqlite3.h>

namespace clv {

class PreparedStatement;

// Calls `row` for every customer: row id, external id, sector ("" = none).
// Without `with_sector` the sector is always "" (one column less to read).
void for_each_customer(sqlite3* db, bool with_sector,
                       const std::function<void(int64_t, std::string_view, std::string_view)>& row);

// True when some stored customer has a non-empty sector.
bool any_customer_has_sector(sqlite3* db);

// Creates customers known only by id (and the import's default sector).
class CustomerCreator {
 public:
  explicit CustomerCreator(sqlite3* db);
  ~CustomerCreator();
  // The new customer's row id.
  int64_t create(std::string_view external_id, std::string_view sector);

 private:
  std::unique_ptr<PreparedStatement> insert_;
};

struct CustomerRecord {
  std::string_view external_id, sector, segment, region;  // empty = unknown
  std::optional<int64_t> acquired_at;
  std::string_view attributes_json;  // an object, "{}" when none
};

enum class CustomerWrite { kInserted, kUpdated, kUnchanged };

// Inserts a customer, or fills in the attributes a stored one lacks (NULL
// sector/segment/region/acquired_at, "{}" attributes); never overwrites a
// stored value. kUnchanged: stored with nothing to fill in (a duplicate).
class CustomerWriter {
 public:
  explicit CustomerWriter(sqlite3* db);
  ~CustomerWriter();
  CustomerWrite write(const CustomerRecord& c);
  // Row id of the customer the last write inserted (after kInserted).
  int64_t last_inserted_id() const;

 private:
  sqlite3* db_;
  std::unique_ptr<PreparedStatement> upsert_;
};

}  // namespace clv
