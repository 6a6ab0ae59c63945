// The incidents table as the importer writes it. ImportedIncidentRow is not
// clv::IncidentRecord (the Engine's public ingest type): one name, one layout.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <sqlite3.h>

namespace clv {

class PreparedStatement;

struct ImportedIncidentRow {
  std::string_view external_id;  // empty: none
  int64_t customer_row = 0;
  int64_t opened_at = 0;
  std::optional<int64_t> resolved_at, severity, satisfaction, employee_row, compensation_minor;
  std::string_view category, channel, outcome;
  int64_t file_id = 0;
};

class IncidentWriter {
 public:
  explicit IncidentWriter(sqlite3* db);
  ~IncidentWriter();
  // False when the external id was already stored (a duplicate).
  bool insert(const ImportedIncidentRow& r);

 private:
  std::unique_ptr<PreparedStatement> insert_;
};

}  // namespace clv
