// Row parsers: one CSV record of an entity into typed values, or the reason
// it cannot be stored. Pure functions of the record and the column layout;
// lookups (customers, employees) and writes are the importer's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/column_layout.hpp"
#include "ingest/csv_reader.hpp"
#include "ingest/import_fields.hpp"

namespace clv {

class IdIndex;

struct TransactionRow {
  std::string_view id, customer, currency, kind, category, channel, location;
  int64_t ts = 0, amount = 0, quantity = -1;  // amount in minor units; quantity -1: none
  std::string_view reference, payer;          // only for sector plugins
  int exponent = 2;                           // minor-unit digits of `currency`
};

struct MoneyDefaults {
  std::string_view currency = "USD";  // when the file has no currency column
  int exponent = 2;
};

// `customers`, when given, gets a prefetch of the customer id early, so the
// lookup after parsing finds it in cache.
std::optional<RowReject> parse_transaction_row(const ColumnLayout& layout, const CsvRecord& r,
                                               const MoneyDefaults& money, const IdIndex* customers,
                                               TransactionRow& v);

struct IncidentRow {
  std::string_view id, customer, employee, category, channel, outcome;
  int64_t opened = 0;
  std::optional<int64_t> resolved, severity, satisfaction, compensation_minor;
};
std::optional<RowReject> parse_incident_row(const ColumnLayout& layout, const CsvRecord& r,
                                            const MoneyDefaults& money, IncidentRow& v);
// The compensation rule once the amount is read (the CSV import and the
// Engine's JSON / C++ ingest apply it alike): money given to a customer is
// >= 0. `text` is how the amount was written, for the reason.
std::optional<RowReject> compensation_problem(int64_t minor, std::string_view text);

struct CustomerRow {
  std::string_view id, sector, segment, region;
  std::optional<int64_t> acquired_at;
  std::string attributes_json;  // the columns no field uses, as a JSON object
};
std::optional<RowReject> parse_customer_row(const ColumnLayout& layout, const CsvRecord& r,
                                            CustomerRow& v);

struct EmployeeRow {
  std::string_view id, role, location;
  std::optional<double> scores[6];
};
std::optional<RowReject> parse_employee_row(const ColumnLayout& layout, const CsvRecord& r,
                                            EmployeeRow& v);
// The rules of an employee row once its numbers are read, shared by the CSV
// import and the Engine's ingest_employees (HTTP, C API): an id, and each
// behaviour score in 0..10. `score_texts[k]` is how score k was written.
std::optional<RowReject> employee_problem(const EmployeeRow& v,
                                          const std::string_view (&score_texts)[6]);
// The names of the six behaviour scores (trust, tact, ... flexibility).
extern const char* const kEmployeeScoreNames[6];

}  // namespace clv
