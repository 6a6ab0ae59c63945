// The service breakdown as every front end asks for it: `clv service`,
// Engine::service_report, the C API (clv_service_report_json) and HTTP (GET
// /v1/service) build a ServiceReportRequest and call run_service_report on
// the database; service_report_json (clv/service_report.hpp) is the answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "clv/service_breakdown.hpp"
#include "clv/service_report.hpp"

namespace clv {

struct ServiceReportRequest {
  ServiceKey key = ServiceKey::kLocation;  // location, department, employee, region
  int64_t run = 0;                         // the covariate fit run; 0 = the latest
  double horizon = 0;                      // in the fit's time unit; > 0
};

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
