// summarize_json: the JSON face of summarize_transaction_text.
#include "clv/summary_request.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

using nlohmann::json;

const json* field(const json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string text_field(const json& j, const char* key) {
  const json* v = field(j, key);
  if (!v || !v->is_string()) {
    throw Error::invalid_argument(fmt::format("summary request: \"{}\" must be a string", key));
  }
  return v->get<std::string>();
}

int64_t day_field(const json& j, const char* key) {
  const std::string text = text_field(j, key);
  int64_t seconds = 0;
  if (!parse_timestamp(text, seconds)) {
    throw Error::invalid_argument(
        fmt::format("summary request: \"{}\" '{}' is not a date: use YYYY-MM-DD", key, text));
  }
  return day_of(seconds);
}

bool flag(const json& j, const char* key, bool fallback) {
  const json* v = field(j, key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    throw Error::invalid_argument(
        fmt::format("summary request: \"{}\" must be true or false", key));
  }
  return v->get<bool>();
}

}  // namespace

std::string summarize_json(std::string_view request_json) {
  json j;
  try {
    j = json::parse(request_json);
  } catch (const json::exception& e) {
    throw Error::invalid_argument(fmt::format("summary request is not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) throw Error::invalid_argument("summary request must be a JSON object");
  static constexpr std::string_view kKnown[] = {
      "transactions", "calibration_end", "holdout_end",     "unit",
      "format",       "has_header",      "amount_in_cents", "map"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(std::begin(kKnown), std::end(kKnown), it.key()) == std::end(kKnown)) {
      throw Error::invalid_argument(fmt::format(
          "summary request: unknown field \"{}\" (known: transactions, calibration_end, "
          "holdout_end, unit, format, has_header, amount_in_cents, map)",
          it.key()));
    }
  }
  const std::string transactions = text_field(j, "transactions");
  SummaryPeriod period;
  period.calibration_end_day = day_field(j, "calibration_end");
  if (field(j, "holdout_end")) period.holdout_end_day = day_field(j, "holdout_end");
  if (field(j, "unit")) period.unit = TimeUnit::parse(text_field(j, "unit"));
  TransactionFileFormat format;
  const std::string kind = field(j, "format") ? text_field(j, "format") : "csv";
  if (kind == "whitespace") {
    format.whitespace = true;
  } else if (kind == "tsv") {
    format.delimiter = '\t';
  } else if (kind == "semicolon") {
    format.delimiter = ';';
  } else if (kind != "csv") {
    throw Error::invalid_argument(fmt::format(
        "summary request: unknown format '{}': use csv, tsv, semicolon or whitespace", kind));
  }
  format.has_header = flag(j, "has_header", true);
  if (flag(j, "amount_in_cents", false)) format.amount_divisor = 100.0;
  if (const json* map = field(j, "map")) {
    if (!map->is_object()) {
      throw Error::invalid_argument(
          "summary request: \"map\" must be an object {\"customer_id\": \"Id\", ...}");
    }
    for (auto it = map->begin(); it != map->end(); ++it) {
      if (!it->is_string()) {
        throw Error::invalid_argument(
            fmt::format("summary request: map.{} must be a column name or number", it.key()));
      }
      format.field_map.emplace_back(it.key(), it->get<std::string>());
    }
  }
  const CustomerSummary s = summarize_transaction_text(transactions, format, period);

  nlohmann::ordered_json out;
  out["time_unit"] = period.unit.name;
  out["time_unit_days"] = period.unit.days;
  out["calibration_end"] = format_date(period.calibration_end_day);
  out["holdout_end"] = period.holdout_end_day
                           ? nlohmann::ordered_json(format_date(*period.holdout_end_day))
                           : nlohmann::ordered_json(nullptr);
  const bool amounts = !s.monetary_value.empty() || s.size() == 0;
  out["has_amounts"] = amounts;
  const auto& d = s.diagnostics;
  out["rows"] = {{"read", d.rows_read},
                 {"used", d.rows_used},
                 {"not_purchase", d.rows_not_purchase},
                 {"after_end", d.rows_after_end},
                 {"rejected", d.rows_rejected}};
  auto rejects = nlohmann::ordered_json::array();
  for (const auto& r : d.first_rejects) {
    rejects.push_back({{"line", r.line}, {"reason", r.reason}});
  }
  out["first_rejects"] = std::move(rejects);
  auto customers = nlohmann::ordered_json::array();
  for (size_t i = 0; i < s.size(); ++i) {
    nlohmann::ordered_json c;
    c["id"] = std::string(s.ids[i]);
    c["frequency"] = s.frequency[i];
    c["recency"] = s.recency[i];
    c["T"] = s.T[i];
    if (amounts) c["monetary_value"] = s.monetary_value[i];
    if (s.has_holdout()) {
      c["frequency_holdout"] = s.frequency_holdout[i];
      if (amounts) c["monetary_value_holdout"] = s.monetary_value_holdout[i];
    }
    customers.push_back(std::move(c));
  }
  out["customers"] = std::move(customers);
  if (s.has_holdout()) out["duration_holdout"] = s.duration_holdout;
  return out.dump();
}

}  // namespace clv
