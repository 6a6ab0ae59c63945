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
                    const char* field, const std::string& expr,
                    const char* entity = "transactions") {
  try {
    return conn.column_types(fmt::format("SELECT ({}) FROM {} LIMIT 0", expr, from)).at(0);
  } catch (const Error& e) {
    throw Error::invalid_argument(fmt::format("mapping {}: {}.fields.{} = \"{}\": {}", m.source,
                                              entity, field, expr, e.what()));
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

namespace clv::pg {
namespace {

// A mapped incident time as float8 UTC epoch seconds.
std::string epoch_seconds(Connection& conn, const PgMapping& m, const std::string& from,
                          const char* field, const std::string& expr) {
  const unsigned t = field_type(conn, m, from, field, expr, "incidents");
  if (t == kTimestampTz) return fmt::format("extract(epoch FROM ({}))::float8", expr);
  if (t == kTimestamp) {  // without zone: read as UTC
    return fmt::format("extract(epoch FROM (({}) AT TIME ZONE INTERVAL '00:00'))::float8", expr);
  }
  if (t == kDate) return fmt::format("((({}) - DATE '1970-01-01') * 86400)::float8", expr);
  if (is_number(t)) return fmt::format("({})::float8", expr);
  throw Error::invalid_argument(fmt::format(
      "mapping {}: incidents.fields.{} = \"{}\" is neither a timestamp, a date nor epoch seconds",
      m.source, field, expr));
}

std::string number_list_case(const std::string& key, const std::vector<double>& values) {
  if (values.empty()) return "NULL::float8";
  std::string out = "(CASE " + key;
  for (size_t i = 0; i < values.size(); ++i) {
    fmt::format_to(std::back_inserter(out), " WHEN {} THEN {}::float8", i + 1, values[i]);
  }
  return out + " END)";
}

std::string category_case(const std::string& key,
                          const std::vector<std::pair<std::string, double>>& values,
                          double otherwise) {
  if (values.empty()) return fmt::format("{}::float8", otherwise);
  std::string out = "(CASE " + key;
  for (const auto& [name, v] : values) {
    fmt::format_to(std::back_inserter(out), " WHEN {} THEN {}::float8", quote_literal(name), v);
  }
  return out + fmt::format(" ELSE {}::float8 END)", otherwise);
}

}  // namespace

IncidentExpressions resolve_incidents(Connection& conn, const PgMapping& m) {
  const PgTableMapping& t = m.incidents;
  if (t.table.empty()) {
    throw Error::invalid_argument(fmt::format(
        "mapping {}: no [incidents] table: incident covariates need incidents.table and "
        "incidents.fields (customer_id, opened_at, ...)",
        m.source));
  }
  IncidentExpressions out;
  try {
    out.from = quote_table(t.table) + (t.filter.empty() ? "" : " WHERE (" + t.filter + ")");
  } catch (const Error& e) {
    throw Error::invalid_argument(
        fmt::format("mapping {}: incidents.table: {}", m.source, e.what()));
  }
  try {
    conn.column_types("SELECT 1 FROM " + out.from + " LIMIT 0");
  } catch (const Error& e) {
    throw Error::invalid_argument(fmt::format("mapping {}: incidents table \"{}\"{}: {}", m.source,
                                              t.table, t.filter.empty() ? "" : " with its filter",
                                              e.what()));
  }
  for (const char* required : {"customer_id", "opened_at"}) {
    if (t.field(required) == nullptr) {
      throw Error::invalid_argument(
          fmt::format("mapping {}: incidents.fields.{} is missing", m.source, required));
    }
  }
  const std::string& customer = *t.field("customer_id");
  field_type(conn, m, out.from, "customer_id", customer, "incidents");
  out.customer = "(" + customer + ")::text";
  out.opened = epoch_seconds(conn, m, out.from, "opened_at", *t.field("opened_at"));
  const std::string* resolved = t.field("resolved_at");
  out.resolved =
      resolved ? epoch_seconds(conn, m, out.from, "resolved_at", *resolved) : "NULL::float8";
  auto numeric_field = [&](const char* field, const char* otherwise) -> std::string {
    const std::string* expr = t.field(field);
    if (expr == nullptr) return otherwise;
    if (!is_number(field_type(conn, m, out.from, field, *expr, "incidents"))) {
      throw Error::invalid_argument(fmt::format(
          "mapping {}: incidents.fields.{} = \"{}\" is not a number", m.source, field, *expr));
    }
    return fmt::format("({})::float8", *expr);
  };
  out.severity = numeric_field("severity", "NULL::float8");
  out.satisfaction = numeric_field("satisfaction", "NULL::float8");
  out.compensation = numeric_field("compensation", "0::float8");
  if (const std::string* category = t.field("category")) {
    field_type(conn, m, out.from, "category", *category, "incidents");
    out.category = "coalesce((" + *category + ")::text, '')";
  } else {
    out.category = "''";
  }
  return out;
}

std::string incident_covariates_sql(const std::string& customers_with, const std::string& relation,
                                    const IncidentExpressions& inc, const SummaryPeriod& period,
                                    const IncidentRules& rules) {
  const int64_t cal = period.calibration_end_day;
  const double cutoff = static_cast<double>(cal + 1) * 86400.0;
  const double unit_seconds = period.unit.days * 86400.0;
  // Per incident (as churn/db_covariates + churn/incident_covariates): times
  // in the unit from the customer's first purchase; resolved after the
  // cut-off = still open, its survey unknown; no severity = 3; the resolution
  // ratio of an open one grows with the customer's age up to kGivenUpSlas.
  // As there, an incident resolved before the customer's first purchase
  // (a negative time) counts as open.
  return fmt::format(
      "{with}"
      "k AS (SELECT customer::text AS customer, first_day, ({cal} - first_day) AS age_days\n"
      "      FROM {rel} WHERE cal_days > 0),\n"
      "i AS (SELECT {customer} AS customer, {opened} AS opened_s, {resolved} AS resolved_s,\n"
      "             {severity} AS severity, {category} AS category, {satisfaction} AS sat,\n"
      "             {compensation} AS comp FROM {from}),\n"
      "j AS (SELECT k.customer, k.age_days::float8 / {unit_days}::float8 AS t_age,\n"
      "             (i.opened_s - k.first_day * 86400.0::float8) / {unit_s}::float8 AS opened,\n"
      "             CASE WHEN i.resolved_s < {cutoff}::float8\n"
      "                   AND i.resolved_s >= k.first_day * 86400.0::float8 THEN\n"
      "               (i.resolved_s - k.first_day * 86400.0::float8) / {unit_s}::float8 END AS "
      "resolved,\n"
      "             coalesce(i.severity, 3) AS severity, i.severity IS NULL AS no_severity,\n"
      "             {cat_weight} AS cat_weight, {sla} AS sla,\n"
      "             CASE WHEN i.resolved_s >= {cutoff}::float8 THEN NULL ELSE i.sat END AS sat,\n"
      "             coalesce(i.comp, 0) AS comp\n"
      "      FROM i JOIN k USING (customer) WHERE i.opened_s < {cutoff}::float8),\n"
      "q AS (SELECT *, CASE WHEN resolved IS NULL\n"
      "               THEN least(greatest(0, t_age - opened) / sla, {given_up}::float8)\n"
      "               ELSE greatest(0, resolved - opened) / sla END AS ratio FROM j)\n"
      "SELECT customer, count(*), coalesce(sum({sev_weight} * cat_weight), 0),\n"
      "  count(*) FILTER (WHERE resolved IS NULL),\n"
      "  sum(ratio) FILTER (WHERE resolved IS NOT NULL), count(*) FILTER (WHERE resolved IS NOT "
      "NULL),\n"
      "  max(ratio), sum(sat) FILTER (WHERE sat > 0), count(*) FILTER (WHERE sat > 0), sum(comp),\n"
      "  count(*) FILTER (WHERE severity <> floor(severity) OR severity < 1 OR severity > "
      "{n_sev}),\n"
      "  count(*) FILTER (WHERE no_severity)\n"
      "FROM q GROUP BY customer\n"
      "UNION ALL\n"
      "SELECT NULL, count(*) FILTER (WHERE i.opened_s >= {cutoff}::float8 AND k.customer IS NOT "
      "NULL),\n"
      "  count(*) FILTER (WHERE k.customer IS NULL), NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL\n"
      "FROM i LEFT JOIN k USING (customer)",
      fmt::arg("with", customers_with), fmt::arg("rel", relation), fmt::arg("cal", cal),
      fmt::arg("customer", inc.customer), fmt::arg("opened", inc.opened),
      fmt::arg("resolved", inc.resolved), fmt::arg("severity", inc.severity),
      fmt::arg("category", inc.category), fmt::arg("satisfaction", inc.satisfaction),
      fmt::arg("compensation", inc.compensation), fmt::arg("from", inc.from),
      fmt::arg("unit_days", period.unit.days), fmt::arg("unit_s", unit_seconds),
      fmt::arg("cutoff", cutoff),
      fmt::arg("cat_weight", category_case("i.category", rules.category_weight, 1.0)),
      fmt::arg("sla", category_case("i.category", rules.category_expected_resolution,
                                    rules.expected_resolution)),
      fmt::arg("given_up", kGivenUpSlas),
      fmt::arg("sev_weight", number_list_case("severity::int", rules.severity_weight)),
      fmt::arg("n_sev", rules.severity_weight.size()));
}

std::string customers_with(const TransactionExpressions& tx, const SummaryPeriod& period) {
  std::string cte = customers_cte(tx, period, false);
  // "WITH r AS (...), d AS (...), c AS (...)\n" -> continued by ", k AS ...".
  return cte.substr(0, cte.size() - 1) + ",\n";
}

}  // namespace clv::pg
