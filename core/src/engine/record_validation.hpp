// Checks of one ingested record, done for a whole batch before anything is
// stored, so a bad record rejects the batch and changes nothing.
#pragma once

#include <cstddef>
#include <string>

#include "clv/engine.hpp"

namespace clv {

// Throw Error::invalid_argument naming the record index and field.
void validate_transaction(const TransactionRecord& r, size_t index);
void validate_incident(const IncidentRecord& r, size_t index);
// With the CSV import's row rules (ingest/row_parsers: employee_problem, the
// customer's), its UTF-8 / NUL check of every text field and, as for the
// other records, ids of at most 256 bytes. `attributes_json` receives the
// customer's attributes as the importer stores them.
void validate_customer(const CustomerDetails& c, size_t index, std::string& attributes_json);
void validate_employee(const EmployeeDetails& e, size_t index);

}  // namespace clv
