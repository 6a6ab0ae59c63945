#include "summary/database_source.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "ingest/money.hpp"
#include "store/database.hpp"
#include "store/transaction_ledger.hpp"
#include "summary/summary_accumulator.hpp"

namespace clv {
namespace {

// Major units per minor unit of a stored currency (1/100 for USD, 1 for JPY,
// 1/1000 for BHD).
double minor_unit_scale(std::string_view code) {
  if (!is_currency_code(code)) {
    throw Error::corrupt_data(fmt::format(
        "a transaction has currency '{}', not an ISO 4217 code: run the database integrity check",
        code));
  }
  return 1.0 / std::pow(10.0, currency_exponent(code));
}

}  // namespace

CustomerSummary summarize_database(SQLite::Database& db, const SummaryPeriod& period,
                                   const std::string& source, const ProgressCallback& progress) {
  SummaryAccumulator acc(period);
  PurchaseLedgerScan scan(db, minor_unit_scale);
  SummaryDiagnostics diag;
  // Purchases come from the scan; every other row is a return, refund or
  // cancellation.
  diag.rows_read = scan.rows();
  std::string customer_currency;  // of the current customer's first purchase
  const int64_t last_day = acc.last_observed_day();
  CustomerIds ids;
  uint64_t purchases = 0;
  int64_t current = 0;
  bool have_current = false;
  uint32_t index = 0;
  LedgerPurchase row;
  while (scan.next(row)) {
    if ((++purchases & (kProgressRowStride - 1)) == 0 && progress) {
      progress(Progress{"summary", purchases, std::max(diag.rows_read, purchases), "rows", 0});
    }
    const int64_t day = day_of(row.ts);
    if (day > last_day) {
      ++diag.rows_after_end;
      continue;
    }
    if (!have_current || row.customer_id != current) {
      index = ids.add(scan.external_id(row.customer_id));
      acc.add_customer();
      current = row.customer_id;
      have_current = true;
      customer_currency.clear();
    }
    ++diag.rows_used;
    const double amount = scan.amount(row);
    // A mean spend over 500 JPY and 5 KWD is no amount in any currency.
    if (scan.several_currencies()) {
      if (customer_currency.empty()) {
        customer_currency.assign(scan.currency());
      } else if (scan.currency() != customer_currency) {
        throw Error::invalid_argument(fmt::format(
            "customer '{}' has purchases in {} and {}: a spend summary would average amounts "
            "in different currencies; convert them to one currency before importing",
            ids[index], customer_currency, scan.currency()));
      }
    }
    acc.add(index, static_cast<int32_t>(day), amount);
  }
  diag.rows_not_purchase = diag.rows_read - purchases;  // same snapshot: purchases <= rows
  if (progress) progress(Progress{"summary", diag.rows_read, diag.rows_read, "rows", 0});
  return acc.finish(std::move(ids), std::move(diag), source);
}

CustomerSummary summarize_database(const std::string& db_path, const SummaryPeriod& period,
                                   const ProgressCallback& progress) {
  // Opening would create an empty database; a summary of nothing is a mistake.
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(fmt::format(
        "no database at '{}': import transactions first, or pass --db PATH / --transactions FILE",
        db_path));
  }
  open_database(db_path);  // creates or migrates the schema, then closes
  // The scan's own connection without SQLite's per-call mutex: one connection
  // used by one thread needs none, and locking it on every step and column
  // read costs a tenth of the scan.
  SQLite::Database scan(db_path, SQLite::OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  scan.setBusyTimeout(10000);
  return summarize_database(scan, period, "sqlite:" + db_path, progress);
}

}  // namespace clv
