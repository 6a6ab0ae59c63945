// Summary straight from the engine's database: one ordered scan of the
// covering index transactions_by_customer_time, merged with customers by id.
#pragma once

#include <string>

#include <SQLiteCpp/Database.h>

#include "clv/customer_summary.hpp"
#include "clv/progress.hpp"

namespace clv {

CustomerSummary summarize_database(SQLite::Database& db, const SummaryPeriod& period,
                                   const std::string& source,
                                   const ProgressCallback& progress = {});

}  // namespace clv
