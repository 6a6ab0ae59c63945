// Reads a customer summary CSV that carries static covariate columns next to
// the summary (customer_id, frequency|x, recency|t_x, T, [frequency_holdout],
// covariates...), the input of `clv fit --covariates static:COL` and `clv churn`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clv/covariates.hpp"
#include "clv/time_unit.hpp"

namespace clv {

struct CovariateSummary {
  std::vector<std::string> ids;
  std::vector<double> x, t_x, T;
  std::vector<double> x_holdout;  // empty without a frequency_holdout column
  CovariateMatrix covariates;     // raw, in the order asked for
  std::optional<TimeUnit> unit;   // from a "# clv:" first line, if any
};

// Parses "incidents,staff,static:Gender,static:Channel" into the static
// column names; throws Error::invalid_argument for incidents/staff (they need
// the database's incident records) and for unknown items.
std::vector<std::string> parse_static_covariate_spec(const std::string& spec);

// Throws Error::not_found/io for the file and Error::invalid_argument naming
// the line for a missing column or a non-numeric value.
CovariateSummary read_covariate_summary(const std::string& path,
                                        const std::vector<std::string>& columns);

}  // namespace clv
