#include "store/incident_repository.hpp"

#include "store/prepared_statement.hpp"

namespace clv {

IncidentWriter::IncidentWriter(sqlite3* db)
    : insert_(std::make_unique<PreparedStatement>(
          db,
          "INSERT INTO incidents(external_id, customer_id, opened_at, resolved_at, severity, "
          "category, channel, outcome, satisfaction, employee_id, compensation_minor, file_id) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(external_id) WHERE external_id IS NOT NULL "
          "DO NOTHING")) {}

IncidentWriter::~IncidentWriter() = default;

bool IncidentWriter::insert(const ImportedIncidentRow& r) {
  PreparedStatement& s = *insert_;
  auto optional = [&](int index, const std::optional<int64_t>& v) {
    v ? s.bind(index, *v) : s.bind_null(index);
  };
  s.bind_text_or_null(1, r.external_id);
  s.bind(2, r.customer_row);
  s.bind(3, r.opened_at);
  optional(4, r.resolved_at);
  optional(5, r.severity);
  s.bind_text_or_null(6, r.category);
  s.bind_text_or_null(7, r.channel);
  s.bind_text_or_null(8, r.outcome);
  optional(9, r.satisfaction);
  optional(10, r.employee_row);
  optional(11, r.compensation_minor);
  s.bind(12, r.file_id);
  s.step();
  const bool inserted = s.changes() > 0;
  s.reset();
  return inserted;
}

}  // namespace clv
