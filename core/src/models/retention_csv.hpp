// Reads the input of the sBG retention model from CSV, in either form:
// a survivor curve `period,survivors` (the number still active at the start
// of each period; the first row, period 0, is the cohort size), or one row
// per customer `periods,churned[,count]` (churned 1/0 or true/false: lost in
// period `periods`, or still active after `periods`).
#pragma once

#include <string>

#include "models/shifted_beta_geometric.hpp"

namespace clv {

// Throws Error::not_found / io for the file and Error::invalid_argument for a
// missing column, a gap in the periods or a malformed value (with the line).
SbgData read_retention_csv(const std::string& path);

}  // namespace clv
