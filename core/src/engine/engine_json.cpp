#include "engine/engine_json.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "clv/scenario.hpp"
#include "domain/calendar.hpp"
#include "domain/json_nesting.hpp"
#include "engine/fast_transaction_json.hpp"
#include "engine/transaction_amount.hpp"
#include "ingest/money.hpp"
#include "ingest/row_parsers.hpp"

namespace clv {
namespace {

using nlohmann::json;

[[noreturn]] void fail(size_t index, std::string_view field, std::string_view what) {
  throw Error::invalid_argument(fmt::format(
      "record {}: field '{}' {}; nothing in this batch was stored", index, field, what));
}

const json& records_of(const json& body, const char* key, size_t max_records) {
  const json* list = &body;
  if (body.is_object()) {
    auto it = body.find(key);
    if (it == body.end() || body.size() != 1) {
      throw Error::invalid_argument(
          fmt::format("the body must be {{\"{}\": [ ... ]}} (or a bare array)", key));
    }
    list = &*it;
  }
  if (!list->is_array()) {
    throw Error::invalid_argument(fmt::format("'{}' must be an array of records", key));
  }
  if (max_records && list->size() > max_records) {
    throw BatchTooLarge(fmt::format("batch of {} records exceeds the limit of {}; split it",
                                    list->size(), max_records));
  }
  return *list;
}

std::string string_field(const json& v, size_t index, std::string_view field) {
  if (!v.is_string()) fail(index, field, "must be a string");
  return v.get<std::string>();
}

// An integer that int64 holds: a larger unsigned one would wrap to a negative.
int64_t int64_of(const json& v, size_t index, std::string_view field) {
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    fail(index, field, fmt::format("{} is out of range", v.get<uint64_t>()));
  }
  return v.get<int64_t>();
}

int64_t time_field(const json& v, size_t index, std::string_view field) {
  if (v.is_number_integer()) return int64_of(v, index, field);
  if (v.is_string()) {
    int64_t seconds = 0;
    if (parse_timestamp(v.get_ref<const std::string&>(), seconds)) return seconds;
    fail(index, field, "is not an ISO 8601 date or date-time");
  }
  fail(index, field, "must be UTC seconds (integer) or an ISO 8601 string");
}

int int_field(const json& v, size_t index, std::string_view field) {
  if (!v.is_number_integer()) fail(index, field, "must be an integer");
  const int64_t n = int64_of(v, index, field);
  if (n < -1000000 || n > 1000000) fail(index, field, "is out of range");
  return static_cast<int>(n);
}

// The fields a record takes: every column of the entity's CSV import (so
// the two cannot drift: a new column must be handled here or the
// engine_json test that feeds every entity_fields() name fails), plus the
// JSON-only spellings.
std::string known_fields(Entity entity, std::string_view json_only) {
  return fmt::format("{}, {}", fmt::join(entity_fields(entity), ", "), json_only);
}

[[noreturn]] void unknown_field(size_t index, std::string_view key, Entity entity,
                                std::string_view json_only) {
  const char* what = "an incident";
  if (entity == Entity::kTransactions) what = "a transaction";
  if (entity == Entity::kCustomers) what = "a customer";
  if (entity == Entity::kEmployees) what = "an employee";
  fail(index, key,
       fmt::format("is not {} field (known: {})", what, known_fields(entity, json_only)));
}

// "id" or the CSV's "transaction_id" / "incident_id"; not both.
void set_id(std::string& id, bool& has_id, const json& v, size_t index, std::string_view key) {
  if (has_id) fail(index, key, "repeats the record's id (give either id or the CSV's name)");
  id = string_field(v, index, key);
  has_id = true;
}

constexpr std::string_view kTxnJsonOnly = "id (= transaction_id), amount_minor";
constexpr std::string_view kIncJsonOnly =
    "id (= incident_id), compensation_minor, currency (of the compensation)";
constexpr std::string_view kCusJsonOnly = "id (= customer_id), attributes";
constexpr std::string_view kEmpJsonOnly = "id (= employee_id)";

// A RowReject of the importer's rules, as this file's errors name a field.
[[noreturn]] void refuse(size_t index, std::string_view key, const RowReject& r) {
  fail(index, key, r.reason);
}

}  // namespace

