// Customer covariates from the engine database: each summary customer's
// service incidents (with the handling employee's behaviour profile) up to
// the calibration end, in the summary's time unit from the customer's first
// purchase, weighted by the rules of the customer's sector plugin; and
// static columns of the customers table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clv/covariates.hpp"
#include "clv/progress.hpp"
#include "clv/time_unit.hpp"

namespace clv {

// "incidents,staff,static:segment,static:income" as given to --covariates;
// single incident/staff columns too ("unresolved,satisfaction,empathy").
struct CovariateSpec {
  bool incidents = false, staff = false;
  std::vector<std::string> static_columns;  // customers-table column or attribute key
  // Single incident/staff columns chosen (full names); empty: every column
  // of the groups. A whole group given beside single columns appears here
  // as "incidents" or "staff".
  std::vector<std::string> columns;
  // Incidents and staff enter the dropout hazard from when they happen
  // (CustomerCovariateData::time_varying) instead of as a snapshot at T.
  bool time_varying = false;
};

// Throws Error::invalid_argument for an empty spec or an unknown item.
CovariateSpec parse_covariate_spec(const std::string& spec);

// The incident/staff columns `spec` keeps (CustomerCovariateData::selected):
// empty for every column of its groups.
std::vector<std::string> selected_columns(const CovariateSpec& spec);

struct DbCovariateOptions {
  std::string db_path;
  int64_t calibration_end_day = 0;  // days since 1970-01-01, inclusive
  TimeUnit unit;
  std::vector<std::string> plugin_dirs;  // searched before CLV_PLUGIN_PATH
  bool use_plugins = true;
  ProgressCallback progress;  // the database summary's (stage "summary")
};

struct DbCovariates {
  CustomerCovariateData data;                // ready for build(): records, T, rules, static columns
  std::vector<std::string> sectors;          // sector of each data.rules entry
  std::vector<std::string> notes;            // where the weights came from, what was left out
  std::vector<std::string> customer_region;  // per summary customer ("" unknown)
  size_t incidents_used = 0;                 // opened on or before the calibration end
  size_t incidents_after_end = 0;            // opened later: not covariates of this fit
  size_t incidents_other_customers = 0;      // customers without a calibration purchase
};

// `ids` and `T` are the summary's customers (external ids) and ages. Static
// columns: segment, region and sector become 0/1 dummies "segment=premium"
// for every level but the most common one (the reference); other names are
// keys of the customers' attributes JSON (numbers or booleans as they are,
// text as dummies). `static_names`, when given, rebuilds exactly these
// columns (a stored fit's), instead of the levels found now.
// Throws Error::not_found for a missing database, Error::invalid_argument
// naming the customer for a missing or unusable static value.
DbCovariates load_db_covariates(const DbCovariateOptions& options, const CovariateSpec& spec,
                                const std::vector<std::string>& ids, const std::vector<double>& T,
                                const std::vector<std::string>* static_names = nullptr);

}  // namespace clv
