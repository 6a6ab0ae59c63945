// Read-only lookups the engine answers from the database rather than from
// memory: the latest churn run's row for a customer (written by `clv churn`)
// and the customers' sector, segment and region for what-if targets.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "clv/engine.hpp"
#include "clv/whatif.hpp"

namespace clv {

// The latest churn run (runs.kind = 'churn') and its churn_scores row for
// the customer; engine_score is left empty. MissingRunError without a churn
// run, Error::not_found when that run has no row for the customer,
// Error::corrupt_data for a row that breaks the schema's contract.
CustomerChurnRisk latest_churn_risk(SQLite::Database& db, std::string_view customer_id);

// Sector, segment and region of the customers with these row ids, in order;
// a column nobody has a value for is left empty (unknown).
CustomerAttributes customer_attributes(SQLite::Database& db, const std::vector<int64_t>& rows);

}  // namespace clv
