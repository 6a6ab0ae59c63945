// The HTML report of a fitted run (clv report, clv whatif --report): fills
// clv::ReportData from the summary, the fits, customer attributes, an
// optional holdout, an optional purchase history (transactions by day) and
// optional what-if results, then renders it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/report.hpp"
#include "clv/rfm_data.hpp"
#include "clv/summarize.hpp"
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

// A cohort's purchases by day: all the tracking chart (actual vs expected
// repeat purchases per period, Fader, Hardie & Lee 2005, figure 2) needs.
// The cohort is the summary's: customers whose first purchase is on or
// before the calibration end. As in the summary, purchases on one day count
// once per customer and returns, refunds and cancellations do not count.
struct PurchaseHistory {
  int64_t first_day = 0;  // days since 1970-01-01 of index 0: the cohort's first purchase
  int64_t calibration_end_day = 0;
  int64_t end_day = 0;  // last observed day: the holdout end, else the calibration end
  TimeUnit unit;
  std::vector<double> births;   // [d]: customers whose first purchase is on first_day + d
  std::vector<double> repeats;  // [d]: the cohort's repeat purchase days on first_day + d
  uint64_t rows_rejected = 0;   // malformed file rows left out (see first_reject)
  std::string first_reject;     // "line N: reason" of the first one
  std::string source;           // file path or "sqlite:<path>"
};

// Streams a transaction file (same format and --map fields as `clv summary`:
// customer_id, timestamp, optional amount and kind). Malformed rows are
// counted in rows_rejected, not used. Throws clv::Error: not_found/io for the
// file, invalid_argument for a bad mapping or when no customer's first
// purchase is on or before the calibration end.
PurchaseHistory read_purchase_history(const std::string& path, const TransactionFileFormat& format,
                                      const SummaryPeriod& period);
// The same from the engine's database (the transactions table).
PurchaseHistory read_purchase_history_database(const std::string& db_path,
                                               const SummaryPeriod& period);

// E[X(t)]: expected repeat purchases of one customer in the first t time
// units after their first purchase.
using ExpectedRepeatPurchases = std::function<double(double)>;

// Actual and expected repeat purchases per period, summed over the cohort:
// expected cumulative at the end of period k is sum_i E[X(end_k - birth_i)].
// Period k covers days [first_day + floor((k-1) u), first_day + floor(k u))
// for a unit of u days, except that the period around the calibration end
// is split there and the last one ends on end_day. Values are per period
// (cumulative = false); x is the period end in units since first_day.
PurchasesOverTime track_purchases(const PurchaseHistory& history,
                                  const ExpectedRepeatPurchases& expected);
// The same with a fitted continuous-time count model's E[X(t)] (bgnbd,
// mbgnbd, pnbd). Throws Error::invalid_argument for other models or when the
// fit's time unit differs from the history's.
PurchasesOverTime track_purchases(const PurchaseHistory& history, const FitResult& count_model);

// A churn run stored by `clv churn` (covariate Pareto/NBD): its dropout
// coefficients, the drivers of churn risk, and every customer's churn risk.
struct StoredChurnRun {
  int64_t id = 0;
  std::string model;  // "pnbd_cov", ...
  double horizon = 0;
  std::vector<std::string> covariates;  // one per dropout coefficient
  std::vector<double> dropout_effect;   // log dropout-rate change per standard deviation
  std::vector<double> dropout_std_error;
  std::vector<std::string> customer;  // external ids
  std::vector<double> churn_risk;     // P(dead by T + horizon), same order
};

// Reads run `run_id` (the latest churn run when run_id <= 0) from the
// database. Throws Error::not_found when there is no such run or database.
StoredChurnRun read_churn_run(const std::string& db_path, int64_t run_id = 0);

struct RunReportInputs {
  const RfmData* data = nullptr;  // required
  const CustomerAttributes* attributes = nullptr;
  const FitResult* count_model = nullptr;  // required
  const FitResult* spend_model = nullptr;  // gg, for CLV
  const HoldoutColumns* holdout = nullptr;
  const WhatIfResult* whatif = nullptr;
  const PurchaseHistory* history = nullptr;   // for the purchases-per-period charts
  const StoredChurnRun* churn_run = nullptr;  // churn risk and drivers from `clv churn`
  double horizon = 52;
  double margin = 1.0;
  double annual_discount_rate = 0;
  std::string data_source;
  std::string currency;
  const ServiceSection* service = nullptr;  // guest tracking (clv service); optional
};

ReportData build_run_report(const RunReportInputs& inputs);
void write_run_report(const RunReportInputs& inputs, const std::string& path);

}  // namespace clv
