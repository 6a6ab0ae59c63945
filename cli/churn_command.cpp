// `clv churn`: each customer's churn risk over a horizon, its risk band and
// main drivers, from Pareto/NBD with covariates: fitted to a summary file with
// static columns, fitted afresh on the database (--covariates), or the latest
// covariate fit stored by `clv fit --db --covariates`. The run is stored in
// the database. The work is clv::run_churn (clv/churn_run.hpp), which the
// Engine, the C API and HTTP call too; this file parses and prints.
#include <string>

#include <fmt/format.h>

#include "cli_output.hpp"
#include "clv/calendar.hpp"
#include "clv/churn_run.hpp"
#include "clv/error.hpp"
#include "command_registry.hpp"

namespace {

struct ChurnArgs {
  std::string summary, covariates, db, calibration_end, time_unit = "week", plugin_dir;
  int64_t run = 0;
  double horizon = 0.0;
  size_t top = 20;
  size_t drivers = 3;
  bool json = false;
  bool no_store = false, time_unit_given = false;
  bool snapshot = false;
  bool plain = false;
  int threads = 0;
};

clv::ChurnFitRequest request_of(const ChurnArgs& args) {
  clv::ChurnFitRequest r;
  r.summary_path = args.summary;
  r.covariates = args.covariates;
  r.run = args.run;
  if (!args.calibration_end.empty()) {
    int64_t seconds = 0;
    if (!clv::parse_timestamp(args.calibration_end, seconds)) {
      throw clv::Error::invalid_argument(fmt::format(
          "--calibration-end '{}' is not a date: use YYYY-MM-DD", args.calibration_end));
    }
    r.calibration_end_day = clv::day_of(seconds);
  }
  if (args.time_unit_given) r.unit = clv::TimeUnit::parse(args.time_unit);
  if (!args.plugin_dir.empty()) r.plugin_dirs.push_back(args.plugin_dir);
  r.horizon = args.horizon;
  r.top = args.top;
  r.drivers = args.drivers;
  r.plain = args.plain;
  r.snapshot = args.snapshot;
  r.store = !args.no_store;
  r.threads = args.threads;
  r.progress = clv::cli::progress_callback();
  return r;
}

void print_text(const clv::ChurnFitResult& r, const std::string& db) {
  const clv::CovariateParetoNbd& model = r.model;
  if (model.scaling.names.empty()) {
    fmt::print("Pareto/NBD without covariates: {} customers, LL {:.3f}\n", r.customers,
               model.fit.log_likelihood);
  } else {
    fmt::print("Pareto/NBD with covariates: {} customers, LL {:.3f} (without covariates {:.3f})\n",
               r.customers, model.fit.log_likelihood, model.baseline.log_likelihood);
  }
  fmt::print("{:<24} {:>12} {:>12}\n", "parameter", "estimate", "std_error");
  for (size_t i = 0; i < model.fit.params.size(); ++i) {
    fmt::print("{:<24} {:>12.5g} {:>12.5g}\n", model.fit.param_names[i], model.fit.params[i],
               model.fit.std_errors[i]);
  }
  for (const auto& e : r.effects) fmt::print("effect: {} [{}]\n", e.words, e.verdict);
  for (const auto& note : r.notes) fmt::print("note: {}\n", note);
  // The plain model against the data, as `clv fit` prints it (MISFIT warnings).
  fmt::print("{}", clv::fit_check_text(r.fit_check));
  if (r.run_id) fmt::print("stored as run {} in {}\n", r.run_id, db);
  fmt::print(
      "\nat risk over the next {} {} (value at risk = P(alive) x P(churn | alive) x spend if "
      "kept):\n",
      r.horizon, r.unit ? "x " + r.unit->name : std::string("time units"));
  fmt::print("{:<16} {:>8} {:>10} {:>10} {:>12} {:<9} drivers\n", "customer_id", "p_alive",
             "churn_risk", "if_alive", "value_at_risk", "band");
  for (size_t i : r.at_risk.order) {
    const auto& s = r.scores[i];
    std::string drivers;
    for (const auto& d : s.drivers) {
      drivers += fmt::format("{}{} {:+.3f}", drivers.empty() ? "" : ", ", d.covariate, d.effect);
    }
    fmt::print("{:<16} {:>8.4f} {:>10.4f} {:>10.4f} {:>12.2f} {:<9} {}\n", s.customer,
               s.prediction.p_alive, s.prediction.churn_risk, s.prediction.risk_if_alive,
               r.at_risk.value_at_risk[i],
               clv::risk_band_name(clv::risk_band(s.prediction.churn_risk)), drivers);
  }
}

void run(const ChurnArgs& args) {
  const clv::ChurnFitResult result = clv::run_churn(args.db, request_of(args));
  if (args.json) {
    fmt::print("{}\n", clv::churn_result_json(result, 2));
  } else {
    print_text(result, args.db);
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ChurnArgs>();
  auto* cmd = app.add_subcommand(
      "churn", "Churn risk per customer from Pareto/NBD with covariates (risk band, drivers)");
  cmd->add_option("--summary", args->summary,
                  "Summary CSV: customer_id,frequency,recency,T plus covariate columns (without "
                  "it: the database's summary and covariates)");
  cmd->add_option("--covariates", args->covariates,
                  "With --summary static:COL[,...]; without it, fit afresh on the database "
                  "with incidents,staff[,static:COL...] (needs --calibration-end)");
  cmd->add_option("--run", args->run,
                  "Without --summary/--covariates: the covariate fit run to score (default: the "
                  "latest stored by clv fit --db --covariates)");
  cmd->add_option("--calibration-end", args->calibration_end,
                  "With --db --covariates: last day of the fit period (YYYY-MM-DD)");
  cmd->add_option("--time-unit,--unit", args->time_unit,
                  "With --db --covariates: day, week, month, Nd (default week); otherwise "
                  "the unit of --horizon, which must be the summary's or the stored fit's")
      ->each([args](const std::string&) { args->time_unit_given = true; });
  cmd->add_option("--plugin-dir", args->plugin_dir,
                  "With --db --covariates: directory with sector plugins");
  cmd->add_option("--horizon", args->horizon, "Horizon in the summary's time unit")->required();
  cmd->add_option("--top", args->top, "Show the N customers at highest risk (default 20)");
  cmd->add_option("--drivers", args->drivers, "Drivers per customer (default 3)");
  cmd->add_option("--threads", args->threads, "Threads for the likelihood (0 = all cores)");
  cmd->add_flag("--json", args->json, "Print JSON");
  clv::cli::add_output_options(*cmd);
  cmd->add_flag("--plain", args->plain,
                "From the database without covariates: plain Pareto/NBD at --calibration-end "
                "(also used when the database holds no covariate fit)");
  cmd->add_flag("--no-store", args->no_store, "Do not store the run in the database");
  cmd->add_flag("--snapshot", args->snapshot,
                "With --db --covariates: incidents and staff as a snapshot at the calibration end "
                "(default: time-varying)");
  clv::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(47, setup);
