// Each customer's distinct purchase days, the repeat-purchase times the
// time-varying covariate fit needs (the summary keeps only x, t_x and T).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clv {

// For each of `external_ids`, its distinct UTC purchase days (days since
// 1970-01-01, ascending) on or before `last_day`, as the summary counts them
// (kind 'purchase', one per day). Unknown ids get an empty list.
// Throws Error::io when the database cannot be read.
std::vector<std::vector<int32_t>> load_purchase_days(const std::string& db_path,
                                                     const std::vector<std::string>& external_ids,
                                                     int64_t last_day);

}  // namespace clv
