// Checks a ReportData before anything is drawn, so that inconsistent input
// fails loudly with the section and field named instead of producing a
// misleading chart.
#pragma once

#include "clv/report.hpp"

namespace clv::report {

// Throws Error::invalid_argument describing the first problem found.
void validate_report_data(const ReportData& data);

}  // namespace clv::report
