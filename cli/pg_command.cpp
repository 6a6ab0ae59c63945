// `clv pg`: the CRM's own PostgreSQL as source and sink. `clv pg run` pushes
// the summary down as SQL, fits on the histogram, scores every customer and
// writes the scores back in one transaction; `clv pg summary` writes the
// pushed-down summary as CSV. The connection string comes from --source or
// CLV_SOURCE (or --source-file) and is printed only with its password hidden.
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/postgres.hpp"
#include "clv/summarize.hpp"
#include "command_registry.hpp"

namespace {

struct PgArgs {
  std::string source, source_file, mapping;
  std::string calibration_end, holdout_end, unit = "week";
  std::string model = "pnbd", run_id, out;
  double horizon = 52, margin = 1.0, discount_rate = 0;
  bool no_spend = false, json = false;
  int threads = 0;
};

int64_t parse_day(const std::string& text, const char* option) {
  int64_t seconds = 0;
  if (!clv::parse_timestamp(text, seconds)) {
    throw clv::Error::invalid_argument(
        fmt::format("{} '{}' is not a date: use YYYY-MM-DD, e.g. 2026-06-30", option, text));
  }
  return clv::day_of(seconds);
}

std::string conninfo(const PgArgs& a) {
  if (!a.source_file.empty()) return clv::read_conninfo_file(a.source_file);
  if (a.source.empty()) {
    throw clv::Error::invalid_argument(
        "no PostgreSQL source: pass --source 'postgresql://user@host/db', set CLV_SOURCE, or "
        "--source-file FILE");
  }
  return a.source;
}

clv::PgMapping mapping(const PgArgs& a) {
  return a.mapping.empty() ? clv::default_pg_mapping() : clv::load_pg_mapping(a.mapping);
}

clv::SummaryPeriod period(const PgArgs& a) {
  clv::SummaryPeriod p;
  p.calibration_end_day = parse_day(a.calibration_end, "--calibration-end");
  if (!a.holdout_end.empty()) p.holdout_end_day = parse_day(a.holdout_end, "--holdout-end");
  p.unit = clv::TimeUnit::parse(a.unit);
  return p;
}

nlohmann::json transfer_json(const clv::PgTransfer& t) {
  return {{"bytes_received", t.bytes_received},
          {"rows_received", t.rows_received},
          {"bytes_sent", t.bytes_sent},
          {"rows_sent", t.rows_sent}};
}

void run_job(const PgArgs& a) {
  const std::string info = conninfo(a);
  clv::PgPipelineOptions o;
  o.period = period(a);
  o.count_model = a.model;
  o.fit_spend_model = !a.no_spend;
  o.score.horizon = a.horizon;
  o.score.margin = a.margin;
  o.score.annual_discount_rate = a.discount_rate;
  o.run_id = a.run_id;
  o.fit_threads = a.threads;
  const clv::PgMapping m = mapping(a);
  const clv::PgPipelineResult r = clv::run_pg_pipeline(info, m, o);
  if (a.json) {
    fmt::print("{}\n", clv::pg_pipeline_result_json(r, info, m, o));
    return;
  }
  const auto& d = r.diagnostics;
  fmt::print("source: postgresql:{}\n", clv::redact_conninfo(info));
  fmt::print("run {}: {} customers scored into {} ({} fitted on {} histogram rows{})\n", r.run_id,
             r.customers_scored, m.scores_table, r.count_fit.model, r.histogram_rows,
             r.spend_fit ? ", gg on repeat buyers" : ", no spend model");
  fmt::print("rows: {} read, {} used, {} not purchases, {} after the end, {} rejected\n",
             d.rows_read, d.rows_used, d.rows_not_purchase, d.rows_after_end, d.rows_rejected);
  fmt::print("transfer: {} bytes in ({} rows), {} bytes out ({} rows)\n", r.transfer.bytes_received,
             r.transfer.rows_received, r.transfer.bytes_sent, r.transfer.rows_sent);
}

void run_summary(const PgArgs& a) {
  const std::string info = conninfo(a);
  auto source = clv::PgSource::connect(info, mapping(a));
  const clv::CustomerSummary s = source->summary(period(a));
  clv::write_summary_csv(s, a.out);
  const auto& d = s.diagnostics;
  fmt::print(stderr, "customers: {} from postgresql:{}\n", s.size(), clv::redact_conninfo(info));
  fmt::print(stderr, "rows: {} read, {} used, {} not purchases, {} after the end, {} rejected\n",
             d.rows_read, d.rows_used, d.rows_not_purchase, d.rows_after_end, d.rows_rejected);
  if (a.json) {
    fmt::print("{}\n", nlohmann::json({{"customers", s.size()},
                                       {"out", a.out},
                                       {"transfer", transfer_json(source->transfer())}})
                           .dump(2));
  }
}

void add_common(CLI::App& cmd, PgArgs& a) {
  cmd.add_option("--source", a.source, "libpq connection string or postgresql:// URI")
      ->envname("CLV_SOURCE");
  cmd.add_option("--source-file", a.source_file,
                 "File whose first line is the connection string (keeps passwords off argv)");
  cmd.add_option("--mapping", a.mapping,
                 "TOML/JSON mapping of the CRM's tables (default: the engine's own schema)");
  cmd.add_option("--calibration-end", a.calibration_end, "Last calibration day (inclusive)")
      ->required();
  cmd.add_option("--holdout-end", a.holdout_end, "Last holdout day (inclusive)");
  cmd.add_option("--unit", a.unit, "Time unit: day, week, month, Nd");
  cmd.add_flag("--json", a.json, "Print the result as JSON");
}

void setup(CLI::App& app) {
  auto* pg = app.add_subcommand(
      "pg", "The CRM's PostgreSQL as source and sink (summary pushed down as SQL)");
  pg->require_subcommand(1);
  clv::cli::add_output_options(*pg);
  auto a = std::make_shared<PgArgs>();
  auto* run = pg->add_subcommand(
      "run", "Fit on the pushed-down histogram, score every customer, write the scores back");
  add_common(*run, *a);
  run->add_option("--model", a->model, "Purchase-count model: pnbd, bgnbd, mbgnbd");
  run->add_option("--horizon", a->horizon, "Horizon in the time unit");
  run->add_option("--margin", a->margin, "Profit share of spend");
  run->add_option("--discount-rate", a->discount_rate, "Annual discount rate");
  run->add_option("--run-id", a->run_id, "Run id (re-running it replaces its rows)");
  run->add_flag("--no-spend-model", a->no_spend, "Skip Gamma-Gamma (no CLV)");
  run->add_option("--threads", a->threads, "Fit threads (0 = all cores)");
  clv::cli::add_output_options(*run);
  run->callback([a] { run_job(*a); });
  auto* summary = pg->add_subcommand("summary", "Write the pushed-down customer summary as CSV");
  add_common(*summary, *a);
  summary->add_option("--out", a->out, "Summary CSV to write")->required();
  clv::cli::add_output_options(*summary);
  summary->callback([a] { run_summary(*a); });
}

}  // namespace

CLV_REGISTER_COMMAND(45, setup);
