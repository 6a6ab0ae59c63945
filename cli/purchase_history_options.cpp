#include "purchase_history_options.hpp"

#include "cli_output.hpp"

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"

namespace clv::cli {
namespace {

int64_t parse_day(const std::string& text, const char* option) {
  int64_t seconds = 0;
  if (!parse_timestamp(text, seconds)) {
    throw Error::invalid_argument(
        fmt::format("{} '{}' is not a date: use YYYY-MM-DD, e.g. 1997-09-30", option, text));
  }
  return day_of(seconds);
}

}  // namespace

void add_purchase_history_options(CLI::App& cmd, PurchaseHistoryArgs& args) {
  cmd.add_option("--calibration-end", args.calibration_end,
                 "Last calibration day of the summary: draws purchases per period from the "
                 "transactions");
  cmd.add_option("--holdout-end", args.holdout_end, "Last holdout day of the summary");
  auto* tx = cmd.add_option("--transactions", args.transactions,
                            "Transaction file for purchases per period (default: the database)");
  cmd.add_option("--map", args.maps,
                 "FIELD=COLUMN for customer_id, timestamp, amount, kind (as in clv summary)")
      ->needs(tx);
  cmd.add_flag("--no-header", args.no_header, "The transaction file has no header row")->needs(tx);
  cmd.add_option("--format", args.format, "csv, tsv, semicolon or whitespace")->needs(tx);
}

std::optional<PurchaseHistory> load_purchase_history(const PurchaseHistoryArgs& args,
                                                     const std::string& db_path,
                                                     const FitResult& count_model) {
  if (args.calibration_end.empty()) {
    if (!args.transactions.empty() || !args.holdout_end.empty()) {
      throw Error::invalid_argument(
          "--transactions and --holdout-end need --calibration-end DATE (the summary's)");
    }
    return std::nullopt;
  }
  SummaryPeriod period;
  period.calibration_end_day = parse_day(args.calibration_end, "--calibration-end");
  if (!args.holdout_end.empty())
    period.holdout_end_day = parse_day(args.holdout_end, "--holdout-end");
  period.unit = count_model.time_unit;
  PurchaseHistory history;
  if (args.transactions.empty()) {
    history = progress_step("history", 1, "steps",
                            [&] { return read_purchase_history_database(db_path, period); });
  } else {
    TransactionFileFormat format;
    if (args.format == "whitespace") {
      format.whitespace = true;
    } else if (args.format == "tsv") {
      format.delimiter = '\t';
    } else if (args.format == "semicolon") {
      format.delimiter = ';';
    } else if (args.format != "csv") {
      throw Error::invalid_argument(
          fmt::format("unknown --format '{}': use csv, tsv, semicolon or whitespace", args.format));
    }
    format.has_header = !args.no_header;
    for (const auto& m : args.maps) format.field_map.push_back(parse_field_mapping(m));
    history = progress_step("history", file_bytes(args.transactions), "bytes", [&] {
      return read_purchase_history(args.transactions, format, period);
    });
  }
  if (history.rows_rejected > 0) {
    fmt::print(stderr, "warning: {} rows of {} were rejected and left out of the charts ({})\n",
               history.rows_rejected, history.source, history.first_reject);
  }
  return history;
}

}  // namespace clv::cli
