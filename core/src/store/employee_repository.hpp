// The employees table as the importer uses it: the stored ids (incidents
// name the employee who handled them) and new employee rows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <sqlite3.h>

namespace clv {

class PreparedStatement;

// Calls `row` for every employee: row id and external id.
void for_each_employee(sqlite3* db, const std::function<void(int64_t, std::string_view)>& row);

struct EmployeeRecord {
  std::string_view external_id, role, location;
  // trust, tact, empathy, conformity, focus, flexibility (0-10); nullopt = unknown
  std::optional<double> scores[6];
};

class EmployeeWriter {
 public:
  explicit EmployeeWriter(sqlite3* db);
  ~EmployeeWriter();
  // False when the id was already stored (a duplicate; nothing changes).
  bool insert(const EmployeeRecord& e);

 private:
  std::unique_ptr<PreparedStatement> insert_;
};

}  // namespace clv
