// Each customer's home site: the location where it bought most often, the
// base of a site's "customers" in service breakdowns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clv {

// For each of `external_ids`, the transaction location with the most
// purchase rows on or before `last_day` (ties: the first in name order; ""
// when none has a location). Throws Error::io when the database cannot be read.
std::vector<std::string> load_home_sites(const std::string& db_path,
                                         const std::vector<std::string>& external_ids,
                                         int64_t last_day);

}  // namespace clv
