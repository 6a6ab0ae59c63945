#include "store/postgres/summary_sql.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "store/postgres/pg_connection.hpp"
#include "summary/summary_accumulator.hpp"

namespace clv::pg {
namespace {

// PostgreSQL type OIDs (pg_type.h is a server header; these are stable).
constexpr unsigned kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kFloat4 = 700, kFloat8 = 701,
                   kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTimestamp = 1114,
                   kTimestampTz = 1184, kNumeric = 1700;

unsigned field_type(Connection& conn, const PgMapping& m, const std::string& from,
                    const char* field, const std::string& expr) {
  try {
    return conn.column_types(fmt::format("SELECT ({}) FROM {} LIMIT 0", expr, from)).at(0);
  } catch (const Error& e) {
    throw Error::invalid_argument(fmt::format("mapping {}: transactions.fields.{} = \"{}\": {}",
                                              m.source, field, expr, e.what()));
  }
}

bool is_number(unsigned t) {
  return t == kInt2 || t == kInt4 || t == kInt8 || t == kNumeric || t == kFloat4 || t == kFloat8;
}

// Minor-unit scale of each ISO 4217 code whose exponent is not 2 (the same
// tables as ingest/money.cpp); every other code is 1/100.
std::string currency_scale(const std::string& currency) {
  static constexpr std::array<std::string_view, 17> kZero = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
      "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::array<std::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD",
                                                             "LYD", "OMR", "TND"};
  auto list = [](const auto& codes) {
    std::string out;
    for (auto c : codes) out += (out.empty() ? "'" : ", '") + std::string(c) + "'";
    return out;
  };
  return fmt::format(
      "(CASE WHEN ({0}) IN ({1}) THEN 1 WHEN ({0}) IN ({2}) THEN 0.001 "
      "WHEN ({0}) IN ('CLF', 'UYW') THEN 0.0001 ELSE 0.01 END)",
      currency, list(kZero), list(kThree));
}

}  // namespace

TransactionExpressions resolve_transactions(Connection& conn, const PgMapping& m) {
  const PgTableMapping& t = m.transactions;
  TransactionExpressions out;
  std::string table;
  try {
    table = quote_table(t.table);
  } catch (const Error& e) {
    throw Error::invalid_argument(
        fmt::format("mapping {}: transactions.table: {}", m.source, e.what()));
  }
  out.from = table + (t.filter.empty() ? "" : " WHERE (" + t.filter + ")");
  try {
    conn.column_types("SELECT 1 FROM " + out.from + " LIMIT 0");
  } catch (const Error& e) {
    throw Error::invalid_argument(
        fmt::format("mapping {}: transactions table \"{}\"{}: {}", m.source, t.table,
                    t.filter.empty() ? "" : " with its filter", e.what()));
  }
  const std::string& customer = *t.field("customer_id");
  field_type(conn, m, out.from, "customer_id", customer);
  out.customer = "(" + customer + ")";

  const std::string& ts = *t.field("timestamp");
  const unsigned ts_type = field_type(conn, m, out.from, "timestamp", ts);
  if (ts_type == kTimestampTz) {
    // AT TIME ZONE INTERVAL, not 'UTC': postgres_fdw ships no expression with
    // a text constant to a shard, and this one must run there.
    out.day = fmt::format("((({}) AT TIME ZONE INTERVAL '00:00')::date - DATE '1970-01-01')", ts);
  } else if (ts_type == kTimestamp) {  // a timestamp without zone is read as UTC
    out.day = fmt::format("(({})::date - DATE '1970-01-01')", ts);
  } else if (ts_type == kDate) {
    out.day = fmt::format("(({}) - DATE '1970-01-01')", ts);
  } else if (is_number(ts_type)) {  // seconds since the epoch; floor for dates before 1970
    out.day = fmt::format("(floor(({})::float8 / 86400))::int", ts);
  } else {
    throw Error::invalid_argument(fmt::format(
        "mapping {}: transactions.fields.timestamp = \"{}\" is neither a timestamp, a date nor "
        "epoch seconds (convert it in the expression, e.g. \"to_timestamp(col, 'YYYY-MM-DD')\")",
        m.source, ts));
  }

  const std::string* currency = t.field("currency");
  if (currency != nullptr) {
    const unsigned c = field_type(conn, m, out.from, "currency", *currency);
    if (c != kText && c != kVarchar && c != kBpchar) {
      throw Error::invalid_argument(fmt::format(
          "mapping {}: transactions.fields.currency must be text (an ISO 4217 code)", m.source));
    }
  }
  if (const std::string* major = t.field("amount")) {
    if (!is_number(field_type(conn, m, out.from, "amount", *major))) {
      throw Error::invalid_argument(fmt::format(
          "mapping {}: transactions.fields.amount = \"{}\" is not a number", m.source, *major));
    }
    out.amount = fmt::format("({})::numeric", *major);
  } else {
    const std::string& minor = *t.field("amount_minor");
    if (!is_number(field_type(conn, m, out.from, "amount_minor", minor))) {
      throw Error::invalid_argument(
          fmt::format("mapping {}: transactions.fields.amount_minor = \"{}\" is not a number",
                      m.source, minor));
    }
    // Without a currency column every amount is in cents (the engine's default, USD).
    out.amount = fmt::format("({})::numeric * {}", minor,
                             currency != nullptr ? currency_scale(*currency) : "0.01");
  }
  if (const std::string* kind = t.field("kind")) {
    field_type(conn, m, out.from, "kind", *kind);
    // NULL for a NULL kind, which every FILTER below reads as "not a
    // purchase"; no coalesce/IS TRUE: postgres_fdw would not ship them.
    out.purchase = fmt::format("(({})::text = 'purchase')", *kind);
  } else {
    out.purchase = "true";
  }
  return out;
}

