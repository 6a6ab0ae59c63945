#include "store/employee_repository.hpp"

#include "store/prepared_statement.hpp"

namespace clv {

void for_each_employee(sqlite3* db, const std::function<void(int64_t, std::string_view)>& row) {
  PreparedStatement select(db, "SELECT id, external_id FROM employees");
  while (select.step()) row(select.column_int64(0), select.column_text(1));
}

EmployeeWriter::EmployeeWriter(sqlite3* db)
    : insert_(std::make_unique<PreparedStatement>(
          db,
          "INSERT INTO employees(external_id, role, location, trust, tact, empathy, conformity, "
          "focus, flexibility) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(external_id) DO NOTHING")) {}

EmployeeWriter::~EmployeeWriter() = default;

bool EmployeeWriter::insert(const EmployeeRecord& e) {
  PreparedStatement& s = *insert_;
  s.bind_text_or_null(1, e.external_id);
  s.bind_text_or_null(2, e.role);
  s.bind_text_or_null(3, e.location);
  for (int k = 0; k < 6; ++k) e.scores[k] ? s.bind(4 + k, *e.scores[k]) : s.bind_null(4 + k);
  s.step();
  const bool inserted = s.changes() > 0;
  s.reset();
  return inserted;
}

}  // namespace clv
