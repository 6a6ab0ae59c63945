#include "engine/record_validation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "clv/error.hpp"

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
}

}  // namespace clv
