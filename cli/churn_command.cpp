// `clv churn`: fits Pareto/NBD with static covariates to a summary file and
// reports each customer's churn risk over a horizon, its risk band and main
// drivers; the run is stored in the database.
#include <algorithm>
#include <numeric>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "churn/churn_run_store.hpp"
#include "churn/covariate_summary_csv.hpp"
#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "command_registry.hpp"

namespace {

struct ChurnArgs {
  std::string summary, covariates, db;
  double horizon = 0.0;
  size_t top = 20;
  size_t drivers = 3;
  bool json = false;
  bool no_store = false;
  int threads = 0;
};

void run(const ChurnArgs& args) {
  if (args.summary.empty()) {
    throw clv::Error::invalid_argument(
        "pass --summary FILE (customer_id,frequency,recency,T and the covariate columns)");
  }
  const auto columns = clv::parse_static_covariate_spec(args.covariates);
  const clv::CovariateSummary data = clv::read_covariate_summary(args.summary, columns);
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  const clv::CovariateParetoNbd model =
      clv::fit_covariate_pnbd(data.x, data.t_x, data.T, data.covariates, options);

  const size_t n = data.ids.size(), k = columns.size();
  std::vector<clv::CustomerChurn> scores(n);
  for (size_t i = 0; i < n; ++i) {
    const clv::CustomerHistory c{
        data.x[i], data.t_x[i], data.T[i],
        std::vector<double>(data.covariates.values.begin() + static_cast<long>(i * k),
                            data.covariates.values.begin() + static_cast<long>((i + 1) * k))};
    scores[i] = {data.ids[i], clv::predict_churn(model, c, args.horizon),
                 clv::churn_drivers(model, c, args.horizon, args.drivers)};
  }
  int64_t run_id = 0;
  if (!args.no_store)
    run_id = clv::save_churn_run(args.db, args.summary, model, args.horizon, scores);

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return scores[a].prediction.churn_risk > scores[b].prediction.churn_risk;
  });
  order.resize(std::min(args.top, n));

  if (args.json) {
    nlohmann::json out;
    out["run_id"] = run_id;
    out["horizon"] = args.horizon;
    out["model"] = nlohmann::json::parse(clv::covariate_model_json(model));
    nlohmann::json params = nlohmann::json::array();
    for (size_t i = 0; i < model.fit.params.size(); ++i) {
      params.push_back({{"name", model.fit.param_names[i]},
                        {"estimate", model.fit.params[i]},
                        {"std_error", model.fit.std_errors[i]}});
    }
    out["parameters"] = params;
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
  if (run_id) fmt::print("stored as run {} in {}\n", run_id, args.db);
  fmt::print("\nhighest churn risk over {} time units:\n", args.horizon);
  fmt::print("{:<16} {:>8} {:>10} {:<9} drivers\n", "customer", "p_alive", "churn_risk", "band");
  for (size_t i : order) {
    const auto& s = scores[i];
    std::string drivers;
    for (const auto& d : s.drivers) {
      drivers += fmt::format("{}{} {:+.3f}", drivers.empty() ? "" : ", ", d.covariate, d.effect);
    }
    fmt::print("{:<16} {:>8.4f} {:>10.4f} {:<9} {}\n", s.customer, s.prediction.p_alive,
               s.prediction.churn_risk,
               clv::risk_band_name(clv::risk_band(s.prediction.churn_risk)), drivers);
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ChurnArgs>();
  auto* cmd = app.add_subcommand(
      "churn", "Churn risk per customer from Pareto/NBD with covariates (risk band, drivers)");
  cmd->add_option("--summary", args->summary,
                  "Summary CSV: customer_id,frequency,recency,T plus covariate columns")
      ->required();
  cmd->add_option("--covariates", args->covariates, "static:COL[,static:COL...]")->required();
  cmd->add_option("--horizon", args->horizon, "Horizon in the summary's time unit")->required();
  cmd->add_option("--top", args->top, "Show the N customers at highest risk (default 20)");
  cmd->add_option("--drivers", args->drivers, "Drivers per customer (default 3)");
  cmd->add_option("--threads", args->threads, "Threads for the likelihood (0 = all cores)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->add_flag("--no-store", args->no_store, "Do not store the run in the database");
  clv::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(47, setup);