json parse_json(std::string_view text) {
  check_json_nesting(text);  // before a tree of any depth is built (and walked)
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error::invalid_argument(fmt::format("the body is not valid JSON: {}", e.what()));
  }
}

std::vector<TransactionRecord> transactions_from_json(const json& body, size_t max_records) {
  const json& list = records_of(body, "transactions", max_records);
  std::vector<TransactionRecord> out(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& r = list[i];
    if (!r.is_object()) fail(i, "(record)", "must be an object");
    TransactionRecord& t = out[i];
    bool has_time = false, has_amount = false, has_id = false;
    std::optional<double> major;  // converted once the currency is known
    for (const auto& [key, v] : r.items()) {
      if (key == "customer_id") {
        t.customer_id = string_field(v, i, key);
      } else if (key == "timestamp") {
        t.timestamp = time_field(v, i, key);
        has_time = true;
      } else if (key == "amount_minor") {
        if (!v.is_number_integer() || has_amount) {
          fail(i, key, "must be an integer (cents) and not given together with amount");
        }
        t.amount_minor = int64_of(v, i, key);
        has_amount = true;
      } else if (key == "amount") {
        if (!v.is_number() || has_amount) {
          fail(i, key, "must be a number (major units) and not given together with amount_minor");
        }
        const double a = v.get<double>();
        if (!std::isfinite(a)) fail(i, key, "is out of range");
        major = a;
        has_amount = true;
      } else if (key == "currency") {
        t.currency = string_field(v, i, key);
      } else if (key == "kind") {
        t.kind = string_field(v, i, key);
      } else if (key == "id" || key == "transaction_id") {
        set_id(t.id, has_id, v, i, key);
      } else if (key == "reference") {
        t.reference = string_field(v, i, key);
      } else if (key == "payer") {
        t.payer = string_field(v, i, key);
      } else if (key == "quantity") {
        if (!v.is_number_integer()) fail(i, key, "must be a whole number");
        t.quantity = int64_of(v, i, key);
      } else if (key == "category") {
        t.category = string_field(v, i, key);
      } else if (key == "channel") {
        t.channel = string_field(v, i, key);
      } else if (key == "location") {
        t.location = string_field(v, i, key);
      } else {
        unknown_field(i, key, Entity::kTransactions, kTxnJsonOnly);
      }
    }
    if (t.customer_id.empty()) fail(i, "customer_id", "is required");
    if (!has_time) fail(i, "timestamp", "is required");
    if (!has_amount) fail(i, "amount", "(or amount_minor) is required");
    if (major) {
      std::string problem;
      const std::optional<int64_t> minor = minor_units_of(*major, t.currency, &problem);
      if (!minor) fail(i, "amount", problem);
      t.amount_minor = *minor;
    }
  }
  return out;
}

std::vector<TransactionRecord> transactions_from_json_text(std::string_view text,
                                                           size_t max_records) {
  // The fast path gives up on anything unusual; the strict path then gives
  // the answer and the error message.
  if (auto fast = parse_transactions_fast(text, max_records)) return std::move(*fast);
  return transactions_from_json(parse_json(text), max_records);
}

