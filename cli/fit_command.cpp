// `clv fit`: maximum-likelihood fit of a model to a customer summary file.
#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "clv/calendar.hpp"
#include "clv/churn.hpp"
#include "clv/covariate_runs.hpp"
#include "clv/dynamic_covariates.hpp"
#include "clv/error.hpp"
#include "clv/fit_check.hpp"
#include "clv/models.hpp"
#include "clv/summarize.hpp"
#include "command_registry.hpp"

namespace {

struct FitArgs {
  std::string model, summary, out, db, calibration_end, holdout_end, time_unit = "week";
  std::string covariates;  // incidents,staff,static:COL[,...]: Pareto/NBD with covariates
  std::string plugin_dir, out_covariates;
  // Time-varying covariates: a transaction file and a per-period covariate file.
  std::string transactions, dynamic_covariates, covariate_id, covariate_date = "Date";
  std::vector<std::string> maps, covariate_columns;
  bool json = false, time_unit_given = false, no_store = false, snapshot = false;
  double l2 = 0.0;
  int threads = 0;
};

void print_table(const clv::FitResult& fit) {
  fmt::print("model {}: {} customers ({} distinct rows), time unit {}\n", fit.model,
             fit.n_customers, fit.n_rows, fit.time_unit.describe());
  fmt::print("{:<8} {:>14} {:>14}\n", "param", "estimate", "std_error");
  for (size_t i = 0; i < fit.params.size(); ++i) {
    fmt::print("{:<8} {:>14.6g} {:>14.6g}\n", fit.param_names[i], fit.params[i], fit.std_errors[i]);
  }
  fmt::print("log-likelihood {:.4f}  AIC {:.4f}  BIC {:.4f}\n", fit.log_likelihood, fit.aic,
             fit.bic);
  fmt::print("converged {} after {} iterations (gradient norm {:.3g})\n",
             fit.converged ? "yes" : "no", fit.iterations, fit.gradient_norm);
  if (fit.n_excluded > 0) {
    fmt::print(
        "note: {} customers with T = 0 (first purchase on the calibration-end day) carry no "
        "information and were left out of the fit; they are scored from the prior\n",
        fit.n_excluded);
  }
  for (const auto& warning : fit.warnings) fmt::print("warning: {}\n", warning);
}

// Prints the covariate fit: parameters with standard errors, then each
// covariate's scaling and its two gammas (per standard deviation).
void print_covariate_fit(const clv::CovariateParetoNbd& model) {
  print_table(model.fit);
  fmt::print("without covariates: log-likelihood {:.4f}\n", model.baseline.log_likelihood);
  const auto& f = model.fit;
  const size_t k = model.scaling.names.size();
  fmt::print("\n{:<26} {:>11} {:>11} {:>16} {:>16}\n", "covariate", "raw mean", "raw sd",
             "gamma_purchase", "gamma_dropout");
  for (size_t j = 0; j < k; ++j) {
    auto with_se = [&](double g, size_t at) {
      return at < f.std_errors.size() ? fmt::format("{:+.4f}({:.3f})", g, f.std_errors[at])
                                      : fmt::format("{:+.4f}", g);
    };
    fmt::print("{:<26} {:>11.4g} {:>11.4g} {:>16} {:>16}\n", model.scaling.names[j],
               model.scaling.mean[j], model.scaling.scale[j],
               with_se(model.gamma_purchase[j], 4 + j), with_se(model.gamma_dropout[j], 4 + k + j));
  }
  fmt::print("gammas are per standard deviation; dropout rate x exp(gamma_dropout' z)\n\n");
  fmt::print("{:<26} {:<9} {:>9} {:>9} {:>20} {:>8}  verdict\n", "covariate", "process", "gamma",
             "std_error", "90% interval", "p");
  for (const auto& e : clv::covariate_effects(model)) {
    fmt::print("{:<26} {:<9} {:>+9.4f} {:>9.4f} {:>20} {:>8.4f}  {}\n", e.covariate, e.process,
               e.gamma, e.std_error, fmt::format("[{:+.3f}, {:+.3f}]", e.lower90, e.upper90),
               e.p_value, e.verdict);
  }
  fmt::print(
      "clear: p < 0.05 (the 95% interval excludes 0); likely: p < 0.10 (only the 90% interval "
      "shown excludes 0); unclear effects may be noise\n");
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text << "\n";
  if (!out) throw clv::Error::io(fmt::format("cannot write {}", path));
}

void print_fit_check(const clv::FitCheck& c);

// `--covariates` with --db: summary and incident/staff/static covariates from
// the database, the fit stored as a run.
void run_db_covariates(const FitArgs& args) {
  int64_t seconds = 0;
  if (!clv::parse_timestamp(args.calibration_end, seconds)) {
    throw clv::Error::invalid_argument(fmt::format(
        "--db needs --calibration-end YYYY-MM-DD (the last day of the fit period), got '{}'",
        args.calibration_end));
  }
  clv::DbCovariateFitRequest request;
  request.db_path = args.db;
  request.calibration_end_day = clv::day_of(seconds);
  request.unit = clv::TimeUnit::parse(args.time_unit);
  if (!args.plugin_dir.empty()) request.plugin_dirs.push_back(args.plugin_dir);
  request.covariates = args.covariates;
  request.fit.threads = args.threads;
  request.fit.progress = clv::cli::progress_callback();
  request.snapshot = args.snapshot;
  request.store = !args.no_store;
  const clv::DbCovariateFit fit = clv::fit_db_covariate_run(request);
  const clv::CovariatePortfolio& portfolio = fit.portfolio;
  if (!args.out.empty()) write_text(args.out, fit.record_json);
  if (!args.out_covariates.empty()) {
    std::ofstream out(args.out_covariates);
    out << "customer_id," << fmt::format("{}", fmt::join(portfolio.covariates.names, ",")) << "\n";
    const size_t k = portfolio.covariates.n_covariates();
    for (size_t i = 0; i < portfolio.size(); ++i) {
      out << portfolio.customer_id[i];
      for (size_t j = 0; j < k; ++j) out << fmt::format(",{:.10g}", portfolio.covariates.at(i, j));
      out << "\n";
    }
    if (!out) throw clv::Error::io(fmt::format("cannot write {}", args.out_covariates));
  }
  if (args.json) {
    fmt::print("{}\n", fit.record_json);
    return;
  }
  fmt::print("{} customers from {} (calibration end {}), {} incidents used\n", portfolio.size(),
             args.db, fit.calibration_end, fit.incidents_used);
  for (const auto& note : fit.notes) fmt::print("note: {}\n", note);
  print_covariate_fit(fit.model);
  // The check of the plain model (the covariates' baseline) on the same data.
  print_fit_check(fit.baseline_check);
  if (fit.run_id) fmt::print("stored as run {} in {}\n", fit.run_id, args.db);
}

// `--covariates`: Pareto/NBD with covariates, static ones from a summary file
// or any from the database.
void run_with_covariates(const FitArgs& args) {
  if (args.model != "pnbd") {
    throw clv::Error::invalid_argument(
        fmt::format("--covariates is available for --model pnbd, not {}", args.model));
  }
  if (args.summary.empty() == args.db.empty()) {
    throw clv::Error::invalid_argument(
        "--covariates needs exactly one of --summary FILE (static:COL columns) or --db PATH "
        "--calibration-end YYYY-MM-DD (incidents, staff, static:COL)");
  }
  if (!args.db.empty()) return run_db_covariates(args);
  const clv::CovariatePortfolio data = clv::cli::progress_step(
      "read", clv::cli::file_bytes(args.summary), "bytes",
      [&] { return clv::read_static_covariate_portfolio(args.summary, args.covariates); });
  clv::TimeUnit unit = clv::TimeUnit::parse(args.time_unit);
  if (data.unit) {
    if (args.time_unit_given) {
      clv::require_same_unit(*data.unit, "the summary " + args.summary, unit,
                             "the fit (--unit " + args.time_unit + ")");
    }
    unit = *data.unit;
  }
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  options.progress = clv::cli::progress_callback();
  clv::CovariateParetoNbd model =
      clv::fit_covariate_pnbd(data.x, data.t_x, data.T, data.covariates, options);
  model.fit.time_unit = unit;
  const std::string json = clv::covariate_model_json(model);
  if (!args.out.empty()) write_text(args.out, json);
  if (args.json) {
    fmt::print("{}\n", clv::fit_result_to_json_text(model.fit));
  } else {
    print_covariate_fit(model);
  }
}

void print_fit_check(const clv::FitCheck& c) {
  fmt::print("{}", clv::fit_check_text(c));
}

// `--dynamic-covariates`: Pareto/NBD with time-varying covariates from a
// transaction file and a per-customer-per-period covariate file (CLVTools'
// apparelTrans and apparelDynCov).
void run_dynamic_covariates(const FitArgs& args) {
  if (args.model != "pnbd") {
    throw clv::Error::invalid_argument(
        fmt::format("--dynamic-covariates is available for --model pnbd, not {}", args.model));
  }
  if (args.transactions.empty() || !args.summary.empty() || !args.db.empty() ||
      !args.covariates.empty()) {
    throw clv::Error::invalid_argument(
        "--dynamic-covariates needs --transactions FILE (purchase dates per customer) and "
        "--calibration-end, without --summary, --db or --covariates");
  }
  int64_t seconds = 0;
  if (!clv::parse_timestamp(args.calibration_end, seconds)) {
    throw clv::Error::invalid_argument(fmt::format(
        "--dynamic-covariates needs --calibration-end YYYY-MM-DD (the last day of the fit "
        "period), got '{}'",
        args.calibration_end));
  }
  clv::DynamicCovariateFiles files;
  files.transactions = args.transactions;
  files.covariates = args.dynamic_covariates;
  for (const std::string& m : args.maps) {
    const auto [field, column] = clv::parse_field_mapping(m);
    if (field == "customer_id") {
      files.transaction_id_column = column;
    } else if (field == "timestamp") {
      files.transaction_date_column = column;
    } else if (field != "amount") {
      throw clv::Error::invalid_argument(
          fmt::format("--map {}: with --dynamic-covariates map customer_id and timestamp", m));
    }
  }
  files.covariate_id_column =
      args.covariate_id.empty() ? files.transaction_id_column : args.covariate_id;
  files.covariate_date_column = args.covariate_date;
  files.covariate_columns = args.covariate_columns;
  files.calibration_end_day = clv::day_of(seconds);
  files.unit = clv::TimeUnit::parse(args.time_unit);
  const clv::DynamicCovariateData data = clv::cli::progress_step(
      "read", clv::cli::file_bytes(files.transactions) + clv::cli::file_bytes(files.covariates),
      "bytes", [&] { return clv::read_dynamic_covariate_files(files); });
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  options.progress = clv::cli::progress_callback();
  clv::CovariateParetoNbd model =
      clv::fit_dynamic_pnbd(data.x, data.t_x, data.T, data.names, data.series, options);
  model.fit.time_unit = files.unit;
  const std::string json = clv::covariate_model_json(model);
  if (!args.out.empty()) write_text(args.out, json);
  if (args.json) {
    fmt::print("{}\n", clv::fit_result_to_json_text(model.fit));
    return;
  }
  fmt::print(
      "{} customers from {}, {} covariate rows from {} ({} periods before a first "
      "purchase dropped)\n",
      data.ids.size(), args.transactions, data.covariate_rows, args.dynamic_covariates,
      data.periods_before_first);
  print_covariate_fit(model);
}

// The customer summary from --summary FILE or from the database (--db with
// --calibration-end, and --holdout-end for the holdout counts), in `unit`.
clv::RfmData load_summary(const FitArgs& args, const clv::TimeUnit& unit,
                          std::vector<double>* holdout = nullptr,
                          double* holdout_length = nullptr) {
  if (args.summary.empty() == args.db.empty()) {
    throw clv::Error::invalid_argument(
        "pass exactly one of --summary FILE or --db PATH --calibration-end YYYY-MM-DD");
  }
  // The fit needs no customer ids: they are checked, not kept.
  if (!args.summary.empty()) {
    return clv::cli::progress_step("read", clv::cli::file_bytes(args.summary), "bytes", [&] {
      return clv::read_summary_file(args.summary, {.ids = false});
    });
  }
  int64_t seconds = 0;
  if (!clv::parse_timestamp(args.calibration_end, seconds)) {
    throw clv::Error::invalid_argument(fmt::format(
        "--db needs --calibration-end YYYY-MM-DD (the last day of the fit period), got '{}'",
        args.calibration_end));
  }
  clv::SummaryPeriod period;
  period.calibration_end_day = clv::day_of(seconds);
  period.unit = unit;
  if (!args.holdout_end.empty()) {
    int64_t end = 0;
    if (!clv::parse_timestamp(args.holdout_end, end) ||
        clv::day_of(end) <= period.calibration_end_day) {
      throw clv::Error::invalid_argument(
          fmt::format("--holdout-end '{}' must be a date (YYYY-MM-DD) after --calibration-end",
                      args.holdout_end));
    }
    period.holdout_end_day = clv::day_of(end);
  }
  const clv::CustomerSummary summary =
      clv::summarize_database(args.db, period, clv::cli::progress_callback());
  if (holdout && holdout_length && !args.holdout_end.empty()) {
    *holdout = summary.frequency_holdout;
    *holdout_length = summary.duration_holdout;
  }
  return clv::rfm_data_from_summary(summary);
}

void run(const FitArgs& args) {
  if (!args.dynamic_covariates.empty()) return run_dynamic_covariates(args);
  if (!args.transactions.empty()) {
    throw clv::Error::invalid_argument(
        "--transactions is for --dynamic-covariates; summarise the file with clv summary first");
  }
  if (!args.covariates.empty()) return run_with_covariates(args);
  const clv::TimeUnit unit = clv::TimeUnit::parse(args.time_unit);
  clv::FitOptions options;
  options.l2_penalty = args.l2;
  options.threads = args.threads;
  options.progress = clv::cli::progress_callback();
  clv::FitResult fit;
  clv::FitCheck check;
  if (args.model == "sbg") {
    // Retention files count periods (renewals); --time-unit gives their length.
    if (args.summary.empty()) {
      throw clv::Error::invalid_argument(
          "sbg needs --summary FILE with period,survivors or periods,churned columns");
    }
    fit = clv::fit_retention_file(args.summary, options, args.time_unit_given ? unit.days : 365.25);
  } else {
    std::vector<double> holdout;
    double holdout_length = 0;
    const clv::RfmData table = load_summary(args, unit, &holdout, &holdout_length);
    // A summary that records its unit is fitted in it; an explicit --unit
    // that disagrees is refused rather than silently reinterpreting times.
    clv::TimeUnit fit_unit = unit;
    if (table.unit) {
      if (args.time_unit_given) {
        clv::require_same_unit(*table.unit, "the summary " + args.summary, unit,
                               "the fit (--unit " + args.time_unit + ")");
      }
      fit_unit = *table.unit;
    }
    fit = clv::fit_model(args.model, table, options, fit_unit);
    check = clv::check_fit(fit, table, holdout, holdout_length);
  }
  std::string json = clv::fit_result_to_json_text(fit);
  if (check.supported) {
    nlohmann::json j = nlohmann::json::parse(json);
    j["fit_check"] = nlohmann::json::parse(clv::fit_check_json(check));
    json = j.dump(2);
  }
  if (!args.out.empty()) {
    std::ofstream out(args.out);
    out << json << "\n";
    if (!out) throw clv::Error::io(fmt::format("cannot write {}", args.out));
  }
  if (args.json) {
    fmt::print("{}\n", json);
  } else {
    print_table(fit);
    print_fit_check(check);
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<FitArgs>();
  auto* cmd =
      app.add_subcommand("fit", "Fit a CLV model (bgnbd, mbgnbd, gg, ...) by maximum likelihood");
  cmd->add_option("--model", args->model, "Model name: bgnbd, mbgnbd, pnbd, bgbb, gg, sbg")
      ->required();
  cmd->add_option("--summary", args->summary,
                  "Summary CSV: frequency,recency,T[,monetary_value] or x,t_x,T[,zbar] or "
                  "frequency,recency,periods[,weights]; for sbg period,survivors or "
                  "periods,churned[,count]");
  cmd->add_option("--db", args->db, "Fit on the summary of this database (clv import)");
  cmd->add_option("--calibration-end", args->calibration_end,
                  "With --db: last day of the fit period (YYYY-MM-DD, inclusive)");
  cmd->add_option("--holdout-end", args->holdout_end,
                  "With --db: last day of a holdout period (YYYY-MM-DD); the fit check then "
                  "compares holdout purchases too");
  cmd->add_option("--time-unit,--unit", args->time_unit,
                  "Unit of recency/T: day, week, month, Nd (default week); for sbg the length "
                  "of one period (default 365.25d)")
      ->each([args](const std::string&) { args->time_unit_given = true; });
  cmd->add_option("--l2", args->l2, "L2 penalty on log-parameters (default 0)");
  cmd->add_option("--threads", args->threads, "Threads for the likelihood (0 = all cores)");
  cmd->add_option("--covariates", args->covariates,
                  "pnbd only: with --summary static:COL[,...] columns of the file; with --db "
                  "incidents,staff[,static:COL...] (COL: segment, region, sector or an "
                  "attribute) or single columns (unresolved,satisfaction,resolution,empathy,...)");
  cmd->add_option("--plugin-dir", args->plugin_dir,
                  "With --db --covariates: directory with sector plugins (incident weights, SLA)");
  cmd->add_option("--out-covariates", args->out_covariates,
                  "With --db --covariates: also write each customer's raw covariates (CSV)");
  cmd->add_option("--dynamic-covariates", args->dynamic_covariates,
                  "pnbd only: time-varying covariates, one CSV row per customer per period "
                  "(id, period start date, covariate columns), with --transactions and "
                  "--calibration-end");
  cmd->add_option("--transactions", args->transactions,
                  "With --dynamic-covariates: transaction CSV (customer id and date per row)");
  cmd->add_option("--map", args->maps,
                  "With --transactions: customer_id=COLUMN, timestamp=COLUMN (header names)");
  cmd->add_option("--covariate-columns", args->covariate_columns,
                  "With --dynamic-covariates: covariate columns (default: all but id and date)")
      ->delimiter(',');
  cmd->add_option("--covariate-id", args->covariate_id,
                  "With --dynamic-covariates: id column of the covariate file (default: the "
                  "transactions' customer_id column name)");
  cmd->add_option("--covariate-date", args->covariate_date,
                  "With --dynamic-covariates: period start column of the covariate file "
                  "(default Date)");
  cmd->add_flag("--no-store", args->no_store,
                "With --db --covariates: do not store the fit as a run in the database");
  cmd->add_flag("--snapshot", args->snapshot,
                "With --db --covariates: incidents and staff as a snapshot at the calibration end "
                "(default: time-varying, each incident acting from when it happened)");
  cmd->add_option("--out", args->out, "Also write the JSON result to this file");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  clv::cli::add_output_options(*cmd);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(40, setup);
