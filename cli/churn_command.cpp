// `clv churn`: each customer's churn risk over a horizon, its risk band and
// main drivers, from Pareto/NBD with covariates: fitted to a summary file with
// static columns, fitted afresh on the database (--covariates), or the latest
// covariate fit stored by `clv fit --db --covariates`. The run is stored in
// the database.
#include <algorithm>
#include <numeric>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "clv/calendar.hpp"
#include "clv/churn.hpp"
#include "clv/covariate_runs.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"
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

// Scores, stores and prints one portfolio.
void score_and_report(const ChurnArgs& args, const clv::CovariateParetoNbd& model,
                      const clv::CovariatePortfolio& portfolio, const std::string& source,
                      const std::vector<std::string>& notes,
                      const std::optional<clv::TimeUnit>& unit);

// The database's request, from the options shared by fresh and plain fits.
clv::DbCovariateFitRequest db_request(const ChurnArgs& args,
                                      const clv::CovariateFitOptions& options, const char* what) {
  int64_t seconds = 0;
  if (!clv::parse_timestamp(args.calibration_end, seconds)) {
    throw clv::Error::invalid_argument(what);
  }
  clv::DbCovariateFitRequest request;
  request.db_path = args.db;
  request.calibration_end_day = clv::day_of(seconds);
  request.unit = clv::TimeUnit::parse(args.time_unit);
  if (!args.plugin_dir.empty()) request.plugin_dirs.push_back(args.plugin_dir);
  request.covariates = args.covariates;
  request.fit = options;
  request.snapshot = args.snapshot;
  request.store = !args.no_store;
  return request;
}

// Plain Pareto/NBD on the database's summary: churn risk without covariates.
void run_plain(const ChurnArgs& args, const clv::CovariateFitOptions& options) {
  const clv::DbCovariateFit fit = clv::fit_db_plain_churn(db_request(
      args, options,
      "churn without covariates needs --calibration-end YYYY-MM-DD (the last day of the fit "
      "period)"));
  score_and_report(args, fit.model, fit.portfolio, fmt::format("sqlite:{} plain pnbd", args.db),
                   fit.notes, fit.unit);
}

void run(const ChurnArgs& args) {
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  options.progress = clv::cli::progress_callback();
  if (!args.summary.empty()) {
    if (args.covariates.empty()) {
      throw clv::Error::invalid_argument(
          "--summary needs --covariates static:COL[,static:COL...] (the covariate columns)");
    }
    const clv::CovariatePortfolio data =
        clv::read_static_covariate_portfolio(args.summary, args.covariates);
    if (data.unit && args.time_unit_given) {
      clv::require_same_unit(*data.unit, "the summary " + args.summary,
                             clv::TimeUnit::parse(args.time_unit),
                             "the horizon (--unit " + args.time_unit + ")");
    }
    const clv::CovariateParetoNbd model =
        clv::fit_covariate_pnbd(data.x, data.t_x, data.T, data.covariates, options);
    std::optional<clv::TimeUnit> unit = data.unit;
    if (!unit && args.time_unit_given) unit = clv::TimeUnit::parse(args.time_unit);
    return score_and_report(args, model, data, args.summary, {}, unit);
  }
  if (args.plain) return run_plain(args, options);
  // From the database: a fresh fit with --covariates, else the stored covariate
  // fit (none stored and a --calibration-end given: the plain model).
  if (args.covariates.empty() && args.run == 0 && !args.calibration_end.empty() &&
      !clv::has_stored_covariate_fit(args.db)) {
    return run_plain(args, options);
  }
  clv::DbCovariateFit fit;
  if (!args.covariates.empty()) {
    fit = clv::fit_db_covariate_run(db_request(
        args, options,
        "--db with --covariates needs --calibration-end YYYY-MM-DD (or leave --covariates out "
        "to score the latest covariate fit stored by clv fit --db)"));
  } else {
    fit = clv::load_db_covariate_run(args.db, args.run);
    if (args.time_unit_given) {
      clv::require_same_unit(fit.unit, fmt::format("the covariate fit run {}", fit.run_id),
                             clv::TimeUnit::parse(args.time_unit),
                             "the horizon (--unit " + args.time_unit + ")");
    }
  }
  std::vector<std::string> notes = fit.notes;
  notes.insert(notes.begin(), fmt::format("covariate fit run {} (calibration end {}, time unit {})",
                                          fit.run_id, fit.calibration_end, fit.unit.name));
  score_and_report(args, fit.model, fit.portfolio,
                   fmt::format("sqlite:{} fit run {}", args.db, fit.run_id), notes, fit.unit);
}