namespace {

// r: mapped rows; d: one row per customer and day (GROUP BY on the partition
// key, so partition-wise and pushed to postgres_fdw shards); c: one row per
// customer. The first purchase day's spend is min(ARRAY[day, spend])[2]: the
// smallest day's spend without a sort or a second pass.
std::string customers_cte(const TransactionExpressions& tx, const SummaryPeriod& period,
                          bool with_spend) {
  validate_period(period);
  const int64_t cal = period.calibration_end_day;
  const int64_t last = period.holdout_end_day.value_or(cal);
  const std::string cal_filter = fmt::format("np > 0 AND day <= {}", cal);
  const std::string hold_filter = fmt::format("np > 0 AND day > {} AND day <= {}", cal, last);
  std::string spend_columns;
  if (with_spend) {
    spend_columns = fmt::format(
        ",\n    sum(spend) FILTER (WHERE {0}) AS cal_spend,"
        "\n    (min(ARRAY[day::numeric, spend]) FILTER (WHERE {0}))[2] AS first_spend,"
        "\n    coalesce(sum(spend) FILTER (WHERE {1}), 0) AS hold_spend",
        cal_filter, hold_filter);
  }
  return fmt::format(
      "WITH r AS (\n"
      "  SELECT {customer} AS customer, {day} AS day, {amount} AS amount, {purchase} AS p\n"
      "  FROM {from}\n"
      "), d AS (\n"
      "  SELECT customer, day, count(*) AS n,\n"
      "    count(*) FILTER (WHERE p AND customer IS NOT NULL AND day IS NOT NULL\n"
      "                     AND amount IS NOT NULL) AS np,\n"
      "    count(*) FILTER (WHERE customer IS NULL OR (p AND (day IS NULL OR amount IS NULL))) AS "
      "nbad"
      "{day_spend}\n"
      "  FROM r GROUP BY customer, day\n"
      "), c AS (\n"
      "  SELECT customer, sum(n) AS n_rows, sum(np) AS n_purchase, sum(nbad) AS n_bad,\n"
      "    coalesce(sum(np) FILTER (WHERE day > {last}), 0) AS n_after,\n"
      "    count(*) FILTER (WHERE {cal_filter}) AS cal_days,\n"
      "    min(day) FILTER (WHERE {cal_filter}) AS first_day,\n"
      "    max(day) FILTER (WHERE {cal_filter}) AS last_day,\n"
      "    count(*) FILTER (WHERE {hold_filter}) AS hold_days{spend_columns}\n"
      "  FROM d GROUP BY customer\n"
      ")\n",
      fmt::arg("customer", tx.customer), fmt::arg("day", tx.day), fmt::arg("amount", tx.amount),
      fmt::arg("purchase", tx.purchase), fmt::arg("from", tx.from), fmt::arg("last", last),
      fmt::arg("cal_filter", cal_filter), fmt::arg("hold_filter", hold_filter),
      fmt::arg("spend_columns", spend_columns),
      fmt::arg("day_spend", with_spend
                                ? ",\n    sum(amount) FILTER (WHERE p AND day IS NOT NULL) AS spend"
                                : ""));
}

constexpr const char* kTotals =
    "sum(n_rows)::bigint, sum(n_purchase)::bigint, sum(n_after)::bigint, sum(n_bad)::bigint, "
    "count(*) FILTER (WHERE cal_days = 0 AND hold_days > 0)";

}  // namespace

std::string customer_rows_from(const std::string& relation, const SummaryPeriod& period) {
  return fmt::format(
      "SELECT customer::text, cal_days - 1, last_day - first_day, {cal} - first_day,\n"
      "  (cal_spend - first_spend)::float8, hold_days, hold_spend::float8, cal_spend::float8\n"
      "FROM {rel} WHERE cal_days > 0\n"
      "UNION ALL\n"
      "SELECT NULL, {totals}, NULL, NULL FROM {rel}",
      fmt::arg("cal", period.calibration_end_day), fmt::arg("totals", kTotals),
      fmt::arg("rel", relation));
}

std::string histogram_from(const std::string& relation, const SummaryPeriod& period) {
  return fmt::format(
      "SELECT cal_days - 1, last_day - first_day, {cal} - first_day, count(*)::bigint, NULL, "
      "NULL\n"
      "FROM {rel} WHERE cal_days > 0 GROUP BY 1, 2, 3\n"
      "UNION ALL\n"
      "SELECT NULL, {totals} FROM {rel}",
      fmt::arg("cal", period.calibration_end_day), fmt::arg("totals", kTotals),
      fmt::arg("rel", relation));
}

std::string customer_summary_sql(const TransactionExpressions& tx, const SummaryPeriod& period) {
  return customers_cte(tx, period, true) + customer_rows_from("c", period);
}

std::string histogram_sql(const TransactionExpressions& tx, const SummaryPeriod& period) {
  return customers_cte(tx, period, false) + histogram_from("c", period);
}

std::string customers_table_sql(const TransactionExpressions& tx, const SummaryPeriod& period,
                                const std::string& table) {
  return fmt::format("CREATE TEMP TABLE {} ON COMMIT DROP AS\n", table) +
         customers_cte(tx, period, true) + "SELECT * FROM c";
}

}  // namespace clv::pg
