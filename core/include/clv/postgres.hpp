// The CRM's own PostgreSQL as a data source and a score sink. The customer
// summary and the fit's histogram are computed by SQL inside PostgreSQL (same
// day rules as the SQLite and CSV summaries), so only the histogram, and for
// scoring one row per customer, crosses the network; scores go back into a
// table of the CRM's database in one transaction per run. The same SQL runs
// on a partitioned table whose partitions are postgres_fdw foreign tables.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clv/covariates.hpp"
#include "clv/customer_summary.hpp"
#include "clv/fit_result.hpp"
#include "clv/rfm_data.hpp"
#include "clv/scoring.hpp"

namespace clv {

// One of the CRM's tables: its name (optionally schema-qualified), an SQL
// filter on its rows and, per engine field, a column name or an SQL
// expression over its columns.
struct PgTableMapping {
  std::string table;
  std::string filter;                                       // e.g. status = 'completed'
  std::vector<std::pair<std::string, std::string>> fields;  // field -> column or expression

  // The expression of `field`, or nullptr when it is not mapped.
  const std::string* field(std::string_view name) const;
};

// How the CRM's tables map to the engine's entities. Transaction fields:
// customer_id, timestamp (timestamptz, timestamp (UTC), date or epoch
// seconds), amount (major units) or amount_minor (+ currency, ISO 4217),
// optional kind ('purchase', 'return', 'refund', 'cancellation').
struct PgMapping {
  PgTableMapping transactions;
  PgTableMapping customers;  // optional: customer_id (+ segment, region)
  PgTableMapping incidents;  // optional: customer_id, opened_at, resolved_at, satisfaction
  PgTableMapping employees;  // optional: employee_id
  std::string scores_table = "clv_scores";  // written back, with "<scores_table>_runs"
  std::string source;                       // file the mapping was read from
};

// The engine's own table and column names (the SQLite schema's), for a
// PostgreSQL database laid out like clv.db.
PgMapping default_pg_mapping();
// Reads a mapping from a .toml or .json file ([transactions] table = ...,
// filter = ..., [transactions.fields] customer_id = "cust_no", ...).
// Throws Error::not_found / invalid_argument naming the file and the key.
PgMapping load_pg_mapping(const std::string& path);
PgMapping parse_pg_mapping(std::string_view text, bool json, const std::string& source_name);

// A libpq connection string (key=value or postgresql:// URI) with any
// password replaced by "***", for messages and logs.
std::string redact_conninfo(std::string_view conninfo);

// What crossed the network from PostgreSQL to the engine and back.
struct PgTransfer {
  uint64_t bytes_received = 0;  // COPY payload bytes read by the engine
  uint64_t rows_received = 0;
  uint64_t bytes_sent = 0;  // COPY payload bytes written back
  uint64_t rows_sent = 0;
};

// The fit's input: distinct (x, t_x, T) rows with the number of customers
// each (RfmData::weight), plus what happened to every source row.
struct PgHistogram {
  RfmData rows;
  SummaryDiagnostics diagnostics;
  double customers = 0;  // sum of the weights
};

// A run written back: scores, churn risk (1 - P(alive)) and value at risk
// ((1 - P(alive)) x historical spend) per customer, keyed by run id.
struct PgScoreRun {
  std::string run_id;  // re-writing a run id replaces its rows (idempotent)
  std::string model;
  double horizon = 0;
  std::string count_fit_json, spend_fit_json;
};

// Incident covariates built by SQL (PgSource::incident_covariates).
struct PgIncidentCovariates {
  CovariateMatrix matrix;          // customers x incident_covariate_names(true, false)
  size_t incidents_used = 0;       // opened on or before the calibration end
  size_t incidents_after_end = 0;  // of these customers, opened later
  size_t incidents_other_customers = 0;
  size_t incidents_without_severity = 0;  // counted as severity 3
};

class PgSource {
 public:
  // Connects (Error::io naming the redacted conninfo and the server's
  // reason) and checks the mapping against the server: every mapped table and
  // expression must exist (Error::invalid_argument naming the mapping file,
  // the field and PostgreSQL's message).
  static std::unique_ptr<PgSource> connect(const std::string& conninfo, const PgMapping& mapping);
  virtual ~PgSource() = default;