void score_and_report(const ChurnArgs& args, const clv::CovariateParetoNbd& model,
                      const clv::CovariatePortfolio& portfolio, const std::string& source,
                      const std::vector<std::string>& given_notes,
                      const std::optional<clv::TimeUnit>& unit) {
  const size_t n = portfolio.size();
  const std::vector<clv::ChurnScore> scores =
      clv::score_churn(model, portfolio, args.horizon, args.drivers, clv::cli::progress_callback());
  int64_t run_id = 0;
  if (!args.no_store)
    run_id = clv::store_churn_run(args.db, source, model, args.horizon, scores, unit);

  // The at-risk list: value at risk (alive, likely to churn, worth keeping).
  const clv::AtRiskList at_risk = clv::rank_at_risk(scores, portfolio, args.horizon, args.top);
  std::vector<std::string> notes = given_notes;
  notes.push_back(at_risk.spend_note);
  const std::vector<size_t>& order = at_risk.order;
  const std::vector<double>& var = at_risk.value_at_risk;
  const std::vector<clv::CovariateEffect> effects = clv::covariate_effects(model);

  if (args.json) {
    nlohmann::json out;
    out["run_id"] = run_id;
    out["horizon"] = args.horizon;
    out["time_unit"] = unit ? nlohmann::json(unit->name) : nlohmann::json();
    out["model"] = nlohmann::json::parse(clv::covariate_model_json(model));
    out["notes"] = notes;
    nlohmann::json params = nlohmann::json::array();
    for (size_t i = 0; i < model.fit.params.size(); ++i) {
      params.push_back({{"name", model.fit.param_names[i]},
                        {"estimate", model.fit.params[i]},
                        {"std_error", model.fit.std_errors[i]}});
    }
    out["parameters"] = params;
    nlohmann::json effect_list = nlohmann::json::array();
    for (const auto& e : effects) {
      effect_list.push_back({{"covariate", e.covariate},
                             {"process", e.process},
                             {"gamma", e.gamma},
                             {"std_error", e.std_error},
                             {"lower90", e.lower90},
                             {"upper90", e.upper90},
                             {"p_value", e.p_value},
                             {"verdict", e.verdict},
                             {"words", e.words}});
    }
    out["effects"] = effect_list;
    out["ranking"] = "value_at_risk = p_alive x risk_if_alive x spend if kept over the horizon";
    nlohmann::json customers = nlohmann::json::array();
    for (size_t i : order) {
      const auto& s = scores[i];
      nlohmann::json drivers = nlohmann::json::array();
      for (const auto& d : s.drivers)
        drivers.push_back({{"covariate", d.covariate}, {"effect", d.effect}});
      customers.push_back(
          {{"customer", s.customer},
           {"p_alive", s.prediction.p_alive},
           {"churn_risk", s.prediction.churn_risk},
           {"risk_if_alive", s.prediction.risk_if_alive},
           {"value_at_risk", var[i]},
           {"risk_band", clv::risk_band_name(clv::risk_band(s.prediction.churn_risk))},
           {"expected_purchases", s.prediction.expected_purchases},
           {"drivers", drivers}});
    }
    out["customers"] = customers;
    fmt::print("{}\n", out.dump(2));
    return;
  }
  if (model.scaling.names.empty()) {
    fmt::print("Pareto/NBD without covariates: {} customers, LL {:.3f}\n", n,
               model.fit.log_likelihood);
  } else {
    fmt::print("Pareto/NBD with covariates: {} customers, LL {:.3f} (without covariates {:.3f})\n",
               n, model.fit.log_likelihood, model.baseline.log_likelihood);
  }
  fmt::print("{:<24} {:>12} {:>12}\n", "parameter", "estimate", "std_error");
  for (size_t i = 0; i < model.fit.params.size(); ++i) {
    fmt::print("{:<24} {:>12.5g} {:>12.5g}\n", model.fit.param_names[i], model.fit.params[i],
               model.fit.std_errors[i]);
  }
  for (const auto& e : effects) fmt::print("effect: {} [{}]\n", e.words, e.verdict);
  for (const auto& note : notes) fmt::print("note: {}\n", note);
  if (run_id) fmt::print("stored as run {} in {}\n", run_id, args.db);
  fmt::print(
      "\nat risk over the next {} {} (value at risk = P(alive) x P(churn | alive) x spend if "
      "kept):\n",
      args.horizon, unit ? "x " + unit->name : std::string("time units"));
  fmt::print("{:<16} {:>8} {:>10} {:>10} {:>12} {:<9} drivers\n", "customer", "p_alive",
             "churn_risk", "if_alive", "value_at_risk", "band");
  for (size_t i : order) {
    const auto& s = scores[i];
    std::string drivers;
    for (const auto& d : s.drivers) {
      drivers += fmt::format("{}{} {:+.3f}", drivers.empty() ? "" : ", ", d.covariate, d.effect);
    }
    fmt::print("{:<16} {:>8.4f} {:>10.4f} {:>10.4f} {:>12.2f} {:<9} {}\n", s.customer,
               s.prediction.p_alive, s.prediction.churn_risk, s.prediction.risk_if_alive, var[i],
               clv::risk_band_name(clv::risk_band(s.prediction.churn_risk)), drivers);
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
