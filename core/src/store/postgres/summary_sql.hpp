// The customer summary as SQL: the same rules as summary/summary_accumulator
// (purchases only, same-day purchases merged, calibration end inclusive,
// holdout (calibration end, holdout end], zbar over repeat days), written so
// that the per-(customer, day) aggregation is partition-wise and postgres_fdw
// pushes it to each shard.
#pragma once

#include <string>

#include "clv/covariates.hpp"
#include "clv/customer_summary.hpp"
#include "clv/postgres.hpp"

namespace clv::pg {

class Connection;

// The mapped transaction columns as SQL expressions, checked against the
// server (types decide how a timestamp becomes a UTC day number).
struct TransactionExpressions {
  std::string from;      // quoted table [WHERE filter]
  std::string customer;  // the customer key as mapped (grouped on as is)
  std::string day;       // integer UTC day number
  std::string amount;    // numeric, major units
  std::string purchase;  // boolean (NULL = not a purchase)
};

// Checks each mapped field with the server (a missing column or table is an
// Error::invalid_argument naming the mapping file and the field).
TransactionExpressions resolve_transactions(Connection& conn, const PgMapping& mapping);

// One row per customer: customer, x, recency days, age days, repeat spend,
// holdout days, holdout spend, calibration spend; then one totals row (NULL
// customer): rows, purchases, purchases after the end, rejected rows,
// customers first seen in the holdout.
std::string customer_summary_sql(const TransactionExpressions& tx, const SummaryPeriod& period);
// x, recency days, age days, customers per (x, recency, age); then the same
// totals row with NULL x.
std::string histogram_sql(const TransactionExpressions& tx, const SummaryPeriod& period);

// The per-customer rows (with spends) as a temporary table dropped at
// commit, so that the histogram and the per-customer rows of one snapshot
// aggregate the transactions once; then both read from `relation`.
std::string customers_table_sql(const TransactionExpressions& tx, const SummaryPeriod& period,
                                const std::string& table);
std::string histogram_from(const std::string& relation, const SummaryPeriod& period);
std::string customer_rows_from(const std::string& relation, const SummaryPeriod& period);

// The mapped incident columns as SQL: epoch seconds (float8) for the times,
// float8 for severity, satisfaction and compensation (major units), text
// for the category and the customer key.
struct IncidentExpressions {
  std::string from, customer, opened, resolved, severity, category, satisfaction, compensation;
};
// Checks the [incidents] mapping with the server, as resolve_transactions.
IncidentExpressions resolve_incidents(Connection& conn, const PgMapping& mapping);
// "WITH r AS ..., c AS (...),\n": the customers CTE, to be continued.
std::string customers_with(const TransactionExpressions& tx, const SummaryPeriod& period);
// Per customer of `relation` with a calibration purchase and at least one
// incident opened by the calibration end: customer, incidents,
// severity-weighted sum, unresolved, sum and count of resolved ratios to
// the SLA, worst ratio, sum and count of satisfaction answers, compensation,
// incidents with a severity outside the rules, incidents without severity;
// then one totals row (NULL customer): incidents of these customers opened
// after the end, incidents of other customers. `with` is "WITH " or
// customers_with(...).
std::string incident_covariates_sql(const std::string& with, const std::string& relation,
                                    const IncidentExpressions& incidents,
                                    const SummaryPeriod& period, const IncidentRules& rules);

}  // namespace clv::pg