  // One row per customer, built by SQL in PostgreSQL.
  virtual CustomerSummary summary(const SummaryPeriod& period) = 0;
  // Only the histogram GROUP BY (x, t_x, T) crosses the network.
  virtual PgHistogram histogram(const SummaryPeriod& period) = 0;
  // Writes `scores` of `summary`'s customers to the scores table in one
  // transaction (COPY in batches); re-running a run id replaces its rows.
  // On any error nothing is changed. `historical_spend` per customer (major
  // units) gives the value at risk; empty = 0.
  virtual void write_scores(const PgScoreRun& run, const CustomerSummary& summary,
                            const Scores& scores, const std::vector<double>& historical_spend) = 0;
  // The incident covariates of the static covariate churn fit (the
  // "incidents" group, incident_covariate_names(true, false): count, rate,
  // severity-weighted, unresolved, mean and worst resolution vs SLA,
  // satisfaction, compensation) of `summary`'s customers, in its order,
  // aggregated by SQL in PostgreSQL from the mapping's [incidents] table
  // (only one row per customer with incidents crosses the network). Same
  // rules and values as the SQLite path (load_db_covariates +
  // CustomerCovariateData::build with `rules`): unknown resolution and
  // satisfaction take the portfolio mean. Error::invalid_argument for a
  // missing [incidents] mapping or a severity outside the rules.
  virtual PgIncidentCovariates incident_covariates(const CustomerSummary& summary,
                                                   const IncidentRules& rules) = 0;
  virtual PgTransfer transfer() const = 0;
  // The server's version string, e.g. "15.18".
  virtual std::string server_version() const = 0;
};

// The whole job on the CRM's database: histogram pushdown -> count model fit
// -> one row per customer -> Gamma-Gamma (when repeat spend exists) ->
// scores -> write back.
struct PgPipelineOptions {
  SummaryPeriod period;
  std::string count_model = "pnbd";
  bool fit_spend_model = true;
  ScoreOptions score;
  std::string run_id;  // empty: "<model>-<calibration end>"
  int fit_threads = 0;
};

struct PgPipelineResult {
  std::string run_id;
  FitResult count_fit;
  std::optional<FitResult> spend_fit;
  size_t histogram_rows = 0;
  size_t customers_scored = 0;
  size_t customers_not_scored = 0;  // first purchase on the calibration end day (T = 0)
  SummaryDiagnostics diagnostics;
  PgTransfer transfer;
  double seconds_histogram = 0, seconds_fit = 0, seconds_summary = 0, seconds_score = 0,
         seconds_write = 0;
};

PgPipelineResult run_pg_pipeline(const std::string& conninfo, const PgMapping& mapping,
                                 const PgPipelineOptions& options);

// What the front ends share, so that `clv pg run`, clv::Engine::pg_run, the C
// API (clv_pg_run_json) and HTTP (POST /v1/pg/run) parse and print alike.
//
// The first line of `path` as a connection string (keeps passwords off
// argv); Error::not_found naming the file when it is missing or empty.
std::string read_conninfo_file(const std::string& path);
// A run request as JSON: {"calibration_end": "YYYY-MM-DD", "holdout_end",
// "unit", "model", "horizon", "margin", "discount_rate", "run_id",
// "spend_model": bool, "threads"}, each optional over `defaults` except
// calibration_end unless `defaults_have_calibration_end`. Unknown fields and
// wrong types are Error::invalid_argument naming the field. The connection
// string is never part of a request.
PgPipelineOptions pg_pipeline_options_from_json(std::string_view text,
                                                const PgPipelineOptions& defaults,
                                                bool defaults_have_calibration_end);
// {"source" (password redacted), "mapping", "run_id", "scores_table",
// "time_unit", "calibration_end", "histogram_rows", "customers_scored",
// "customers_not_scored", "count_fit", "spend_fit", "rows", "transfer",
// "seconds"}.
std::string pg_pipeline_result_json(const PgPipelineResult& result, const std::string& conninfo,
                                    const PgMapping& mapping, const PgPipelineOptions& options,
                                    int indent = 2);

}  // namespace clv
