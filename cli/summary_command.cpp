// `clv summary`: per-customer x, t_x, T, mean repeat spend (and holdout
// columns) from a transaction file or the database, written as CSV.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "clv/calendar.hpp"
#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/import_sectors.hpp"
#include "clv/summarize.hpp"
#include "command_registry.hpp"
#include "sector_plugins.hpp"

namespace {

struct SummaryArgs {
  std::string transactions;
  std::string db_path;
  std::vector<std::string> maps;
  bool no_header = false;
  std::string format = "csv";
  std::string calibration_end;
  std::string holdout_end;
  std::string unit;  // empty: the sector plugin's, else week
  std::string sector;
  clv::cli::PluginArgs plugins;
  std::string out;
  std::string rejects;
  bool json = false;
  bool cents = false;
  std::string currency = "USD";
};

int64_t parse_day(const std::string& text, const char* option) {
  int64_t seconds = 0;
  if (!clv::parse_timestamp(text, seconds)) {
    throw clv::Error::invalid_argument(
        fmt::format("{} '{}' is not a date: use YYYY-MM-DD, e.g. 1997-09-30", option, text));
  }
  return clv::day_of(seconds);
}

clv::TransactionFileFormat file_format(const SummaryArgs& a) {
  clv::TransactionFileFormat format;
  if (a.format == "whitespace") {
    format.whitespace = true;
  } else if (a.format == "tsv") {
    format.delimiter = '\t';
  } else if (a.format == "semicolon") {
    format.delimiter = ';';
  } else if (a.format != "csv") {
    throw clv::Error::invalid_argument(
        fmt::format("unknown --format '{}': use csv, tsv, semicolon or whitespace", a.format));
  }
  format.has_header = !a.no_header;
  for (const auto& m : a.maps) format.field_map.push_back(clv::parse_field_mapping(m));
  if (a.cents) format.amount_divisor = 100.0;
  format.currency = a.currency;
  return format;
}

struct UnitChoice {
  clv::TimeUnit unit;
  std::string why;
};

std::string list_sectors(const std::map<std::string, uint64_t>& sectors) {
  std::string out;
  for (const auto& [sector, customers] : sectors) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({} customers)", sector.empty() ? "no sector" : sector, customers);
  }
  return out;
}

// --unit wins; otherwise the time unit of the customers' sector plugin when
// they all share one sector, and week when no sector or plugin says more.
UnitChoice choose_unit(const SummaryArgs& a) {
  if (!a.unit.empty()) return {clv::TimeUnit::parse(a.unit), "given by --unit"};
  std::map<std::string, uint64_t> sectors;
  if (!a.sector.empty()) {
    sectors[a.sector] = 0;
  } else if (a.transactions.empty() && std::filesystem::exists(a.db_path)) {
    clv::Database db = clv::Database::open(a.db_path);
    sectors = clv::transaction_customers_by_sector(db);
  } else if (!a.transactions.empty()) {
    return {clv::TimeUnit::week(),
            "default: the file names no sector (pass --sector or --unit to choose)"};
  }
  if (sectors.size() > 1) {
    throw clv::Error::invalid_argument(fmt::format(
        "the customers belong to {} sectors ({}), whose plugins may use different time units; "
        "pass --unit day|week|month to summarize them together",
        sectors.size(), list_sectors(sectors)));
  }
  if (sectors.empty()) return {clv::TimeUnit::week(), "default: no customers with a sector"};
  const std::string& sector = sectors.begin()->first;
  if (sector.empty()) {
    return {clv::TimeUnit::week(), "default: the customers have no sector (pass --unit to choose)"};
  }
  const clv::PluginRegistry plugins = clv::cli::load_plugins(a.plugins, "summary");
  if (!plugins.has_sector(sector)) {
    return {clv::TimeUnit::week(),
            fmt::format("default: no plugin loaded for sector {} (pass --unit to choose)", sector)};
  }
  const clv::SectorPlugin plugin = plugins.for_sector(sector);
  return {plugin.economics().time_unit,
          fmt::format("from the {} plugin: all customers are in sector {}", plugin.id(), sector)};
}