std::vector<IncidentRecord> incidents_from_json(const json& body, size_t max_records) {
  const json& list = records_of(body, "incidents", max_records);
  std::vector<IncidentRecord> out(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& r = list[i];
    if (!r.is_object()) fail(i, "(record)", "must be an object");
    IncidentRecord& n = out[i];
    bool has_time = false, has_id = false, has_compensation = false;
    // The compensation's currency: the CSV import's default (USD) unless
    // the record names one; its ISO 4217 decimals convert "compensation".
    std::string currency = "USD";
    std::optional<double> major;
    std::string compensation_key;
    for (const auto& [key, v] : r.items()) {
      if (key == "customer_id") {
        n.customer_id = string_field(v, i, key);
      } else if (key == "opened_at") {
        n.opened_at = time_field(v, i, key);
        has_time = true;
      } else if (key == "resolved_at") {
        if (!v.is_null()) n.resolved_at = time_field(v, i, key);
      } else if (key == "severity") {
        n.severity = int_field(v, i, key);
      } else if (key == "satisfaction") {
        n.satisfaction = int_field(v, i, key);
      } else if (key == "category") {
        n.category = string_field(v, i, key);
      } else if (key == "channel") {
        n.channel = string_field(v, i, key);
      } else if (key == "outcome") {
        n.outcome = string_field(v, i, key);
      } else if (key == "id" || key == "incident_id") {
        set_id(n.id, has_id, v, i, key);
      } else if (key == "employee_id") {
        n.employee_id = string_field(v, i, key);
      } else if (key == "compensation" || key == "compensation_minor") {
        if (has_compensation) fail(i, key, "is given twice (compensation or compensation_minor)");
        has_compensation = true;
        if (v.is_null()) continue;
        compensation_key = key;
        if (key == "compensation_minor") {
          if (!v.is_number_integer()) fail(i, key, "must be an integer (minor units)");
          n.compensation_minor = int64_of(v, i, key);
          if (auto bad = compensation_problem(*n.compensation_minor, v.dump())) {
            refuse(i, key, *bad);
          }
        } else {
          // Major units of the record's currency, converted once it is known.
          if (!v.is_number()) fail(i, key, "must be a number (major units of the currency)");
          major = v.get<double>();
        }
      } else if (key == "currency") {
        currency = string_field(v, i, key);
        if (const std::string problem = currency_problem(currency); !problem.empty()) {
          fail(i, key, problem);
        }
      } else {
        unknown_field(i, key, Entity::kIncidents, kIncJsonOnly);
      }
    }
    if (n.customer_id.empty()) fail(i, "customer_id", "is required");
    if (!has_time) fail(i, "opened_at", "is required");
    if (major) {
      // The importer's rules: the currency's decimals, and never negative.
      std::string problem;
      const std::optional<int64_t> minor = minor_units_of(*major, currency, &problem);
      if (!minor) fail(i, compensation_key, problem);
      if (auto bad = compensation_problem(*minor, fmt::format("{}", *major))) {
        refuse(i, compensation_key, *bad);
      }
      n.compensation_minor = *minor;
    }
  }
  return out;
}

std::vector<CustomerDetails> customers_from_json(const json& body, size_t max_records) {
  const json& list = records_of(body, "customers", max_records);
  std::vector<CustomerDetails> out(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& r = list[i];
    if (!r.is_object()) fail(i, "(record)", "must be an object");
    CustomerDetails& c = out[i];
    bool has_id = false;
    for (const auto& [key, v] : r.items()) {
      if (key == "customer_id" || key == "id") {
        set_id(c.customer_id, has_id, v, i, key);
      } else if (key == "sector") {
        c.sector = string_field(v, i, key);
      } else if (key == "segment") {
        c.segment = string_field(v, i, key);
      } else if (key == "region") {
        c.region = string_field(v, i, key);
      } else if (key == "acquired_at") {
        if (!v.is_null()) c.acquired_at = time_field(v, i, key);
      } else if (key == "attributes") {
        if (!v.is_object()) fail(i, key, "must be an object of text values");
        for (const auto& [name, value] : v.items()) {
          if (!value.is_string()) fail(i, "attributes." + name, "must be a string");
          c.attributes.emplace_back(name, value.get<std::string>());
        }
      } else {
        unknown_field(i, key, Entity::kCustomers, kCusJsonOnly);
      }
    }
    if (!has_id) fail(i, "customer_id", "is required");
  }
  return out;
}

std::vector<EmployeeDetails> employees_from_json(const json& body, size_t max_records) {
  const json& list = records_of(body, "employees", max_records);
  std::vector<EmployeeDetails> out(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& r = list[i];
    if (!r.is_object()) fail(i, "(record)", "must be an object");
    EmployeeDetails& e = out[i];
    std::optional<double>* scores[6] = {&e.trust,      &e.tact,  &e.empathy,
                                        &e.conformity, &e.focus, &e.flexibility};
    bool has_id = false;
    for (const auto& [key, v] : r.items()) {
      if (key == "employee_id" || key == "id") {
        set_id(e.employee_id, has_id, v, i, key);
      } else if (key == "role") {
        e.role = string_field(v, i, key);
      } else if (key == "location") {
        e.location = string_field(v, i, key);
      } else if (const auto* name =
                     std::find_if(std::begin(kEmployeeScoreNames), std::end(kEmployeeScoreNames),
                                  [&name_key = key](const char* n) { return name_key == n; });
                 name != std::end(kEmployeeScoreNames)) {
        if (v.is_null()) continue;
        if (!v.is_number()) fail(i, key, "must be a number 0-10");
        *scores[name - std::begin(kEmployeeScoreNames)] = v.get<double>();
      } else {
        unknown_field(i, key, Entity::kEmployees, kEmpJsonOnly);
      }
    }
    if (!has_id) fail(i, "employee_id", "is required");
  }
  return out;
}

