// The shapes every front end shares for a PostgreSQL run: the connection
// string read from a file, the request as JSON (C API, HTTP) and the result
// as JSON (`clv pg run --json`, C API, HTTP), so all three print the same
// numbers from the same run_pg_pipeline.
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/postgres.hpp"

namespace clv {
namespace {

using json = nlohmann::json;

int64_t day_from_text(const std::string& text, const char* field) {
  int64_t seconds = 0;
  if (!parse_timestamp(text, seconds)) {
    throw Error::invalid_argument(
        fmt::format("{} '{}' is not a date: use YYYY-MM-DD, e.g. 2026-06-30", field, text));
  }
  return day_of(seconds);
}

json transfer_json(const PgTransfer& t) {
  return {{"bytes_received", t.bytes_received},
          {"rows_received", t.rows_received},
          {"bytes_sent", t.bytes_sent},
          {"rows_sent", t.rows_sent}};
}

}  // namespace

std::string read_conninfo_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    throw Error::not_found(
        fmt::format("cannot read a connection string from '{}' (its first line)", path));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

PgPipelineOptions pg_pipeline_options_from_json(std::string_view text,
                                                const PgPipelineOptions& defaults,
                                                bool defaults_have_calibration_end) {
  json j;
  try {
    j = text.empty() ? json::object() : json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error::invalid_argument(fmt::format("the request is not JSON: {}", e.what()));
  }
  if (!j.is_object()) throw Error::invalid_argument("the request must be a JSON object");
  PgPipelineOptions o = defaults;
  bool have_end = defaults_have_calibration_end;
  auto number = [](const json& v, const std::string& key) {
    if (!v.is_number()) throw Error::invalid_argument(fmt::format("'{}' must be a number", key));
    return v.get<double>();
  };
  auto text_of = [](const json& v, const std::string& key) {
    if (!v.is_string()) throw Error::invalid_argument(fmt::format("'{}' must be a string", key));
    return v.get<std::string>();
  };
  for (const auto& [key, v] : j.items()) {
    if (key == "calibration_end") {
      o.period.calibration_end_day = day_from_text(text_of(v, key), "calibration_end");
      have_end = true;
    } else if (key == "holdout_end") {
      if (v.is_null()) {
        o.period.holdout_end_day.reset();
      } else {
        o.period.holdout_end_day = day_from_text(text_of(v, key), "holdout_end");
      }
    } else if (key == "unit") {
      o.period.unit = TimeUnit::parse(text_of(v, key));
    } else if (key == "model") {
      o.count_model = text_of(v, key);
    } else if (key == "horizon") {
      o.score.horizon = number(v, key);
    } else if (key == "margin") {
      o.score.margin = number(v, key);
    } else if (key == "discount_rate") {
      o.score.annual_discount_rate = number(v, key);
    } else if (key == "run_id") {
      o.run_id = text_of(v, key);
    } else if (key == "spend_model") {
      if (!v.is_boolean()) throw Error::invalid_argument("'spend_model' must be true or false");
      o.fit_spend_model = v.get<bool>();
    } else if (key == "threads") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        throw Error::invalid_argument("'threads' must be a whole number >= 0");
      }
      o.fit_threads = v.get<int>();
    } else {
      throw Error::invalid_argument(fmt::format(
          "unknown field '{}' (known: calibration_end, holdout_end, unit, model, horizon, margin, "
          "discount_rate, run_id, spend_model, threads; the connection string and mapping are "
          "the engine's options pg_source and pg_mapping)",
          key));
    }
  }
  if (!have_end) {
    throw Error::invalid_argument(
        "'calibration_end' is required (YYYY-MM-DD): the last day of the calibration period");
  }
  return o;
}

std::string pg_pipeline_result_json(const PgPipelineResult& r, const std::string& conninfo,
                                    const PgMapping& m, const PgPipelineOptions& o, int indent) {
  const auto& d = r.diagnostics;
  json j = {
      {"source", "postgresql:" + redact_conninfo(conninfo)},
      {"mapping", m.source},
      {"run_id", r.run_id},
      {"scores_table", m.scores_table},
      {"time_unit", o.period.unit.name},
      {"calibration_end", format_date(o.period.calibration_end_day)},
      {"histogram_rows", r.histogram_rows},
      {"customers_scored", r.customers_scored},
      {"customers_not_scored", r.customers_not_scored},
      {"count_fit", json::parse(fit_result_to_json_text(r.count_fit))},
      {"spend_fit",
       r.spend_fit ? json::parse(fit_result_to_json_text(*r.spend_fit)) : json(nullptr)},
      {"rows",
       {{"read", d.rows_read},
        {"used", d.rows_used},
        {"not_purchase", d.rows_not_purchase},
        {"after_end", d.rows_after_end},
        {"rejected", d.rows_rejected}}},
      {"transfer", transfer_json(r.transfer)},
      {"seconds",
       {{"histogram", r.seconds_histogram},
        {"fit", r.seconds_fit},
        {"summary", r.seconds_summary},
        {"score", r.seconds_score},
        {"write", r.seconds_write}}},
  };
  return j.dump(indent);
}

}  // namespace clv