void run(const SummaryArgs& a) {
  clv::SummaryPeriod period;
  period.calibration_end_day = parse_day(a.calibration_end, "--calibration-end");
  if (!a.holdout_end.empty()) period.holdout_end_day = parse_day(a.holdout_end, "--holdout-end");
  const UnitChoice unit = choose_unit(a);
  period.unit = unit.unit;

  clv::CustomerSummary summary;
  uint64_t rejects_written = 0;
  if (!a.transactions.empty()) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> rejects(nullptr, &std::fclose);
    clv::RejectSink sink;
    if (!a.rejects.empty()) {
      rejects.reset(std::fopen(a.rejects.c_str(), "wb"));
      if (!rejects) throw clv::Error::io(fmt::format("cannot write rejects file '{}'", a.rejects));
      fmt::print(rejects.get(), "line,reason,row\n");
      sink = [&](const clv::RejectedRow& r) {
        auto quote = [](const std::string& s) {
          std::string q = "\"";
          for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
          return q + "\"";
        };
        fmt::print(rejects.get(), "{},{},{}\n", r.line, quote(r.reason), quote(r.text));
        ++rejects_written;
      };
    }
    summary = clv::summarize_transaction_file(a.transactions, file_format(a), period, sink,
                                              clv::cli::progress_callback());
  } else {
    if (!a.maps.empty() || a.no_header) {
      throw clv::Error::invalid_argument(
          "--map and --no-header apply only with --transactions FILE");
    }
    summary = clv::summarize_database(a.db_path, period, clv::cli::progress_callback());
  }
  clv::write_summary_csv(summary, a.out);

  const auto& d = summary.diagnostics;
  clv::cli::progress().break_line();
  clv::cli::info("time unit: {} ({})", period.unit.describe(), unit.why);
  if (summary.monetary_value.empty() && summary.size() > 0) {
    clv::cli::info(
        "note: the file has no amount column, so the summary has no monetary_value "
        "(map one with --map amount=COLUMN)");
  }
  clv::cli::info(
      "customers: {} (calibration end {}{})", summary.size(),
      clv::format_date(period.calibration_end_day),
      period.holdout_end_day ? ", holdout end " + clv::format_date(*period.holdout_end_day) : "");
  clv::cli::info(
      "rows: {} read, {} used, {} not purchases (excluded), {} after the observation end, {} "
      "rejected",
      d.rows_read, d.rows_used, d.rows_not_purchase, d.rows_after_end, d.rows_rejected);
  if (d.rows_rejected > 0) {
    fmt::print(
        stderr, "warning: {} rows were rejected and are not in the summary{}\n", d.rows_rejected,
        a.rejects.empty() ? " (use --rejects FILE to list them all)" : ", listed in " + a.rejects);
    for (size_t i = 0; i < d.first_rejects.size() && i < 5; ++i) {
      fmt::print(stderr, "  line {}: {}\n", d.first_rejects[i].line, d.first_rejects[i].reason);
    }
  }
  if (a.json) {
    nlohmann::json rejected = nlohmann::json::array();
    for (const auto& r : d.first_rejects) {
      rejected.push_back({{"line", r.line}, {"reason", r.reason}, {"row", r.text}});
    }
    nlohmann::json j = {
        {"source", summary.source},
        {"out", a.out},
        {"time_unit",
         {{"name", period.unit.name}, {"days", period.unit.days}, {"chosen", unit.why}}},
        {"calibration_end", clv::format_date(period.calibration_end_day)},
        {"holdout_end", period.holdout_end_day
                            ? nlohmann::json(clv::format_date(*period.holdout_end_day))
                            : nlohmann::json(nullptr)},
        {"customers", summary.size()},
        {"has_amounts", !summary.monetary_value.empty() || summary.size() == 0},
        {"rows",
         {{"read", d.rows_read},
          {"used", d.rows_used},
          {"not_purchase", d.rows_not_purchase},
          {"after_end", d.rows_after_end},
          {"rejected", d.rows_rejected}}},
        {"customers_first_seen_in_holdout", d.customers_first_seen_in_holdout},
        {"customers_out_of_order", d.customers_out_of_order},
        {"complete", d.rows_rejected == 0},
        {"first_rejects", rejected},
    };
    if (summary.has_holdout()) j["duration_holdout"] = summary.duration_holdout;
    fmt::print("{}\n", j.dump(2));
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<SummaryArgs>();
  auto* cmd = app.add_subcommand(
      "summary",
      "Per-customer frequency, recency, T and mean repeat spend (only purchases count; "
      "same-day purchases are merged)");
  auto* tx = cmd->add_option("--transactions", args->transactions,
                             "Transaction file to stream (instead of the database)");
  clv::cli::add_db_option(*cmd, args->db_path);
  cmd->add_option(
         "--map", args->maps,
         "FIELD=COLUMN for customer_id, timestamp, amount, kind (name or 1-based position)")
      ->needs(tx);
  cmd->add_flag("--no-header", args->no_header, "The file has no header row")->needs(tx);
  cmd->add_option("--format", args->format, "csv, tsv, semicolon or whitespace")->needs(tx);
  cmd->add_flag("--amount-in-cents", args->cents, "File amounts are minor units")->needs(tx);
  cmd->add_option("--currency", args->currency,
                  "ISO 4217 code of the file's amounts (default USD): at most its decimals")
      ->needs(tx);
  cmd->add_option("--calibration-end", args->calibration_end, "Last calibration day (inclusive)")
      ->required();
  cmd->add_option("--holdout-end", args->holdout_end, "Last holdout day (inclusive)");
  cmd->add_option("--unit", args->unit,
                  "day, week, month, month:DAYS or Nd (default: the time unit of the customers' "
                  "sector plugin when they share one sector, else week)");
  cmd->add_option("--sector", args->sector,
                  "Sector of the customers (selects the plugin's time unit without --unit)");
  clv::cli::add_plugin_options(*cmd, args->plugins);
  cmd->add_option("--out", args->out, "Summary CSV to write")->required();
  cmd->add_option("--rejects", args->rejects, "Write every rejected row to this CSV")->needs(tx);
  cmd->add_flag("--json", args->json, "Print a JSON report on stdout");
  clv::cli::add_output_options(*cmd);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(40, setup);
