// Does a fitted purchase-count model describe the data it was fitted to?
// Maximum likelihood always "converges" to something; this compares what the
// model expects with what happened, so a badly fitting model says so.
#pragma once

#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/rfm_data.hpp"

namespace clv {

struct FitCheck {
  bool supported = false;  // pnbd, bgnbd and mbgnbd; other models are not checked
  // Repeat purchases in the calibration period: actual sum of x, and the
  // model's sum over customers of E[X(T_i)] (a new customer observed T_i).
  double actual_repeat = 0, expected_repeat = 0;
  // Share of customers without a repeat purchase: actual and P(X(T_i) = 0).
  double actual_zero_share = 0, expected_zero_share = 0;
  // With a holdout: purchases in it, actual and the conditional expectation.
  bool has_holdout = false;
  double actual_holdout = 0, expected_holdout = 0;
  double tolerance = 0.15;  // relative gap on the totals, and 0.1 on the zero share
  bool misfit = false;
  std::vector<std::string> warnings;  // what is off and its likely causes
};

// `holdout_purchases` (per customer) and `holdout_length` (in the fit's time
// unit) are optional. Throws Error::invalid_argument for mismatched sizes.
FitCheck check_fit(const FitResult& fit, const RfmData& data,
                   const std::vector<double>& holdout_purchases = {}, double holdout_length = 0,
                   double tolerance = 0.15);

// The check as `clv fit --json` prints it under "fit_check" and the churn
// result (`clv churn --json`, POST /v1/churn/fit, clv_churn_fit_json) under
// "fit_check": {"actual_repeat_purchases", "expected_repeat_purchases",
// "actual_no_repeat_share", "expected_no_repeat_share", "tolerance",
// "misfit", "warnings"} plus "actual_holdout_purchases" and
// "expected_holdout_purchases" with a holdout. A compact JSON object; "null"
// for an unsupported check.
std::string fit_check_json(const FitCheck& check);

// The check as `clv fit` and `clv churn` print it: "fit check: repeat
// purchases actual N, model M; ... -> ok|MISFIT" and one "warning: ..." line
// per warning, each line ending in '\n'. Empty for an unsupported check.
std::string fit_check_text(const FitCheck& check);

}  // namespace clv
