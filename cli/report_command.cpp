// `clv report --out report.html`: one self-contained HTML report of a fitted
// run. Runs are not stored in the database yet, so the run is given as files:
// the summary CSV and the parameter JSON written by `clv fit --out` (plus
// optionally the gg fit, customers.csv and a scenario file to include). With
// --calibration-end, the purchases per period are read from the transactions
// (--transactions FILE, else the database) for the tracking charts; with
// --churn-run, churn risk and its drivers come from a stored `clv churn` run.
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_output.hpp"
#include "clv/error.hpp"
#include "clv/run_report.hpp"
#include "clv/scenario.hpp"
#include "clv/service_report.hpp"
#include "clv/service_run.hpp"
#include "clv/summarize.hpp"
#include "clv/whatif.hpp"
#include "command_registry.hpp"
#include "purchase_history_options.hpp"
#include "sector_plugins.hpp"
#include "word_of_mouth_options.hpp"

namespace {

struct ReportArgs {
  std::string out, summary, params, spend_params, customers, scenarios, currency, run_dir;
  clv::cli::PluginArgs plugins;
  std::string db_path, churn_run, service_by;
  std::map<std::string, double> wom;  // --wom-<field>: word-of-mouth assumptions
  clv::cli::PurchaseHistoryArgs history;
  double horizon = 52, margin = 1.0, discount_rate = 0;
  int draws = 200;
  unsigned long long seed = 20261123;
};

void run(const ReportArgs& args) {
  // The report's steps; the what-if draws report their own stage in between.
  const clv::ProgressCallback progress = clv::cli::progress_callback();
  constexpr uint64_t kSteps = 4;  // inputs, service, scenarios, HTML
  auto step = [&](uint64_t done) {
    if (progress) progress(clv::Progress{"report", done, kSteps, "steps", 0});
  };
  step(0);
  clv::RfmData data = clv::read_summary_file(args.summary);
  const clv::FitResult count = clv::read_fit_file(args.params);
  if (data.unit) {
    clv::require_same_unit(*data.unit, "the summary " + args.summary, count.time_unit,
                           "the fit " + args.params);
  }
  clv::FitResult spend;
  if (!args.spend_params.empty()) spend = clv::read_fit_file(args.spend_params);
  clv::CustomerAttributes attributes;
  if (!args.customers.empty()) {
    attributes = clv::read_customer_attributes(args.customers, data.customer_id);
  }
  const clv::HoldoutColumns holdout = clv::read_holdout_columns(args.summary);
  const std::optional<clv::PurchaseHistory> history =
      clv::cli::load_purchase_history(args.history, args.db_path, count);
  std::optional<clv::StoredChurnRun> churn;
  if (!args.churn_run.empty()) {
    int64_t id = 0;
    if (args.churn_run != "latest") {
      try {
        size_t used = 0;
        id = std::stoll(args.churn_run, &used);
        if (used != args.churn_run.size() || id <= 0) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw clv::Error::invalid_argument(fmt::format(
            "--churn-run '{}': give a run id (a positive number) or latest", args.churn_run));
      }
    }
    churn = clv::read_churn_run(args.db_path, id);
  }
  clv::RunReportInputs in;
  in.churn_run = churn ? &*churn : nullptr;
  in.data = &data;
  in.attributes = &attributes;
  in.count_model = &count;
  in.spend_model = args.spend_params.empty() ? nullptr : &spend;
  in.holdout = &holdout;
  in.history = history ? &*history : nullptr;
  in.horizon = args.horizon;
  in.margin = args.margin;
  in.annual_discount_rate = args.discount_rate;
  in.data_source = args.summary;
  in.currency = args.currency;
  step(1);
  clv::ServiceSection service;
  if (!args.service_by.empty()) {
    // The same core run as `clv service` (word of mouth valued with the
    // sectors' referral values from the plugins, assumptions from --wom-*).
    clv::ServiceReportRequest request;
    request.key = clv::parse_service_key(args.service_by);
    request.horizon = args.horizon;
    clv::cli::apply_word_of_mouth_options(args.wom, request.word_of_mouth);
    const clv::PluginRegistry plugins = clv::cli::load_plugins(args.plugins, "report");
    request.plugins = &plugins;
    service = clv::service_report_section(clv::run_service_report(args.db_path, request));
    in.service = &service;
  }
  step(2);
  clv::WhatIfResult whatif;
  if (!args.scenarios.empty()) {
    const clv::ScenarioFile file = clv::load_scenario_file(args.scenarios, args.run_dir);
    clv::WhatIfOptions options;
    options.draws = args.draws;
    options.seed = args.seed;
    options.progress = progress;
    whatif = clv::run_scenario_file(file, clv::cli::load_plugins(args.plugins, "report"), options);
    in.whatif = &whatif;
  }
  step(3);
  clv::write_run_report(in, args.out);
  step(kSteps);
  clv::cli::info("clv report: {} customers, {} model -> {}", data.size(), count.model, args.out);
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Write a self-contained HTML report (SVG charts) of a fitted run given as files");
  cmd->add_option("--out", args->out, "HTML file to write")->required();
  cmd->add_option("--summary", args->summary, "Summary CSV of the run (clv summary)")->required();
  cmd->add_option("--params", args->params, "Count-model parameter JSON (clv fit --out)")
      ->required();
  cmd->add_option("--spend-params", args->spend_params, "Gamma-Gamma parameter JSON (for CLV)");
  cmd->add_option("--customers", args->customers, "customers.csv for churn risk by segment");
  cmd->add_option("--scenarios", args->scenarios, "Scenario file to run and include");
  clv::cli::add_plugin_options(*cmd, args->plugins);
  cmd->add_option("--run-dir", args->run_dir, "Directory of the run files the scenario file names");
  cmd->add_option("--horizon", args->horizon, "CLV horizon in the model's time unit (default 52)");
  cmd->add_option("--margin", args->margin, "Profit margin applied to spend (default 1)");
  cmd->add_option("--discount-rate", args->discount_rate, "Annual discount rate (default 0)");
  cmd->add_option("--currency", args->currency, "Prefix for money labels, e.g. $");
  clv::cli::add_purchase_history_options(*cmd, args->history);
  clv::cli::add_db_option(*cmd, args->db_path);
  cmd->add_option("--service-by", args->service_by,
                  "Service section from the database's covariate fit: location, department, "
                  "employee or region");
  clv::cli::add_word_of_mouth_options(*cmd, args->wom);
  cmd->add_option("--churn-run", args->churn_run,
                  "Churn risk and drivers from a `clv churn` run in the database: ID or latest");
  cmd->add_option("--draws", args->draws, "Monte Carlo draws for --scenarios (default 200)");
  cmd->add_option("--seed", args->seed, "Random seed for --scenarios");
  clv::cli::add_output_options(*cmd);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(71, setup);