EngineOptions engine_options_from_json(const json& j) {
  EngineOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error::invalid_argument("options must be a JSON object");
  auto number = [](const json& v, const std::string& key) {
    if (!v.is_number()) {
      throw Error::invalid_argument(fmt::format("option '{}' must be a number", key));
    }
    return v.get<double>();
  };
  for (const auto& [key, v] : j.items()) {
    if (key == "count_model" && v.is_string()) {
      o.count_model = v.get<std::string>();
    } else if (key == "time_unit" && v.is_string()) {
      o.time_unit = TimeUnit::parse(v.get<std::string>());
    } else if (key == "horizon") {
      o.horizon = number(v, key);
    } else if (key == "margin") {
      o.margin = number(v, key);
    } else if (key == "annual_discount_rate") {
      o.annual_discount_rate = number(v, key);
    } else if (key == "cost_to_serve") {
      o.cost_to_serve = number(v, key);
    } else if (key == "referral_value") {
      o.referral_value = number(v, key);
    } else if (key == "use_plugins" && v.is_boolean()) {
      o.use_plugins = v.get<bool>();
    } else if (key == "plugin_dirs" && v.is_array() &&
               std::all_of(v.begin(), v.end(), [](const json& d) { return d.is_string(); })) {
      o.plugin_dirs = v.get<std::vector<std::string>>();
    } else if (key == "fit_spend_model" && v.is_boolean()) {
      o.fit_spend_model = v.get<bool>();
    } else if (key == "fit_threads" && v.is_number_integer()) {
      o.fit_threads = v.get<int>();
    } else if (key == "merge_pending_rows" && v.is_number_unsigned()) {
      o.merge_pending_rows = v.get<size_t>();
    } else if (key == "pg_source" && v.is_string()) {
      o.pg_source = v.get<std::string>();
    } else if (key == "pg_source_file" && v.is_string()) {
      o.pg_source = read_conninfo_file(v.get<std::string>());
    } else if (key == "pg_mapping" && v.is_string()) {
      o.pg_mapping = v.get<std::string>();
    } else if (key == "observation_end" && v.is_string()) {
      int64_t seconds = 0;
      if (!parse_timestamp(v.get_ref<const std::string&>(), seconds)) {
        throw Error::invalid_argument("option 'observation_end' is not an ISO 8601 date");
      }
      o.observation_end_day = day_of(seconds);
    } else {
      throw Error::invalid_argument(fmt::format(
          "unknown option or wrong type: '{}' (known: count_model, time_unit, horizon, margin, "
          "annual_discount_rate, cost_to_serve, referral_value, plugin_dirs, use_plugins, "
          "observation_end, fit_spend_model, fit_threads, merge_pending_rows, pg_source, "
          "pg_source_file, pg_mapping)",
          key));
    }
  }
  return o;
}

