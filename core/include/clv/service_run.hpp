// The service breakdown as every front end asks for it: `clv service`,
// Engine::service_report, the C API (clv_service_report_json) and HTTP (GET
// /v1/service) build a ServiceReportRequest and call run_service_report on
// the database; service_report_json (clv/service_report.hpp) is the answer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "clv/service_breakdown.hpp"
#include "clv/service_report.hpp"

namespace clv {

class PluginRegistry;

struct ServiceReportRequest {
  ServiceKey key = ServiceKey::kLocation;  // location, department, employee, region
  int64_t run = 0;                         // the covariate fit run; 0 = the latest
  double horizon = 0;                      // in the fit's time unit; > 0
  // Word of mouth (clv/service_breakdown.hpp): the literature's assumptions,
  // editable; without value_per_prospect each customer's sector referral
  // value from `plugins` (null: none loaded, the value is 0).
  WordOfMouthAssumptions word_of_mouth;
  const PluginRegistry* plugins = nullptr;
};

// The word-of-mouth fields (request JSON "word_of_mouth": {...}, HTTP query
// parameters wom_<field>, `clv service --wom-<field>`): told_satisfied_low,
// told_satisfied_high, told_unhappy, conversion, satisfied_min_satisfaction,
// unhappy_max_satisfaction, value_per_prospect. Error::invalid_argument for
// an unknown field.
void set_word_of_mouth_field(WordOfMouthAssumptions& a, std::string_view field, double value);

// HTTP: reads every wom_<field> parameter `param` returns (nullopt = absent)
// into the request's word-of-mouth assumptions; Error::invalid_argument
// naming the parameter when it is not a number.
void word_of_mouth_from_text(
    ServiceReportRequest& request,
    const std::function<std::optional<std::string>(const std::string& name)>& param);

// Checks the request (Error::invalid_argument for a horizon that is not a
// positive number) and builds the report from the stored covariate fit.
// Error::not_found when the database holds no covariate fit (or not `run`).
ServiceReport run_service_report(const std::string& db_path, const ServiceReportRequest& request);

// {"by": "location", "run": 0, "horizon": 26}: horizon required, the others
// optional. Throws Error::invalid_argument naming the field.
ServiceReportRequest service_request_from_json(std::string_view text);

// The request from text values (HTTP query parameters): by may be empty
// (location), run empty (latest); horizon is required. Throws
// Error::invalid_argument naming the parameter.
ServiceReportRequest service_request_from_text(std::string_view by, std::string_view run,
                                               std::string_view horizon);

}  // namespace clv
