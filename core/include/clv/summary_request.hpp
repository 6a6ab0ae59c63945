// A customer summary of transaction text sent as JSON: what the C API
// (clv_summarize_json) and HTTP (POST /v1/summary) call, with the rules of
// `clv summary --transactions` (clv/summarize.hpp). The amount column is
// optional: without one the customers carry no monetary_value.
//
// Request: {"transactions": "<CSV text>", "calibration_end": "YYYY-MM-DD",
//   "holdout_end": "YYYY-MM-DD", "unit": "week", "format": "csv" | "tsv" |
//   "semicolon" | "whitespace", "has_header": true, "amount_in_cents": false,
//   "map": {"customer_id": "Id", "timestamp": "Date", "amount": "Price"}};
//   only "transactions" and "calibration_end" are required.
// Response: {"time_unit", "time_unit_days", "calibration_end", "holdout_end",
//   "has_amounts", "rows": {"read", "used", "not_purchase", "after_end",
//   "rejected"}, "first_rejects": [{"line", "reason"}], "customers": [{"id",
//   "frequency", "recency", "T"[, "monetary_value"][, "frequency_holdout"
//   [, "monetary_value_holdout"]]}], "duration_holdout"}.
#pragma once

#include <string>
#include <string_view>

namespace clv {

// Throws Error::invalid_argument naming the bad field or mapping.
std::string summarize_json(std::string_view request_json);

}  // namespace clv
