// run_service_report and the request's JSON and text forms.
#include "clv/service_run.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/request_json.hpp"
#include "clv/error.hpp"

namespace clv {
namespace {

constexpr const char* kWhat = "service request";

[[noreturn]] void bad_field(std::string_view field, std::string_view rule) {
  throw Error::invalid_argument(fmt::format("{}: \"{}\" {}", kWhat, field, rule));
}

void check_horizon(double horizon) {
  if (!(horizon > 0) || !std::isfinite(horizon)) {
    bad_field("horizon", "must be a positive number of time units (the fit's unit)");
  }
}

ServiceKey key_of(const std::string& by) {
  try {
    return parse_service_key(by);
  } catch (const Error& e) {
    bad_field("by", e.what());
  }
}

}  // namespace

ServiceReport run_service_report(const std::string& db_path, const ServiceReportRequest& request) {
  check_horizon(request.horizon);
  if (request.run < 0) bad_field("run", "must be a run id (0 = the latest covariate fit)");
  // A mistyped path must not leave a new empty database behind (opening creates).
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(
        fmt::format("no database at '{}' (import data first: clv import)", db_path));
  }
  return build_service_report(db_path, request.run, request.key, request.horizon);
}

ServiceReportRequest service_request_from_json(std::string_view text) {
  using nlohmann::json;
  const json j = parse_request_json(text, kWhat);
  if (!j.is_object()) {
    throw Error::invalid_argument(fmt::format(
        "{} must be a JSON object, e.g. {{\"by\": \"location\", \"horizon\": 26}}", kWhat));
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "by" && it.key() != "run" && it.key() != "horizon") {
      bad_field(it.key(), "is not a field (known: by, run, horizon)");
    }
  }
  ServiceReportRequest r;
  if (const auto it = j.find("by"); it != j.end()) {
    if (!it->is_string()) bad_field("by", "must be location, department, employee or region");
    r.key = key_of(it->get<std::string>());
  }
  if (const auto it = j.find("run"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      bad_field("run", "must be a run id (0 = the latest covariate fit)");
    }
    r.run = it->get<int64_t>();
  }
  const auto horizon = j.find("horizon");
  if (horizon == j.end()) bad_field("horizon", "is required (a positive number of time units)");
  if (!horizon->is_number()) bad_field("horizon", "must be a positive number of time units");
  r.horizon = horizon->get<double>();
  check_horizon(r.horizon);
  return r;
}

ServiceReportRequest service_request_from_text(std::string_view by, std::string_view run,
                                               std::string_view horizon) {
  ServiceReportRequest r;
  if (!by.empty()) r.key = key_of(std::string(by));
  if (!run.empty()) {
    const auto [end, ec] = std::from_chars(run.data(), run.data() + run.size(), r.run);
    if (ec != std::errc() || end != run.data() + run.size() || r.run < 0) {
      bad_field("run", "must be a run id (0 = the latest covariate fit)");
    }
  }
  if (horizon.empty()) bad_field("horizon", "is required (a positive number of time units)");
  const auto [end, ec] =
      std::from_chars(horizon.data(), horizon.data() + horizon.size(), r.horizon);
  if (ec != std::errc() || end != horizon.data() + horizon.size()) {
    bad_field("horizon", fmt::format("'{}' is not a number", horizon));
  }
  check_horizon(r.horizon);
  return r;
}

}  // namespace clv
