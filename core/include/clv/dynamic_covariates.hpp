// Pareto/NBD with time-varying covariates from files, as CLVTools takes them
// (apparelTrans + apparelDynCov): a transaction file and a covariate file with
// one row per customer per period (id, period start date, one column per
// covariate). The per-customer summaries and purchase times follow the summary
// rules (purchases on one day count once; T runs to the calibration end).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clv/churn.hpp"
#include "clv/time_unit.hpp"

namespace clv {

struct DynamicCovariateFiles {
  std::string transactions;  // CSV with a header
  std::string transaction_id_column = "customer_id";
  std::string transaction_date_column = "timestamp";
  std::string covariates;  // CSV with a header: one row per customer per period
  std::string covariate_id_column = "Id";
  std::string covariate_date_column = "Date";  // start of the period
  std::vector<std::string> covariate_columns;  // empty: every other column
  int64_t calibration_end_day = 0;             // days since 1970-01-01, inclusive
  TimeUnit unit = TimeUnit::week();
};

struct DynamicCovariateData {
  std::vector<std::string> ids;  // customers with a purchase up to the calibration end
  std::vector<double> x, t_x, T;
  std::vector<std::string> names;  // covariates, in column order
  std::vector<CustomerCovariateSeries> series;
  size_t covariate_rows = 0;        // rows read from the covariate file
  size_t periods_before_first = 0;  // rows dropped: periods ending before a first purchase
};

// Reads both files. Throws Error::not_found/io for a file and
// Error::invalid_argument naming the file, line and reason for a bad row, a
// missing column, a customer without covariates, or covariates that start
// after the customer's first purchase.
DynamicCovariateData read_dynamic_covariate_files(const DynamicCovariateFiles& files);

}  // namespace clv
