#include "engine/record_validation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "ingest/import_fields.hpp"
#include "ingest/row_parsers.hpp"
#include "ingest/text_validation.hpp"

namespace clv {
namespace {

// 1900-01-01 .. 2200-01-01: anything outside is a unit mix-up (ms, not s).
constexpr int64_t kMinTime = -2208988800;
constexpr int64_t kMaxTime = 7258118400;
constexpr size_t kMaxIdLength = 256;
// 10^15 minor units (10^13 of a two-decimal currency, the JSON amount's bound):
// far above any purchase, and thousands of them still sum inside int64.
constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;

[[noreturn]] void fail(size_t index, const std::string& what) {
  throw Error::invalid_argument(
      fmt::format("record {}: {}; nothing in this batch was stored", index, what));
}

void check_id(const std::string& id, size_t index, const char* field, bool required) {
  if (required && id.empty()) fail(index, fmt::format("{} is required", field));
  if (id.size() > kMaxIdLength) {
    fail(index, fmt::format("{} is longer than {} bytes", field, kMaxIdLength));
  }
}

void check_time(int64_t t, size_t index, const char* field) {
  if (t < kMinTime || t > kMaxTime) {
    fail(index, fmt::format("{} {} is outside 1900..2200; send UTC seconds since the epoch or "
                            "an ISO 8601 date",
                            field, t));
  }
}

void check_scale(const std::optional<int>& v, size_t index, const char* field) {
  if (v && (*v < 1 || *v > 5)) fail(index, fmt::format("{} must be 1..5, got {}", field, *v));
}

// A rule of the CSV import broken: the record, the field (the CSV column's
// name) and the importer's reason.
[[noreturn]] void refuse(size_t index, Entity entity, const RowReject& r) {
  const std::string_view field =
      r.field >= 0 ? entity_fields(entity)[static_cast<size_t>(r.field)] : "(record)";
  fail(index, fmt::format("field '{}': {}", field, r.reason));
}

// Stored text must be valid UTF-8 without NUL (it ends up in JSON): the
// importer's check and reason.
void check_text(std::string_view text, size_t index, std::string_view field) {
  size_t at = 0;
  const std::string_view problem = text_field_problem(text, at);
  if (!problem.empty()) {
    fail(index, fmt::format("field '{}': {} at byte {} of the field", field, problem, at + 1));
  }
}

}  // namespace

void validate_transaction(const TransactionRecord& r, size_t index) {
  check_id(r.customer_id, index, "customer_id", true);
  check_id(r.id, index, "id", false);
  check_time(r.timestamp, index, "timestamp");
  if (r.kind != "purchase" && r.kind != "return" && r.kind != "refund" &&
      r.kind != "cancellation") {
    fail(index,
         fmt::format("kind '{}' is not one of purchase, return, refund, cancellation", r.kind));
  }
  if (r.amount_minor > kMaxAmountMinor || r.amount_minor < -kMaxAmountMinor) {
    fail(index, fmt::format("amount_minor {} is out of range (at most 10^15 minor units)",
                            r.amount_minor));
  }
  if (r.kind == "purchase" && r.amount_minor < 0) {
    fail(index, "a purchase amount must be >= 0 (send returns as kind 'return')");
  }
  if (r.currency.size() != 3 || !std::all_of(r.currency.begin(), r.currency.end(),
                                             [](char c) { return c >= 'A' && c <= 'Z'; })) {
    fail(index, fmt::format("currency '{}' is not an ISO 4217 code such as USD", r.currency));
  }
  if (r.quantity && *r.quantity < 0) {  // the CSV import's rule
    fail(index, fmt::format("negative quantity {}", *r.quantity));
  }
}

void validate_incident(const IncidentRecord& r, size_t index) {
  check_id(r.customer_id, index, "customer_id", true);
  check_id(r.id, index, "id", false);
  check_time(r.opened_at, index, "opened_at");
  if (r.resolved_at) {
    check_time(*r.resolved_at, index, "resolved_at");
    if (*r.resolved_at < r.opened_at) fail(index, "resolved_at is before opened_at");
  }
  check_scale(r.severity, index, "severity");
  check_scale(r.satisfaction, index, "satisfaction");
  check_id(r.employee_id, index, "employee_id", false);
  if (r.compensation_minor &&
      (*r.compensation_minor > kMaxAmountMinor || *r.compensation_minor < -kMaxAmountMinor)) {
    fail(index, fmt::format("compensation_minor {} is out of range (at most 10^15 minor units)",
                            *r.compensation_minor));
  }
  if (r.compensation_minor) {
    if (auto bad = compensation_problem(*r.compensation_minor,
                                        fmt::format("{} minor units", *r.compensation_minor))) {
      refuse(index, Entity::kIncidents, *bad);
    }
  }
}

void validate_customer(const CustomerDetails& c, size_t index, std::string& attributes_json) {
  if (c.customer_id.empty()) refuse(index, Entity::kCustomers, {kCusId, "missing customer_id"});
  check_id(c.customer_id, index, "customer_id", true);
  const std::string_view fields[] = {c.customer_id, c.sector, c.segment, c.region};
  const size_t field_ids[] = {kCusId, kCusSector, kCusSegment, kCusRegion};
  for (size_t k = 0; k < 4; ++k) {
    check_text(fields[k], index, entity_fields(Entity::kCustomers)[field_ids[k]]);
  }
  if (c.acquired_at) check_time(*c.acquired_at, index, "acquired_at");
  // As the importer stores the CSV's free columns: a JSON object of the
  // non-empty ones, named like no customer field.
  nlohmann::json attributes = nlohmann::json::object();
  for (const auto& [name, value] : c.attributes) {
    check_text(name, index, "attributes");
    check_text(value, index, "attributes." + name);
    const auto& known = entity_fields(Entity::kCustomers);
    if (name.empty() || std::find(known.begin(), known.end(), name) != known.end()) {
      fail(index, fmt::format("attribute '{}' is not a free attribute name (a customer field "
                              "is given as the field itself)",
                              name));
    }
    if (attributes.contains(name)) fail(index, fmt::format("attribute '{}' is given twice", name));
    if (!value.empty()) attributes[name] = value;
  }
  attributes_json = attributes.dump();
}

void validate_employee(const EmployeeDetails& e, size_t index) {
  EmployeeRow row;
  row.id = e.employee_id;
  row.role = e.role;
  row.location = e.location;
  const std::optional<double>* scores[6] = {&e.trust,      &e.tact,  &e.empathy,
                                            &e.conformity, &e.focus, &e.flexibility};
  std::string texts[6];
  std::string_view views[6];
  for (int k = 0; k < 6; ++k) {
    row.scores[k] = *scores[k];
    if (row.scores[k]) texts[k] = fmt::format("{}", *row.scores[k]);
    views[k] = texts[k];
  }
  if (auto bad = employee_problem(row, views)) refuse(index, Entity::kEmployees, *bad);
  check_id(e.employee_id, index, "employee_id", true);
  const std::string_view fields[] = {e.employee_id, e.role, e.location};
  for (size_t k = 0; k < 3; ++k) {
    check_text(fields[k], index, entity_fields(Entity::kEmployees)[k]);
  }
}

}  // namespace clv
