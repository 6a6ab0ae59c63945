// Customer covariates for the covariate-extended count models: a dense
// customers x covariates matrix, its standardization (stored with every fitted
// model so that scoring and what-if use exactly the fit's scaling), and the
// incident covariates the core derives from service incidents with the
// sector's weights.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace clv {

// Row-major values: customer i, covariate j is values[i * names.size() + j].
struct CovariateMatrix {
  std::vector<std::string> names;
  std::vector<double> values;

  size_t n_covariates() const { return names.size(); }
  size_t n_customers() const { return names.empty() ? 0 : values.size() / names.size(); }
  double at(size_t customer, size_t covariate) const {
    return values[customer * names.size() + covariate];
  }
};

// z = (raw - mean) / scale per covariate. Binary and continuous covariates are
// treated alike so that every gamma is "per standard deviation".
struct CovariateScaling {
  std::vector<std::string> names;
  std::vector<double> mean;
  std::vector<double> scale;  // standard deviation, > 0

  std::vector<double> standardize(const std::vector<double>& raw) const;
};

// Means and standard deviations of each column. Throws Error::invalid_argument
// for a non-finite value, fewer than 2 customers or a constant column (which
// would not be identifiable), naming the covariate.
CovariateScaling fit_scaling(const CovariateMatrix& raw);

// A copy of `raw` with every row standardized by `scaling` (names must match).
CovariateMatrix standardize(const CovariateMatrix& raw, const CovariateScaling& scaling);

// One service incident as the core sees it (times in the summary's time unit,
// measured like t_x from the customer's first purchase).
struct IncidentObservation {
  double opened = 0.0;
  double resolved = -1.0;  // < 0: unresolved (still open at the cut-off)
  int severity = 1;        // 1..5
  std::string category;
  double satisfaction = -1.0;  // 1..5 after resolution, < 0 unknown
  double compensation = 0.0;   // money given, in major units
  // Behaviour profile (0..10) of the employee who handled it; < 0 unknown.
  double trust = -1, tact = -1, empathy = -1, conformity = -1, focus = -1, flexibility = -1;
  std::string employee_location;  // where the handler works (staff levers target it)
  // For service breakdowns: the handler's id and role (department), the channel.
  std::string employee, employee_role, channel;
};

// Sector rules for incident covariates, as a sector plugin exposes them.
struct IncidentRules {
  std::vector<double> severity_weight = {1, 2, 3, 4, 5};        // index severity - 1
  std::vector<std::pair<std::string, double>> category_weight;  // missing = 1
  double expected_resolution = 1.0;                             // SLA, in the summary's time unit
  // Per-category SLA in the summary's time unit (exact category names);
  // categories not listed use expected_resolution.
  std::vector<std::pair<std::string, double>> category_expected_resolution;
  bool use_behaviour_profile = true;
  std::string source = "core defaults";  // where the weights came from, for the output

  double sla_of(const std::string& category) const;
  double weight_of(const std::string& category) const;
};

// Incident covariate names in the order build_incident_covariates writes them.
// "incidents" gives the incident group, "staff" the behaviour-profile group.
// `time_varying`: the columns of the time-varying form (the service state at
// a moment, see CustomerCovariateData::time_varying).
std::vector<std::string> incident_covariate_names(bool incidents, bool staff,
                                                  bool time_varying = false);

// An open incident older than this many SLAs counts as given up: its
// resolution ratio in the snapshot stops growing with the customer's age
// (otherwise it measures exposure), and in the time-varying form its survey
// answer is known from then on.
inline constexpr double kGivenUpSlas = 2.0;

// Builds raw (unstandardized) incident/staff covariates for customers observed
// for T[i] (the summary's T) with the incidents up to the calibration cut-off.
// Unknown staff profiles and satisfaction take the portfolio mean so that a
// missing value does not read as an extreme one.
CovariateMatrix build_incident_covariates(
    const std::vector<std::vector<IncidentObservation>>& incidents, const std::vector<double>& T,
    const IncidentRules& rules, bool incidents_group, bool staff_group);

// Everything needed to rebuild any customer's raw covariates, in the model's
// column order: incident/staff columns from the records with the rules of the
// customer's sector, then static columns. Fitting and what-if both go through
// row(), so a lever that edits a customer's records moves exactly the
// covariates the fit saw.
struct CustomerCovariateData {
  bool incidents_group = false, staff_group = false;
  // false: the snapshot at T (counts, worst ratio, ...); true: the service
  // state at a moment t (incidents opened by t, open at t, mean resolution
  // ratio and satisfaction known by t, mean profile of the handlers), which
  // enters the dropout hazard from the time it changes. Unknown values take
  // neutral levels (ratio 1 = on SLA, satisfaction 3, traits 5), so a
  // customer without incidents has no service effect.
  bool time_varying = false;
  // Incident/staff columns kept (empty: every column of the enabled groups),
  // in the groups' order; set by --covariates NAME,... and by dropping
  // constant or collinear columns.
  std::vector<std::string> selected;
  std::vector<std::vector<IncidentObservation>> incidents;  // per customer
  std::vector<double> T;                                    // per customer (the summary's T)
  std::vector<IncidentRules> rules;                         // distinct rule sets
  std::vector<uint32_t> rules_of;                           // per customer, index into rules
  // Value of each incident/staff column taken when a customer has no value
  // (no answered survey, no known handler): the portfolio mean at fit time.
  std::vector<double> unknown_fill;
  CovariateMatrix static_columns;  // raw, one row per customer (may have no columns)

  size_t n_customers() const { return T.size(); }
  std::vector<std::string> names() const;
  // One customer's raw row from `records` (its own or edited ones).
  std::vector<double> row(size_t customer, const std::vector<IncidentObservation>& records) const;
  // The whole raw matrix; computes unknown_fill first when it is empty.
  CovariateMatrix build();
  // With time_varying: one customer's raw row at time t (in (0, T]) and the
  // times in (0, T) at which its row changes (ascending, distinct).
  std::vector<double> row_at(size_t customer, const std::vector<IncidentObservation>& records,
                             double t) const;
  std::vector<double> change_times(size_t customer) const;
};

}  // namespace clv
