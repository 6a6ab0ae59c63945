// `clv churn`: each customer's churn risk over a horizon, its risk band and
// main drivers, from Pareto/NBD with covariates: fitted to a summary file with
// static columns, fitted afresh on the database (--covariates), or the latest
// covariate fit stored by `clv fit --db --covariates`. The run is stored in
// the database.
#include <algorithm>
#include <numeric>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "churn/churn_run_store.hpp"
#include "churn/covariate_fit_record.hpp"
#include "churn/covariate_summary_csv.hpp"
#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "command_registry.hpp"
#include "domain/calendar.hpp"

namespace {

struct ChurnArgs {
  std::string summary, covariates, db, calibration_end, time_unit = "week", plugin_dir;
  int64_t run = 0;
  double horizon = 0.0;
  size_t top = 20;
  size_t drivers = 3;
  bool json = false;
  bool no_store = false;
  bool snapshot = false;
  bool plain = false;
  int threads = 0;
};

// Scores, stores and prints one portfolio.
void score_and_report(const ChurnArgs& args, const clv::CovariateParetoNbd& model,
                      const std::vector<std::string>& ids, const std::vector<double>& x,
                      const std::vector<double>& t_x, const std::vector<double>& T,
                      const clv::CovariateMatrix& raw, const std::string& source,
                      const std::vector<std::string>& notes,
                      const std::vector<double>& monetary = {});

// Plain Pareto/NBD on the database's summary: churn risk without covariates.
void run_plain(const ChurnArgs& args) {
  int64_t seconds = 0;
  if (!clv::parse_timestamp(args.calibration_end, seconds)) {
    throw clv::Error::invalid_argument(
        "churn without covariates needs --calibration-end YYYY-MM-DD (the last day of the fit "
        "period)");
  }
  clv::SummaryPeriod period;
  period.calibration_end_day = clv::day_of(seconds);
  period.unit = clv::TimeUnit::parse(args.time_unit);
  const clv::RfmData data = clv::rfm_data_from_summary(clv::summarize_database(args.db, period));
  if (data.size() < 2) {
    throw clv::Error::invalid_argument(
        fmt::format("{} has {} customers with a purchase by {}; churn needs more", args.db,
                    data.size(), args.calibration_end));
  }
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  clv::CovariateParetoNbd model = clv::plain_churn_model(data.x, data.t_x, data.T, options);
  model.fit.time_unit = period.unit;
  score_and_report(args, model, data.customer_id, data.x, data.t_x, data.T, clv::CovariateMatrix{},
                   fmt::format("sqlite:{} plain pnbd", args.db),
                   {fmt::format("Pareto/NBD without covariates (calibration end {}, time unit {})",
                                args.calibration_end, period.unit.name)},
                   data.monetary);
}

void run(const ChurnArgs& args) {
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  if (!args.summary.empty()) {
    if (args.covariates.empty()) {
      throw clv::Error::invalid_argument(
          "--summary needs --covariates static:COL[,static:COL...] (the covariate columns)");
    }
    const auto columns = clv::parse_static_covariate_spec(args.covariates);
    const clv::CovariateSummary data = clv::read_covariate_summary(args.summary, columns);
    const clv::CovariateParetoNbd model =
        clv::fit_covariate_pnbd(data.x, data.t_x, data.T, data.covariates, options);
    return score_and_report(args, model, data.ids, data.x, data.t_x, data.T, data.covariates,
                            args.summary, {});
  }
  if (args.plain) return run_plain(args);
  // From the database: a fresh fit with --covariates, else the stored covariate fit
  // (none stored and a --calibration-end given: the plain model).
  if (args.covariates.empty() && args.run == 0 && !args.calibration_end.empty() &&
      !clv::has_covariate_fit_run(args.db)) {
    return run_plain(args);
  }
  clv::CovariateFitRecord record;
  clv::DbCovariatePortfolio portfolio;
  int64_t fit_run = 0;
  if (!args.covariates.empty()) {
    int64_t seconds = 0;
    if (!clv::parse_timestamp(args.calibration_end, seconds)) {
      throw clv::Error::invalid_argument(
          "--db with --covariates needs --calibration-end YYYY-MM-DD (or leave --covariates out "
          "to score the latest covariate fit stored by clv fit --db)");
    }
    clv::DbCovariateOptions db_options;
    db_options.db_path = args.db;
    db_options.calibration_end_day = clv::day_of(seconds);
    db_options.unit = clv::TimeUnit::parse(args.time_unit);
    if (!args.plugin_dir.empty()) db_options.plugin_dirs.push_back(args.plugin_dir);
    clv::CovariateSpec spec = clv::parse_covariate_spec(args.covariates);
    spec.time_varying = !args.snapshot && (spec.incidents || spec.staff);
    portfolio = clv::load_db_covariate_portfolio(db_options, spec);
    record = clv::fit_db_covariates(portfolio, db_options, spec, options);
    if (!args.no_store) fit_run = clv::save_covariate_fit_run(args.db, record);
  } else {
    record = clv::load_covariate_fit_run(args.db, args.run, &fit_run);
    int64_t seconds = 0;
    clv::parse_timestamp(record.calibration_end, seconds);
    clv::DbCovariateOptions db_options;
    db_options.db_path = args.db;
    db_options.calibration_end_day = clv::day_of(seconds);
    db_options.unit = record.unit;
    portfolio = clv::load_db_covariate_portfolio(db_options, record.spec, &record);
  }
  std::vector<std::string> notes = record.notes;
  notes.insert(notes.begin(), fmt::format("covariate fit run {} (calibration end {}, time unit {})",
                                          fit_run, record.calibration_end, record.unit.name));
  score_and_report(args, record.model, portfolio.summary.customer_id, portfolio.summary.x,
                   portfolio.summary.t_x, portfolio.summary.T, portfolio.raw,
                   fmt::format("sqlite:{} fit run {}", args.db, fit_run), notes,
                   portfolio.summary.monetary);
}

void score_and_report(const ChurnArgs& args, const clv::CovariateParetoNbd& model,
                      const std::vector<std::string>& ids, const std::vector<double>& x,
                      const std::vector<double>& t_x, const std::vector<double>& T,
                      const clv::CovariateMatrix& raw, const std::string& source,
                      const std::vector<std::string>& given_notes,
                      const std::vector<double>& monetary) {
  std::vector<std::string> notes = given_notes;
  const size_t n = ids.size(), k = raw.n_covariates();
  std::vector<clv::CustomerChurn> scores(n);
  for (size_t i = 0; i < n; ++i) {
    const clv::CustomerHistory c{
        x[i], t_x[i], T[i],
        std::vector<double>(raw.values.begin() + static_cast<long>(i * k),
                            raw.values.begin() + static_cast<long>((i + 1) * k))};
    scores[i] = {ids[i], clv::predict_churn(model, c, args.horizon),
                 clv::churn_drivers(model, c, args.horizon, args.drivers)};
  }
  int64_t run_id = 0;
  if (!args.no_store) run_id = clv::save_churn_run(args.db, source, model, args.horizon, scores);

  // The at-risk list: value at risk (alive, likely to churn, worth keeping).
  std::string spend_note;
  const std::vector<double> spend = clv::spend_per_purchase(x, monetary, &spend_note);
  notes.push_back(spend_note);
  std::vector<clv::ChurnPrediction> predictions(n);
  std::vector<double> var(n);
  for (size_t i = 0; i < n; ++i) {
    predictions[i] = scores[i].prediction;
    var[i] = clv::value_at_risk(predictions[i], spend[i], args.horizon);
  }
  const std::vector<size_t> order = clv::at_risk_order(var, predictions, args.top);
  const std::vector<clv::CovariateEffect> effects = clv::covariate_effects(model);

  if (args.json) {
    nlohmann::json out;
    out["run_id"] = run_id;
    out["horizon"] = args.horizon;
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
  fmt::print("Pareto/NBD with covariates: {} customers, LL {:.3f} (without covariates {:.3f})\n", n,
             model.fit.log_likelihood, model.baseline.log_likelihood);
  fmt::print("{:<24} {:>12} {:>12}\n", "parameter", "estimate", "std_error");
  for (size_t i = 0; i < model.fit.params.size(); ++i) {
    fmt::print("{:<24} {:>12.5g} {:>12.5g}\n", model.fit.param_names[i], model.fit.params[i],
               model.fit.std_errors[i]);
  }
  for (const auto& e : effects) fmt::print("effect: {} [{}]\n", e.words, e.verdict);
  for (const auto& note : notes) fmt::print("note: {}\n", note);
  if (run_id) fmt::print("stored as run {} in {}\n", run_id, args.db);
  fmt::print(
      "\nat risk over {} time units (value at risk = P(alive) x P(churn | alive) x spend if "
      "kept):\n",
      args.horizon);
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
                  "With --db --covariates: day, week, month, Nd (default week)");
  cmd->add_option("--plugin-dir", args->plugin_dir,
                  "With --db --covariates: directory with sector plugins");
  cmd->add_option("--horizon", args->horizon, "Horizon in the summary's time unit")->required();
  cmd->add_option("--top", args->top, "Show the N customers at highest risk (default 20)");
  cmd->add_option("--drivers", args->drivers, "Drivers per customer (default 3)");
  cmd->add_option("--threads", args->threads, "Threads for the likelihood (0 = all cores)");
  cmd->add_flag("--json", args->json, "Print JSON");
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
