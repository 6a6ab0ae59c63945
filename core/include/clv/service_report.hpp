// The service breakdown of a database: the stored covariate fit, its
// customers' records, home sites and spend, and the literature figures;
// and its JSON, shared by `clv service` and the report.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clv/report.hpp"
#include "clv/service_breakdown.hpp"

namespace clv {

struct ServiceReport {
  ServiceBreakdown breakdown;
  ServiceFigures figures;
  int64_t fit_run = 0;
  std::string calibration_end, time_unit;
  size_t customers = 0;
  WordOfMouth word_of_mouth;
};

// What one prospect won or lost through each customer (ids in the report's
// order) is worth, and where the values come from.
struct ProspectValues {
  std::vector<double> values;
  std::string source;
};
using ProspectValueSource = std::function<ProspectValues(const std::vector<std::string>& ids)>;

// Throws Error::not_found when the database holds no covariate fit.
// Word of mouth: `wom.value_per_prospect` when set, else `prospect_values`
// (run_service_report: the customers' sectors' referral values), else 0.
ServiceReport build_service_report(const std::string& db_path, int64_t fit_run, ServiceKey key,
                                   double horizon, const WordOfMouthAssumptions& wom = {},
                                   const ProspectValueSource& prospect_values = {});

std::string service_report_json(const ServiceReport& report);

// The word-of-mouth block in one sentence, with its assumptions (the text
// of `clv service` and the report's figures).
std::string word_of_mouth_text(const WordOfMouth& w);

// The word-of-mouth block of the report's service section: the same figures
// as word_of_mouth_text, with each assumption stated and how to change it.
ServiceWordOfMouth word_of_mouth_block(const WordOfMouth& w);

// The report's "Service by ..." section: the groups as ranked, the figures in
// words and the word-of-mouth block.
ServiceSection service_report_section(const ServiceReport& report);

}  // namespace clv
