// The HTML report of a fitted run (clv report, clv whatif --report): fills
// clv::ReportData from the summary, the fits, customer attributes, an
// optional holdout and optional what-if results, then renders it.
#pragma once

#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/report.hpp"
#include "clv/rfm_data.hpp"
#include "clv/whatif.hpp"
#include "clv/whatif_result.hpp"

namespace clv {

// Holdout purchases per summary row (frequency_holdout) and the holdout
// length (duration_holdout), as written by `clv summary` with a holdout.
struct HoldoutColumns {
  std::vector<double> purchases;
  double duration = 0;
};

// Reads frequency_holdout/duration_holdout from a summary CSV; empty
// purchases when the file has no holdout columns.
HoldoutColumns read_holdout_columns(const std::string& summary_path);

struct RunReportInputs {
  const RfmData* data = nullptr;  // required
  const CustomerAttributes* attributes = nullptr;
  const FitResult* count_model = nullptr;  // required
  const FitResult* spend_model = nullptr;  // gg, for CLV
  const HoldoutColumns* holdout = nullptr;
  const WhatIfResult* whatif = nullptr;
  double horizon = 52;
  double margin = 1.0;
  double annual_discount_rate = 0;
  std::string data_source;
  std::string currency;
};

ReportData build_run_report(const RunReportInputs& inputs);
void write_run_report(const RunReportInputs& inputs, const std::string& path);

}  // namespace clv
