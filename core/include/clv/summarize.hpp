// Builds a CustomerSummary from a transaction file in one streaming pass or
// from the engine's database. Only purchases count: returns, refunds and
// cancellations are excluded (they are not repeat-purchase events in
// BG/NBD-type models). Purchases on the same day are merged into one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clv/customer_summary.hpp"
#include "clv/progress.hpp"

namespace clv {

// How to read a transaction file. `field_map` maps the engine's field names
// (customer_id, timestamp, amount, and optionally kind) to a header name or a
// 1-based column position ("customer_id" -> "Id" or "2"); unmapped fields use
// their own name as the header name.
struct TransactionFileFormat {
  bool whitespace = false;  // columns separated by runs of spaces/tabs
  char delimiter = ',';     // for delimited files
  bool has_header = true;
  std::vector<std::pair<std::string, std::string>> field_map;
  // Amounts are in major units (dollars); set to 100 when they are in cents.
  double amount_divisor = 1.0;
  // ISO 4217 code of the amounts: its decimals are the most an amount may
  // have (the importer's rule: 1.234 USD is refused, not rounded).
  std::string currency = "USD";
};

// Called for every rejected row (e.g. to write a rejects CSV).
using RejectSink = std::function<void(const RejectedRow&)>;

// Parses "field=column" as given to --map; throws Error::invalid_argument.
std::pair<std::string, std::string> parse_field_mapping(std::string_view text);

// Streams `path` once (twice if some customer's rows are not in time order).
// Throws clv::Error: not_found/io for the file, invalid_argument for a bad
// mapping or period. `progress`: stage "summary", done/total in input bytes
// of the first pass, items = rows read.
CustomerSummary summarize_transaction_file(const std::string& path,
                                           const TransactionFileFormat& format,
                                           const SummaryPeriod& period,
                                           const RejectSink& on_reject = {},
                                           const ProgressCallback& progress = {});
// The same from text in memory (CRM batches, tests).
CustomerSummary summarize_transaction_text(std::string_view text,
                                           const TransactionFileFormat& format,
                                           const SummaryPeriod& period,
                                           const RejectSink& on_reject = {},
                                           const ProgressCallback& progress = {});

// Reads the purchases of the database at `db_path` (schema migration 1).
// Amounts are amount_minor / 100. `progress`: stage "summary", done/total in
// ledger rows (done counts the purchases scanned; the last report has done ==
// total).
CustomerSummary summarize_database(const std::string& db_path, const SummaryPeriod& period,
                                   const ProgressCallback& progress = {});

// Writes customer_id,frequency,recency,T,monetary_value[,frequency_holdout,
// monetary_value_holdout,duration_holdout] to `path`; throws Error::io.
void write_summary_csv(const CustomerSummary& summary, const std::string& path);

}  // namespace clv