EngineWhatIf whatif_request_from_json(std::string_view text, const EngineOptions& defaults) {
  constexpr const char* kSource = "what-if body";
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    const size_t offset = std::min<size_t>(e.byte, text.size());
    const long line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
    throw Error::invalid_argument(
        fmt::format("{}:{}: the body is not valid JSON: {}", kSource, line, e.what()));
  }
  if (!j.is_object()) {
    throw Error::invalid_argument(
        "the body must be a scenario object: {\"scenario\": [{\"name\": ..., \"target\": ..., "
        "<levers>}], \"run\": {\"horizon\": ...}, \"draws\": 200, \"seed\": 1}");
  }
  // The body's own fields, named as the client sent them (a top-level
  // "sector" belongs in run.sector; files' [run] names are not fields here).
  static const std::set<std::string> kBody = {"scenario", "run", "draws", "seed", "covariate_fit"};
  for (const auto& [key, v] : j.items()) {
    if (kBody.count(key)) continue;
    const bool run_field =
        key == "horizon" || key == "margin" || key == "discount_rate" || key == "sector";
    throw Error::invalid_argument(fmt::format(
        "what-if body: \"{}\" is not a field of the body (fields: scenario, run, draws, seed, "
        "covariate_fit){}",
        key, run_field ? fmt::format("; {} goes inside \"run\": {{\"{}\": ...}}", key, key) : ""));
  }
  EngineWhatIf request;
  if (auto it = j.find("draws"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1000) {
      throw Error::invalid_argument(
          "what-if body: draws must be an integer in 0..1000 (0 = point estimates)");
    }
    request.draws = it->get<int>();
    j.erase(it);
  }
  if (auto it = j.find("seed"); it != j.end()) {
    if (!it->is_number_unsigned()) {
      throw Error::invalid_argument("what-if body: seed must be a non-negative integer");
    }
    request.seed = it->get<unsigned long long>();
    j.erase(it);
  }
  if (auto it = j.find("covariate_fit"); it != j.end()) {
    if (!it->is_object()) {
      throw Error::invalid_argument(
          "what-if body: covariate_fit must be the JSON object `clv fit --covariates --db --out` "
          "writes");
    }
    request.covariate_fit = it->dump();
    j.erase(it);
  }
  // [run] names files for `clv whatif`; here the engine's current run is the
  // input, so only its valuation settings may be given.
  json run = {{"summary", "(engine)"},
              {"count_params", "(engine)"},
              {"spend_params", "(engine)"},
              {"horizon", defaults.horizon}};
  if (auto it = j.find("run"); it != j.end()) {
    if (!it->is_object()) {
      throw Error::invalid_argument(
          "what-if body: \"run\" must be an object, e.g. {\"horizon\": 52, \"sector\": "
          "\"retail\"}");
    }
    for (const auto& [key, v] : it->items()) {
      if (key == "summary" || key == "count_params" || key == "spend_params" ||
          key == "customers" || key == "db") {
        throw Error::invalid_argument(fmt::format(
            "what-if body: run.{} names a file; over the engine the current run's customers and "
            "fits are used: remove it (run takes only horizon, margin, discount_rate, sector; a "
            "covariate fit goes in the body's \"covariate_fit\")",
            key));
      }
      if (key != "horizon" && key != "margin" && key != "discount_rate" && key != "sector") {
        throw Error::invalid_argument(
            fmt::format("what-if body: run.{} is not a field of \"run\" (fields: horizon, margin, "
                        "discount_rate, sector)",
                        key));
      }
      run[key] = v;  // the scenario parser validates names, types and ranges
    }
  }
  j["run"] = std::move(run);
  const ScenarioFile file = parse_scenario_text(j.dump(), kSource, ScenarioSyntax::request_body);
  request.scenarios = file.scenarios;
  request.horizon = file.run.horizon;
  // Unset: the engine's options, else the sector plugin's economics.
  if (file.run.margin_given) request.margin = file.run.margin;
  if (file.run.discount_rate_given) request.annual_discount_rate = file.run.annual_discount_rate;
  request.sector = file.run.sector;
  return request;
}

json to_json(const CustomerChurnRisk& c, const EngineOptions& engine_options) {
  json drivers = json::array();
  for (const ChurnDriver& d : c.drivers) {
    drivers.push_back({{"covariate", d.covariate},
                       {"effect", d.effect},
                       {"direction", d.effect > 0   ? "raises_risk"
                                     : d.effect < 0 ? "lowers_risk"
                                                    : "none"}});
  }
  json j = {{"customer_id", c.customer_id},
            {"churn_risk", c.churn_risk},
            {"risk_band", c.risk_band},
            {"p_alive", c.p_alive},
            {"expected_purchases", c.expected_purchases},
            {"horizon", c.horizon},
            {"drivers", std::move(drivers)},
            {"churn_run",
             {{"id", c.churn_run_id},
              {"model", c.model},
              {"created_at", format_timestamp(c.created_at)},
              {"source", c.source},
              {"horizon", c.horizon}}}};
  const json unit = c.time_unit.empty() ? json(nullptr) : json(c.time_unit);
  j["time_unit"] = unit;
  j["churn_run"]["time_unit"] = unit;
  if (c.engine_score) {
    const CustomerScore& s = *c.engine_score;
    j["engine"] = {{"run_id", s.run_id},
                   {"p_alive", s.p_alive},
                   {"expected_purchases", s.expected_purchases},
                   {"horizon", engine_options.horizon},
                   {"time_unit", engine_options.time_unit.name}};
  } else {
    j["engine"] = nullptr;
  }
  return j;
}

