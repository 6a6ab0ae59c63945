#include "store/postgres/pg_source.hpp"

#include <cmath>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "store/postgres/copy_text.hpp"

namespace clv::pg {
namespace {

// Totals row shared by both queries: rows, purchases, after end, rejected,
// first seen in holdout (fields 1..5 of the NULL-keyed row).
void read_totals(const CopyLine& row, SummaryDiagnostics& diag) {
  const auto rows = static_cast<uint64_t>(row.integer(1));
  const auto purchases = static_cast<uint64_t>(row.integer(2));
  const auto after = static_cast<uint64_t>(row.integer(3));
  const auto bad = static_cast<uint64_t>(row.integer(4));
  diag.rows_read = rows;
  diag.rows_rejected = bad;
  diag.rows_not_purchase = rows - purchases - bad;
  diag.rows_after_end = after;
  diag.rows_used = purchases - after;
  diag.customers_first_seen_in_holdout = static_cast<uint64_t>(row.integer(5));
  if (bad > 0) {
    diag.first_rejects.push_back(
        {0,
         fmt::format("{} rows have no customer, or are purchases without a day or amount "
                     "(NULL after the mapping)",
                     bad),
         ""});
  }
}

// Session settings for the summary: partition-wise aggregation (so each
// postgres_fdw shard aggregates its own rows), sort-based aggregation and
// enough memory to sort in memory. Hashing the per-customer-day groups (one
// per customer and purchase day, nearly one per row) with their numeric and
// array states was ~3x slower than one sort on (customer, day) feeding both
// grouped aggregations (measured 1M rows: 15.8-16.0 s hashed vs 4.8-5.5 s
// sorted; docs/scale.md). SET LOCAL: this transaction only. Shards behind
// postgres_fdw take the same settings from their foreign server's
// `options '-c enable_hashagg=off -c work_mem=256MB'`.
constexpr const char* kReadSettings =
    "SET LOCAL enable_partitionwise_aggregate = on; SET LOCAL work_mem = '256MB'; "
    "SET LOCAL enable_hashagg = off";

}  // namespace

PgSourceImpl::PgSourceImpl(const std::string& conninfo, const PgMapping& mapping)
    : mapping_(mapping), conn_(conninfo) {
  if (conn_.server_version() < 110000) {
    throw Error::invalid_argument(fmt::format("{} runs PostgreSQL {}; clv-engine needs 11 or later",
                                              conn_.where(), conn_.server_version() / 10000));
  }
  tx_ = resolve_transactions(conn_, mapping_);
}

std::string PgSourceImpl::server_version() const {
  const int v = conn_.server_version();
  return fmt::format("{}.{}", v / 10000, v % 10000);
}

void PgSourceImpl::begin_snapshot() {
  // Not READ ONLY: the snapshot writes one temporary table (nothing else).
  conn_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  conn_.exec(kReadSettings);
  in_snapshot_ = true;
  materialized_.reset();
}

void PgSourceImpl::end_snapshot() {
  in_snapshot_ = false;
  materialized_.reset();
  conn_.exec("COMMIT");
}

namespace {
constexpr const char* kCustomersTable = "clv_customer_summary";
bool same_period(const SummaryPeriod& a, const SummaryPeriod& b) {
  return a.calibration_end_day == b.calibration_end_day && a.holdout_end_day == b.holdout_end_day;
}
}  // namespace

std::string PgSourceImpl::customers_relation(const SummaryPeriod& period) {
  if (!materialized_ || !same_period(*materialized_, period)) {
    if (materialized_) conn_.exec(std::string("DROP TABLE ") + kCustomersTable);
    conn_.exec(customers_table_sql(tx_, period, kCustomersTable));
    materialized_ = period;
  }
  return kCustomersTable;
}

PgHistogram PgSourceImpl::histogram(const SummaryPeriod& period) {
  const bool own = !in_snapshot_;
  if (own) begin_snapshot();
  PgHistogram out;
  try {
    const double unit = period.unit.days;
    const std::string sql =
        own ? histogram_sql(tx_, period) : histogram_from(customers_relation(period), period);
    conn_.copy_out(sql, [&](std::string_view line) {
      const CopyLine row(line, 6);
      if (row.is_null(0)) {
        read_totals(row, out.diagnostics);
        return;
      }
      out.rows.x.push_back(static_cast<double>(row.integer(0)));
      out.rows.t_x.push_back(static_cast<double>(row.integer(1)) / unit);
      out.rows.T.push_back(static_cast<double>(row.integer(2)) / unit);
      const double w = static_cast<double>(row.integer(3));
      out.rows.weight.push_back(w);
      out.customers += w;
    });
    if (own) end_snapshot();
  } catch (...) {
    conn_.rollback_quietly();
    in_snapshot_ = false;
    throw;
  }
  return out;
}

CustomerSummary PgSourceImpl::summary_with_spend(const SummaryPeriod& period,
                                                 std::vector<double>& spend) {
  const bool own = !in_snapshot_;
  if (own) begin_snapshot();
  CustomerSummary out;
  out.period = period;
  out.source = "postgresql:" + conn_.redacted();
  const double unit = period.unit.days;
  const bool holdout = period.holdout_end_day.has_value();
  if (holdout) {
    out.duration_holdout =
        static_cast<double>(*period.holdout_end_day - period.calibration_end_day) / unit;
  }
  spend.clear();
  try {
    const std::string sql = own ? customer_summary_sql(tx_, period)
                                : customer_rows_from(customers_relation(period), period);
    conn_.copy_out(sql, [&](std::string_view line) {
      const CopyLine row(line, 8);
      if (row.is_null(0)) {
        read_totals(row, out.diagnostics);
        return;
      }
      const int64_t x = row.integer(1);
      out.ids.add(row.text(0));
      out.frequency.push_back(static_cast<double>(x));
      out.recency.push_back(static_cast<double>(row.integer(2)) / unit);
      out.T.push_back(static_cast<double>(row.integer(3)) / unit);
      out.monetary_value.push_back(x > 0 ? row.number(4) / static_cast<double>(x) : 0.0);
      if (holdout) {
        const int64_t hold_days = row.integer(5);
        out.frequency_holdout.push_back(static_cast<double>(hold_days));
        out.monetary_value_holdout.push_back(
            hold_days > 0 ? row.number(6) / static_cast<double>(hold_days) : 0.0);
      }
      spend.push_back(row.number(7));
    });
    if (own) end_snapshot();
  } catch (...) {
    conn_.rollback_quietly();
    in_snapshot_ = false;
    throw;
  }
  return out;
}

PgIncidentCovariates PgSourceImpl::incident_covariates(const CustomerSummary& summary,
                                                       const IncidentRules& rules) {
  const SummaryPeriod& period = summary.period;
  const IncidentExpressions inc = resolve_incidents(conn_, mapping_);
  const size_t n = summary.size();
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index.emplace(summary.ids[i], i);

  // Per customer, as churn/incident_covariates.cpp's incident_row: no
  // incident = zero counts, unknown resolution and satisfaction (NaN, filled
  // below with the portfolio mean of the known values).
  const std::vector<std::string> names = incident_covariate_names(true, false);
  const size_t k = names.size();
  const double nan = std::nan("");
  std::vector<double> values(n * k, 0.0);
  for (size_t i = 0; i < n; ++i) {
    values[i * k + 4] = nan;  // mean_resolution_vs_sla
    values[i * k + 6] = nan;  // satisfaction
  }
  PgIncidentCovariates out;
  size_t bad_severity = 0;
  std::string bad_customer;
  const bool own = !in_snapshot_;
  if (own) begin_snapshot();
  try {
    const std::string sql =
        own ? incident_covariates_sql(customers_with(tx_, period), "c", inc, period, rules)
            : incident_covariates_sql("WITH ", customers_relation(period), inc, period, rules);
    conn_.copy_out(sql, [&](std::string_view line) {
      const CopyLine row(line, 12);
      if (row.is_null(0)) {
        out.incidents_after_end = static_cast<size_t>(row.integer(1));
        out.incidents_other_customers = static_cast<size_t>(row.integer(2));
        return;
      }
      const auto it = index.find(row.text(0));
      if (it == index.end()) return;  // not in this summary (e.g. T = 0, dropped)
      if (row.integer(10) > 0) {
        bad_severity += static_cast<size_t>(row.integer(10));
        if (bad_customer.empty()) bad_customer = std::string(row.text(0));
      }
      double* v = &values[it->second * k];
      const double count = static_cast<double>(row.integer(1));
      const double T = summary.T[it->second];
      v[0] = count;
      v[1] = T > 0 ? count / T : count;
      v[2] = row.number(2);
      v[3] = static_cast<double>(row.integer(3));
      const int64_t resolved = row.integer(5);
      v[4] = resolved > 0 ? row.number(4) / static_cast<double>(resolved) : nan;
      v[5] = row.number(6);
      const int64_t answered = row.integer(8);
      v[6] = answered > 0 ? row.number(7) / static_cast<double>(answered) : nan;
      v[7] = row.number(9);
      out.incidents_used += static_cast<size_t>(count);
      out.incidents_without_severity += static_cast<size_t>(row.integer(11));
    });
    if (own) end_snapshot();
  } catch (...) {
    conn_.rollback_quietly();
    in_snapshot_ = false;
    throw;
  }
  if (bad_severity > 0) {
    throw Error::invalid_argument(
        fmt::format("{} incidents (first of customer {}) have a severity outside 1..{} in {}",
                    bad_severity, bad_customer, rules.severity_weight.size(), mapping_.source));
  }
  for (size_t j = 0; j < k; ++j) {
    double sum = 0, known = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!std::isnan(values[i * k + j])) sum += values[i * k + j], known += 1;
    }
    const double fill = known > 0 ? sum / known : 0.0;
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(values[i * k + j])) values[i * k + j] = fill;
    }
  }
  out.matrix.names = names;
  out.matrix.values = std::move(values);
  return out;
}

CustomerSummary PgSourceImpl::summary(const SummaryPeriod& period) {
  std::vector<double> spend;
  return summary_with_spend(period, spend);
}

}  // namespace clv::pg

namespace clv {
std::unique_ptr<PgSource> PgSource::connect(const std::string& conninfo, const PgMapping& mapping) {
  return std::make_unique<pg::PgSourceImpl>(conninfo, mapping);
}
}  // namespace clv
