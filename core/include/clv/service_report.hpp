// The service breakdown of a database: the stored covariate fit, its
// customers' records, home sites and spend, and the literature figures;
// and its JSON, shared by `clv service` and the report.
#pragma once

#include <cstdint>
#include <string>

#include "clv/report.hpp"
#include "clv/service_breakdown.hpp"

namespace clv {

struct ServiceReport {
  ServiceBreakdown breakdown;
  ServiceFigures figures;
  int64_t fit_run = 0;
  std::string calibration_end, time_unit;
  size_t customers = 0;
};

// Throws Error::not_found when the database holds no covariate fit.
ServiceReport build_service_report(const std::string& db_path, int64_t fit_run, ServiceKey key,
                                   double horizon);

std::string service_report_json(const ServiceReport& report);

// The report's "Service by ..." section: the groups as ranked, the figures in words.
ServiceSection service_report_section(const ServiceReport& report);

}  // namespace clv
