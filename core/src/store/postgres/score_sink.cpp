// Write-back of a run's scores into the CRM's database: one transaction
// (tables created if missing, the run's old rows deleted, COPY in batches,
// the run row upserted), so a failure anywhere leaves every table unchanged
// and re-running a run id replaces its rows.
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "store/postgres/pg_source.hpp"

namespace clv::pg {
namespace {

constexpr size_t kBatchBytes = 1 << 20;  // COPY payload per PQputCopyData call

std::string scores_ddl(const std::string& table) {
  return fmt::format(
      "CREATE TABLE {} (\n"
      "  run_id text NOT NULL,\n"
      "  customer_id text NOT NULL,\n"
      "  frequency float8 NOT NULL,\n"
      "  recency float8 NOT NULL,\n"
      "  age float8 NOT NULL,\n"
      "  p_alive float8 NOT NULL,\n"
      "  churn_risk float8 NOT NULL,\n"
      "  expected_purchases float8 NOT NULL,\n"
      "  expected_spend float8,\n"
      "  clv float8,\n"
      "  value_at_risk float8 NOT NULL,\n"
      "  drivers jsonb NOT NULL DEFAULT '[]',\n"
      "  PRIMARY KEY (run_id, customer_id)\n"
      ")",
      table);
}

std::string runs_ddl(const std::string& table) {
  return fmt::format(
      "CREATE TABLE {} (\n"
      "  run_id text PRIMARY KEY,\n"
      "  written_at timestamptz NOT NULL DEFAULT now(),\n"
      "  model text NOT NULL,\n"
      "  time_unit text NOT NULL,\n"
      "  horizon float8 NOT NULL,\n"
      "  calibration_end date NOT NULL,\n"
      "  customers bigint NOT NULL,\n"
      "  count_fit jsonb,\n"
      "  spend_fit jsonb\n"
      ")",
      table);
}

void append_number(std::string& out, double v, const char* what) {
  if (!std::isfinite(v)) {
    throw Error::internal(fmt::format("a score ({}) is not finite; nothing was written", what));
  }
  fmt::format_to(std::back_inserter(out), "{}", v);
}

}  // namespace

void PgSourceImpl::write_scores(const PgScoreRun& run, const CustomerSummary& summary,
                                const Scores& scores, const std::vector<double>& spend) {
  const size_t n = summary.size();
  if (run.run_id.empty()) throw Error::invalid_argument("write-back needs a run id");
  if (scores.p_alive.size() != n || scores.expected_purchases.size() != n ||
      (!spend.empty() && spend.size() != n)) {
    throw Error::invalid_argument("scores and summary differ in length");
  }
  const bool with_clv = !scores.clv.empty();
  if (with_clv && (scores.clv.size() != n || scores.expected_spend.size() != n)) {
    throw Error::invalid_argument("CLV scores and summary differ in length");
  }
  std::string table, runs_table;
  try {
    table = quote_table(mapping_.scores_table);
    runs_table = quote_table(mapping_.scores_table + "_runs");
  } catch (const Error& e) {
    throw Error::invalid_argument(
        fmt::format("mapping {}: scores_table: {}", mapping_.source, e.what()));
  }
  const std::string bare = mapping_.scores_table;
  try {
    conn_.exec("BEGIN");
    // Created only when missing: a role that may write but not create works
    // against tables the DBA made (the same DDL, documented in docs/scale.md).
    const auto exists = conn_.query(
        "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL", {bare, bare + "_runs"});
    if (exists.at(0).at(0) != "t") conn_.exec(scores_ddl(table));
    if (exists.at(0).at(1) != "t") conn_.exec(runs_ddl(runs_table));
    conn_.query(fmt::format("DELETE FROM {} WHERE run_id = $1", table), {run.run_id});
    std::string prefix;
    append_copy_text(prefix, run.run_id);
    prefix += '\t';
    size_t i = 0;
    conn_.copy_in(
        fmt::format("COPY {} (run_id, customer_id, frequency, recency, age, p_alive, churn_risk, "
                    "expected_purchases, expected_spend, clv, value_at_risk) FROM STDIN",
                    table),
        [&](std::string& batch) {
          while (i < n && batch.size() < kBatchBytes) {
            batch += prefix;
            append_copy_text(batch, summary.ids[i]);
            const double p = scores.p_alive[i];
            for (const auto& [v, what] : {std::pair{summary.frequency[i], "frequency"},
                                          {summary.recency[i], "recency"},
                                          {summary.T[i], "T"},
                                          {p, "p_alive"},
                                          {1.0 - p, "churn_risk"},
                                          {scores.expected_purchases[i], "expected purchases"}}) {
              batch += '\t';
              append_number(batch, v, what);
            }
            if (with_clv) {
              batch += '\t';
              append_number(batch, scores.expected_spend[i], "expected spend");
              batch += '\t';
              append_number(batch, scores.clv[i], "clv");
            } else {
              batch += "\t\\N\t\\N";
            }
            batch += '\t';
            append_number(batch, (1.0 - p) * (spend.empty() ? 0.0 : spend[i]), "value at risk");
            batch += '\n';
            ++i;
          }
          return i < n;
        });
    conn_.query(fmt::format("INSERT INTO {} (run_id, model, time_unit, horizon, calibration_end, "
                            "customers, count_fit, spend_fit) VALUES ($1, $2, $3, $4, $5, $6, "
                            "$7::jsonb, nullif($8, '')::jsonb) ON CONFLICT (run_id) DO UPDATE SET "
                            "written_at = now(), model = EXCLUDED.model, time_unit = "
                            "EXCLUDED.time_unit, horizon = EXCLUDED.horizon, calibration_end = "
                            "EXCLUDED.calibration_end, customers = EXCLUDED.customers, count_fit "
                            "= EXCLUDED.count_fit, spend_fit = EXCLUDED.spend_fit",
                            runs_table),
                {run.run_id, run.model, summary.period.unit.name, fmt::format("{}", run.horizon),
                 format_date(summary.period.calibration_end_day), std::to_string(n),
                 run.count_fit_json.empty() ? "{}" : run.count_fit_json, run.spend_fit_json});
    conn_.exec("COMMIT");
  } catch (...) {
    conn_.rollback_quietly();
    throw;
  }
}

}  // namespace clv::pg
