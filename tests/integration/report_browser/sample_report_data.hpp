// A complete ReportData built from a simulated BG/NBD customer base with the
// CDNOW parameters published by Fader, Hardie & Lee (2005): what the report
// of a real run looks like, without needing the fitting engine.
#pragma once

#include "clv/report.hpp"

namespace clv::testing {

ReportData sample_report_data();

}  // namespace clv::testing