std::string pg_run_json(const Engine& engine, std::string_view request_json, int indent) {
  const bool have_end = engine.options().observation_end_day.has_value();
  const PgPipelineOptions request =
      pg_pipeline_options_from_json(request_json, engine.pg_run_defaults(), have_end);
  const PgPipelineResult result = engine.pg_run(request);
  return pg_pipeline_result_json(result, engine.options().pg_source, engine.pg_mapping(), request,
                                 indent);
}

json to_json(const CustomerScore& s) {
  json j = {{"customer_id", s.customer_id},
            {"frequency", s.frequency},
            {"recency", s.recency},
            {"T", s.T},
            {"monetary_value", s.monetary},
            {"historical_value", s.historical_value},
            {"p_alive", s.p_alive},
            {"expected_purchases", s.expected_purchases},
            {"incidents", s.incidents},
            {"run_id", s.run_id},
            {"sector", s.sector}};
  j["expected_spend"] = s.expected_spend ? json(*s.expected_spend) : json(nullptr);
  j["clv"] = s.clv ? json(*s.clv) : json(nullptr);
  return j;
}

namespace {

// A double as nlohmann writes it: shortest round trip, ".0" on integers.
void append_number(fmt::memory_buffer& out, double v) {
  const size_t start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", v);
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] == '.' || out[i] == 'e') return;
  }
  out.append(std::string_view(".0"));
}

void append_field(fmt::memory_buffer& out, std::string_view key, double v) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
  append_number(out, v);
}

void append_optional(fmt::memory_buffer& out, std::string_view key, std::optional<double> v) {
  if (v) {
    append_field(out, key, *v);
  } else {
    fmt::format_to(std::back_inserter(out), ",\"{}\":null", key);
  }
}

}  // namespace

std::string score_json_text(const CustomerScore& s) {
  // Keys in nlohmann's (sorted) order, like to_json(s).dump().
  fmt::memory_buffer out;
  out.append(std::string_view("{\"T\":"));
  append_number(out, s.T);
  if (s.clv) {
    append_field(out, "clv", *s.clv);
  } else {
    out.append(std::string_view(",\"clv\":null"));
  }
  out.append(std::string_view(",\"customer_id\":"));
  out.append(json(s.customer_id).dump());  // escaping and UTF-8 checks as to_json
  append_field(out, "expected_purchases", s.expected_purchases);
  append_optional(out, "expected_spend", s.expected_spend);
  append_field(out, "frequency", s.frequency);
  append_field(out, "historical_value", s.historical_value);
  fmt::format_to(std::back_inserter(out), ",\"incidents\":{}", s.incidents);
  append_field(out, "monetary_value", s.monetary);
  append_field(out, "p_alive", s.p_alive);
  append_field(out, "recency", s.recency);
  fmt::format_to(std::back_inserter(out), ",\"run_id\":{},\"sector\":", s.run_id);
  out.append(json(s.sector).dump());
  out.push_back('}');
  return fmt::to_string(out);
}

json to_json(const RunInfo& r) {
  json j = {{"id", r.id},
            {"created_at", format_timestamp(r.created_at)},
            {"count_model", r.count_model},
            {"count_fit", json::parse(r.count_fit_json)},
            {"observation_end", format_date(r.observation_end_day)},
            {"n_customers", r.n_customers},
            {"n_transactions", r.n_transactions},
            {"max_transaction_row", r.max_transaction_row}};
  j["spend_fit"] = r.spend_fit_json.empty() ? json(nullptr) : json::parse(r.spend_fit_json);
  return j;
}

json to_json(const IngestResult& r) {
  return {{"inserted", r.inserted},
          {"updated", r.updated},
          {"duplicates", r.duplicates},
          {"new_customers", r.new_customers},
          {"normalized_away", r.normalized_away}};
}

json to_json(const EngineStats& s) {
  json j = {{"customers", s.customers},
            {"customers_with_purchases", s.customers_with_purchases},
            {"scorable_customers", s.scorable_customers},
            {"customers_in_fit", s.customers_in_fit},
            {"transactions", s.transactions},
            {"incidents", s.incidents}};
  j["run_id"] = s.run_id ? json(*s.run_id) : json(nullptr);
  j["observation_end"] =
      s.customers_with_purchases ? json(format_date(s.observation_end_day)) : json(nullptr);
  return j;
}

}  // namespace clv
