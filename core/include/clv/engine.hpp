// clv::Engine: the embeddable engine a CRM back-end opens on one database.
// It keeps every customer's purchase summary in memory, persists each ingested
// batch in one SQLite transaction before acknowledging it, scores customers
// with the parameters of the latest stored run and refits only when asked.
//
// Thread safety: every const member function (score, score_many, top_at_risk,
// churn_risk, what_if, current_run, runs, stats) may be called from any number of threads at once,
// concurrently with one or more threads calling ingest_*, refit, churn_fit or service_report.
// Writers are serialized internally; a score sees each ingested batch entirely or not at all.
// Scores are computed from the customer's current summary and the current run's parameters, so an
// ingest moves them without a refit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clv/churn_run.hpp"
#include "clv/error.hpp"
#include "clv/postgres.hpp"
#include "clv/scenario.hpp"
#include "clv/service_run.hpp"
#include "clv/time_unit.hpp"
#include "clv/whatif.hpp"
#include "clv/whatif_result.hpp"

namespace clv {

struct EngineOptions {
  std::string count_model = "bgnbd";  // any purchase-count model of available_models()
  bool fit_spend_model = true;        // Gamma-Gamma for CLV when repeat spend exists
  TimeUnit time_unit = TimeUnit::week();
  double horizon = 52;  // CLV / expected purchases horizon, in time_unit
  // Economics of every customer's value. Unset: the customer's sector
  // plugin's (clv/sector_economics.hpp), else margin 1, no discount, no cost
  // to serve, no referral value.
  std::optional<double> margin;                // profit share of spend
  std::optional<double> annual_discount_rate;  // 0.1 = 10% per year
  std::optional<double> cost_to_serve;         // per customer per time_unit
  std::optional<double> referral_value;
  // Sector plugins: searched in plugin_dirs, then CLV_PLUGIN_PATH, the
  // install prefix and next to the executable (clv/plugin_registry.hpp).
  // They normalize ingested transactions of their sector's customers and
  // give the sector's economics and what-if levers.
  std::vector<std::string> plugin_dirs;
  bool use_plugins = true;
  // Calibration end as a UTC day number (days since 1970-01-01); unset = the
  // latest purchase day seen, which moves forward as transactions arrive.
  std::optional<int64_t> observation_end_day;
  int fit_threads = 0;  // 0 = all cores
  // Ingested transactions pending before the ingest call that crosses this
  // many merges them into the transactions table (see flush()). Larger merges
  // cost less per row; that call takes longer (~3 us per row).
  size_t merge_pending_rows = 262144;
  // The CRM's PostgreSQL for pg_run (clv/postgres.hpp): a libpq connection
  // string or postgresql:// URI (messages and results print it with its
  // password as ***), and a mapping file (.toml/.json; empty = the engine's
  // own table names). The mapping is read and checked at open; the server
  // is first contacted by pg_run. Empty pg_source: pg_run is refused.
  std::string pg_source;
  std::string pg_mapping;
};

// One transaction as a CRM sends it. Money is integer minor units (cents).
struct TransactionRecord {
  std::string customer_id;  // external id; unknown customers are created
  int64_t timestamp = 0;    // UTC seconds since the epoch
  int64_t amount_minor = 0;
  std::string currency = "USD";
  std::string kind = "purchase";  // purchase, return, refund, cancellation
  std::string id;                 // optional external id; a repeated id is a duplicate
  // For the sector plugin, as the CSV import's columns: the order, folio or
  // booking a row belongs to, and the raw payer text. Not stored.
  std::string reference, payer;
  // Stored as the CSV import stores them (transactions.quantity, category,
  // channel, location); empty / nullopt = NULL.
  std::optional<int64_t> quantity;  // >= 0
  std::string category, channel, location;
};

struct IncidentRecord {
  std::string customer_id;
  int64_t opened_at = 0;  // UTC seconds
  std::optional<int64_t> resolved_at;
  std::optional<int> severity;      // 1..5
  std::optional<int> satisfaction;  // 1..5
  std::string category;
  std::string channel;
  std::string outcome;
  std::string id;  // optional external id
  // As the CSV import's columns: the handling employee's external id (must
  // be imported already) and the compensation in minor units of the
  // compensation currency (the CSV import's default currency, USD).
  std::string employee_id;
  std::optional<int64_t> compensation_minor;  // >= 0
};

// A customer as `clv import customers` reads one (the same fields, stored in
// the same columns). A customer that transactions or incidents created has
// its empty attributes filled in (counted as updated); stored values are
// never overwritten (a duplicate).
struct CustomerDetails {
  std::string customer_id;
  // The sector whose plugin normalizes the customer's transactions and
  // values it; must name a loaded plugin (Engine::plugin_ids()). Empty = none.
  std::string sector;
  std::string segment, region;         // empty = unknown
  std::optional<int64_t> acquired_at;  // UTC seconds
  // The CSV's free columns: stored in customers.attributes (a JSON object).
  std::vector<std::pair<std::string, std::string>> attributes;
};

// An employee as `clv import employees` reads one: incidents name the
// employee who handled them (IncidentRecord::employee_id).
struct EmployeeDetails {
  std::string employee_id;
  std::string role, location;
  // Behaviour scores 0..10; nullopt = unknown.
  std::optional<double> trust, tact, empathy, conformity, focus, flexibility;
};

struct IngestResult {
  size_t inserted = 0;
  size_t updated = 0;          // customers: stored ones whose empty attributes were filled in
  size_t normalized_away = 0;  // netted, merged or dropped by the sector plugin (not stored)
  size_t duplicates = 0;       // records whose id was already stored: nothing changed
  size_t new_customers = 0;
};

struct CustomerScore {
  std::string customer_id;
  double frequency = 0, recency = 0, T = 0;  // x, t_x, T in the engine's time unit
  double monetary = 0;                       // mean repeat-day spend, major units
  double historical_value = 0;               // all purchase spend to the observation end
  double p_alive = 0;
  double expected_purchases = 0;              // over the horizon
  std::optional<double> expected_spend, clv;  // with a spend model only
  size_t incidents = 0;
  int64_t run_id = 0;  // the run whose parameters produced this score
  std::string sector;  // whose economics the CLV used; empty = none
};

// A stored fit: which data and which parameters. Scores of a run are stored
// with it (run_scores) so a past answer can be reproduced.
struct RunInfo {
  int64_t id = 0;
  int64_t created_at = 0;  // UTC seconds
  std::string count_model;
  std::string count_fit_json;  // clv fit JSON (params, std errors, LL, ...)
  std::string spend_fit_json;  // empty without repeat spend or when gg did not converge
  int64_t observation_end_day = 0;
  size_t n_customers = 0;
  size_t n_transactions = 0;
  int64_t max_transaction_row = 0;  // the data: transactions with row id <= this
};

// The latest churn run's answer for one customer (`clv churn` stores churn
// runs: runs.kind = 'churn', churn_scores), next to the engine's own score.
struct ChurnDriver {
  std::string covariate;
  double effect = 0;  // change in churn risk vs the portfolio mean; > 0 raises the risk
};

struct CustomerChurnRisk {
  std::string customer_id;
  int64_t churn_run_id = 0;
  std::string model;       // e.g. "pnbd_cov"
  int64_t created_at = 0;  // UTC seconds
  std::string source;      // what the churn run was computed from
  double horizon = 0;      // in the churn run's time unit
  std::string time_unit;   // empty when the run did not record it
  double p_alive = 0, churn_risk = 0, expected_purchases = 0;
  std::string risk_band;             // low, medium, high, critical
  std::vector<ChurnDriver> drivers;  // as stored, largest effect first
  // The engine's current score of the customer (its own P(alive) and
  // expected purchases over the engine horizon); empty without a fitted run
  // or before the customer's first purchase.
  std::optional<CustomerScore> engine_score;
};

// A what-if request against the engine's current run. The scenarios are those
// of a scenario file; the run's data, fits and (unless overridden) horizon,
// margin and discount rate come from the engine.
struct EngineWhatIf {
  std::vector<Scenario> scenarios;
  std::optional<double> horizon, margin, annual_discount_rate;
  // Only this sector's customers, valued with its economics. Needed when the
  // customers' sectors have different economics and margin and discount
  // rate are not given.
  std::string sector;
  // A covariate fit of this database (the JSON `clv fit --covariates --db
  // --out` writes): the scenarios then run on it, each customer with its
  // incident records, so incident, staff and plugin covariate levers apply.
  std::string covariate_fit;
  int draws = 200;
  unsigned long long seed = 20261123;
};

// Thrown when an operation needs a run that does not exist yet (no fitted
// run for scores or what-if, no churn run for churn drivers). Code kNotFound;
// the HTTP service answers 409 so a client can tell it from an unknown id.
class MissingRunError : public Error {
 public:
  explicit MissingRunError(const std::string& message) : Error(ErrorCode::kNotFound, message) {}
};

struct EngineStats {
  size_t customers = 0;
  // From one core count (engine/customer_book.hpp, fit_population):
  size_t customers_with_purchases = 0;  // at least one purchase, whenever
  // A purchase on or before the observation end: score() answers for them.
  size_t scorable_customers = 0;
  // First purchase before the observation end (T > 0): the customers whose
  // data informs a refit's likelihood.
  size_t customers_in_fit = 0;
  size_t transactions = 0;
  size_t incidents = 0;
  std::optional<int64_t> run_id;
  int64_t observation_end_day = 0;
};

class Engine {
 public:
  // Opens (creating and migrating if needed) the database at `path` and loads
  // every customer's summary and the latest run. Throws clv::Error (io,
  // corrupt_data, invalid_argument for bad options); io as well when another
  // engine (in this or another process) has the same file open.
  static std::unique_ptr<Engine> open(const std::string& path, const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates the whole batch first (Error::invalid_argument naming the first
  // bad record; nothing is stored), then stores it in one transaction and
  // updates the summaries. Returns only after the batch is durable.
  IngestResult ingest_transactions(std::span<const TransactionRecord> batch);
  IngestResult ingest_incidents(std::span<const IncidentRecord> batch);
  // Customers and employees with the CSV import's rules and reasons (one
  // rule set: ingest/row_parsers), all or nothing like the batches above:
  // Error::invalid_argument naming the record, the field and the reason.
  IngestResult ingest_customers(std::span<const CustomerDetails> batch);
  IngestResult ingest_employees(std::span<const EmployeeDetails> batch);

  // Ingested transactions are durable and scored at once, but reach the
  // `transactions` table (what `clv summary --db`, reports and other readers
  // of the database see) in merges of many batches: when enough are pending,
  // on refit, on flush and when the engine closes. flush() moves them now.
  // Throws Error::io if the merge fails (the rows stay pending, nothing lost).
  void flush();

  // Fits the count model (and Gamma-Gamma) on all current summaries, stores a
  // run with its parameters and every customer's score, and makes it current.
  // Throws Error::invalid_argument without data, Error::not_converged.
  RunInfo refit();

  // Error::not_found for an unknown customer or one without purchases, and
  // when no run exists yet (call refit first).
  CustomerScore score(std::string_view customer_id) const;
  std::vector<CustomerScore> score_many(std::span<const std::string> customer_ids) const;
  // Customers with the most value at risk, (1 - P(alive)) * historical_value,
  // highest first (ties by first ingestion).
  std::vector<CustomerScore> top_at_risk(size_t limit) const;

  // The latest churn run's row for the customer. Error::not_found for an
  // unknown customer or one the churn run did not score; MissingRunError when
  // no churn run exists.
  CustomerChurnRisk churn_risk(std::string_view customer_id) const;

  // Runs what-if scenarios on the current run's count and spend fits with
  // every scorable customer's current summary (customers' sector, segment and
  // region from the database for targets), plugin levers through the
  // engine's plugins and the sector's economics. Throws MissingRunError
  // without a run, Error::invalid_argument for a bad scenario or draws
  // outside 0..1000.
  WhatIfResult what_if(const EngineWhatIf& request) const;

  // A churn run on the engine's database (clv/churn_run.hpp: the code `clv
  // churn` runs): the plain model, a fresh covariate fit or a stored one,
  // every customer's churn risk and drivers stored as a churn run (what
  // churn_risk then answers). The engine supplies its plugins (plugin_dirs,
  // use_plugins), fit threads, its time unit as the default unit of a fresh
  // fit and, when the request names none, its observation end as the
  // calibration end; a summary file is refused. Pending rows are flushed
  // first and the writer lock is held throughout, so ingest calls wait for
  // the fit. Error::invalid_argument for a bad request or an in-memory
  // database (the churn code reads the file), Error::not_found for an
  // unknown covariate fit run, Error::not_converged.
  ChurnFitResult churn_fit(const ChurnFitRequest& request);

  // The service breakdown by location, department, employee or region from
  // a stored covariate fit (clv/service_run.hpp: the code `clv service`
  // runs), after flushing pending rows, under the writer lock.
  // MissingRunError when the database holds no covariate fit and none is
  // named; Error::not_found for an unknown run; Error::invalid_argument for
  // a bad request or an in-memory database.
  ServiceReport service_report(const ServiceReportRequest& request);

  // The CRM's PostgreSQL job, the code `clv pg run` runs (run_pg_pipeline):
  // summary pushed down as SQL, fit on the histogram, every customer scored,
  // scores written back into the mapping's scores table in one transaction,
  // on the source of options().pg_source / pg_mapping. The engine's own
  // database and runs are not touched. Runs one at a time (a second call
  // waits); ingest and scoring go on meanwhile. Error::invalid_argument when
  // the engine has no PostgreSQL source or for a bad request; Error::io
  // naming the redacted server when it cannot be reached or goes away.
  PgPipelineResult pg_run(const PgPipelineOptions& request) const;
  // A request with the engine's defaults: its count model, time unit,
  // horizon, margin (else 1), discount rate (else 0), spend model, fit
  // threads, and its observation_end option (when set) as calibration end.
  PgPipelineOptions pg_run_defaults() const;
  // The mapping read at open (default_pg_mapping() without a file).
  const PgMapping& pg_mapping() const;

  std::optional<RunInfo> current_run() const;
  std::vector<RunInfo> runs() const;  // newest first
  RunInfo run(int64_t id) const;      // Error::not_found
  EngineStats stats() const;
  const EngineOptions& options() const;
  // Plugins loaded at open (ids) and those refused, with the reason.
  std::vector<std::string> plugin_ids() const;
  std::vector<std::string> plugin_problems() const;

  struct State;

 private:
  explicit Engine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace clv
