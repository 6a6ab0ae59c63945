// The PostgreSQL source and sink behind clv::PgSource, with the calls the
// pipeline needs to keep its reads in one snapshot.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clv/postgres.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/summary_sql.hpp"

namespace clv::pg {

class PgSourceImpl final : public PgSource {
 public:
  PgSourceImpl(const std::string& conninfo, const PgMapping& mapping);

  CustomerSummary summary(const SummaryPeriod& period) override;
  PgHistogram histogram(const SummaryPeriod& period) override;
  void write_scores(const PgScoreRun& run, const CustomerSummary& summary, const Scores& scores,
                    const std::vector<double>& historical_spend) override;
  PgIncidentCovariates incident_covariates(const CustomerSummary& summary,
                                           const IncidentRules& rules) override;
  PgTransfer transfer() const override { return conn_.transfer(); }
  std::string server_version() const override;

  // Reads of the pipeline run inside one REPEATABLE READ snapshot, where the
  // per-customer aggregation is done once into a temporary table.
  void begin_snapshot();
  void end_snapshot();
  // The summary plus each customer's calibration spend (for value at risk).
  CustomerSummary summary_with_spend(const SummaryPeriod& period, std::vector<double>& spend);

 private:
  PgMapping mapping_;
  Connection conn_;
  TransactionExpressions tx_;
  bool in_snapshot_ = false;
  std::optional<SummaryPeriod> materialized_;  // the period of the temp table, if any
  // The relation both reads use: the temp table inside a snapshot.
  std::string customers_relation(const SummaryPeriod& period);
};

}  // namespace clv::pg
