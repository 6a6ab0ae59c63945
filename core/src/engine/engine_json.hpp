// The JSON shapes shared by the HTTP service and the C API: ingest batches
// in, scores / runs / results out. Parsing is strict (wrong types and unknown
// fields are Error::invalid_argument naming the record and field) so a CRM's
// mistake is reported, never half-applied.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "clv/engine.hpp"

namespace clv {

// Records take every column of the entity's CSV import (entity_fields(),
// the same names, stored in the same columns) plus a few JSON-only
// spellings; any other field is an error naming it (a strict API: a typo
// such as "quantitiy" must not be dropped silently).
//
// {"transactions": [{"customer_id": "c1", "timestamp": "2024-05-01T10:00:00Z" | 1714557600,
//   "amount": 12.5 | "amount_minor": 1250, "currency": "USD", "kind": "purchase",
//   "id" | "transaction_id": "t-1", "quantity": 2, "category", "channel", "location",
//   "reference", "payer"}, ...]}; `max_records` bounds the batch (0 = no bound).
std::vector<TransactionRecord> transactions_from_json(const nlohmann::json& body,
                                                      size_t max_records);
// The same from the request text, without building a JSON tree (a SAX pass
// straight into records: ingest's parsing cost halves). Anything unusual -
// an error, an unknown field, a repeated amount - is handed to the tree-based
// parser above, so results and error messages are exactly its own.
std::vector<TransactionRecord> transactions_from_json_text(std::string_view text,
                                                           size_t max_records);
// {"incidents": [{"customer_id", "opened_at", "resolved_at", "severity", "satisfaction",
//   "category", "channel", "outcome", "id" | "incident_id", "employee_id" (an imported
//   employee), "compensation" (major units of "currency") | "compensation_minor",
//   "currency" (ISO 4217, default USD as the CSV import's)}, ...]}; a negative
//   compensation is refused as the CSV import rejects it.
std::vector<IncidentRecord> incidents_from_json(const nlohmann::json& body, size_t max_records);
// {"customers": [{"customer_id" | "id", "sector" (a loaded plugin's), "segment", "region",
//   "acquired_at", "attributes": {"name": "text", ...}}, ...]}
std::vector<CustomerDetails> customers_from_json(const nlohmann::json& body, size_t max_records);
// {"employees": [{"employee_id" | "id", "role", "location", "trust", "tact", "empathy",
//   "conformity", "focus", "flexibility" (numbers 0-10)}, ...]}
std::vector<EmployeeDetails> employees_from_json(const nlohmann::json& body, size_t max_records);

// Parses text; Error::invalid_argument with the parser's position when malformed.
nlohmann::json parse_json(std::string_view text);

// {"count_model", "time_unit", "horizon", "margin", "annual_discount_rate",
//  "observation_end", "fit_spend_model", "fit_threads"}; all optional.
EngineOptions engine_options_from_json(const nlohmann::json& j);

// A what-if request body: a scenario file in its JSON form without the file
// names of [run] ({"scenario": [{...}], "run": {"horizon", "margin",
// "discount_rate"}} with run optional) plus optional "draws" (0..1000) and
// "seed". Errors are Error::invalid_argument naming the line (syntax) or the
// JSON path and field (validation). `defaults` fill the run's horizon,
// margin and discount rate.
EngineWhatIf whatif_request_from_json(std::string_view text, const EngineOptions& defaults);

// The churn run's row, its drivers with their direction, and the engine's
// own score next to it (null without a fitted run).
nlohmann::json to_json(const CustomerChurnRisk& c, const EngineOptions& engine_options);

// A PostgreSQL run of the engine (Engine::pg_run) from a request in the form
// of pg_pipeline_options_from_json over the engine's defaults, answered with
// pg_pipeline_result_json (the JSON of `clv pg run --json`).
std::string pg_run_json(const Engine& engine, std::string_view request_json, int indent = -1);

nlohmann::json to_json(const CustomerScore& s);
// The same object as to_json(s) (bit-identical numbers), written directly: the hot path of
// single-customer scoring spends less on building a JSON tree than on maths.
std::string score_json_text(const CustomerScore& s);
nlohmann::json to_json(const RunInfo& r);
nlohmann::json to_json(const IngestResult& r);
nlohmann::json to_json(const EngineStats& s);

// Thrown by the parsers when a batch exceeds max_records; callers map it to
// HTTP 413 / CLV_TOO_LARGE.
struct BatchTooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace clv
