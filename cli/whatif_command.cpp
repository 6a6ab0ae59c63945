// `clv whatif scenario.toml`: runs the scenarios of a file against the fitted
// run it names and prints a ranked table (or JSON), optionally an HTML report.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli_output.hpp"
#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "clv/run_report.hpp"
#include "clv/scenario.hpp"
#include "clv/whatif.hpp"
#include "command_registry.hpp"
#include "purchase_history_options.hpp"
#include "sector_plugins.hpp"

namespace {

struct WhatIfArgs {
  std::string scenario_file, report, run_dir, db_path;
  clv::cli::PluginArgs plugins;
  clv::cli::PurchaseHistoryArgs history;
  int draws = 200;
  unsigned long long seed = 20261123;
  bool json = false;
  int threads = 0;
};

std::string interval(const clv::Estimate& e) {
  return fmt::format("{:.0f} [{:.0f}, {:.0f}]", e.value, e.lower, e.upper);
}

void print_table(const clv::WhatIfResult& r) {
  fmt::print("what-if: {} + {}, horizon {} {}s, discount {}/year, margin {}, {} draws, seed {}\n",
             r.model, r.spend_model, r.horizon, r.time_unit, r.annual_discount_rate, r.margin,
             r.draws, r.seed);
  for (const auto& note : r.notes) fmt::print("note: {}\n", note);
  for (const auto& s : r.scenarios) {
    const auto& t = s.total;
    fmt::print("\n#{} {}  (targeted {:.0f} of {:.0f} customers)\n", s.rank, s.name, t.targeted,
               t.customers);
    for (const auto& step : s.chain) fmt::print("    {}\n", step);
    fmt::print("  {:<14} {:>14} {:>30} {:>30} {:>24} {:>14} {:>30} {:>24}\n", "segment",
               "baseline CLV", "scenario CLV [90%]", "delta CLV [90%]", "active at horizon", "cost",
               "net benefit [90%]", "ROI [90%]");
    auto row = [](const clv::WhatIfOutcome& o) {
      // No cost given: say so (never a cost of 0 or an infinite ROI).
      const std::string none = o.cost ? "n/a (cost 0)" : "no cost given";
      fmt::print(
          "  {:<14} {:>14.0f} {:>30} {:>30} {:>24} {:>14} {:>30} {:>24}\n", o.segment,
          o.baseline_clv.value, interval(o.scenario_clv), interval(o.delta_clv),
          fmt::format("{:.0f} -> {:.0f}", o.baseline_active.value, o.scenario_active.value),
          o.cost ? fmt::format("{:.0f}", *o.cost) : std::string("no cost given"),
          o.net_benefit ? interval(*o.net_benefit) : std::string("no cost given"),
          o.roi ? fmt::format("{:.2f} [{:.2f}, {:.2f}]", o.roi->value, o.roi->lower, o.roi->upper)
                : none);
    };
    row(t);
    for (const auto& seg : s.segments) row(seg);
  }
}

void run(const WhatIfArgs& args) {
  const clv::ScenarioFile file = clv::load_scenario_file(args.scenario_file, args.run_dir);
  const clv::PluginRegistry plugins = clv::cli::load_plugins(args.plugins, "whatif");
  clv::WhatIfOptions options;
  options.draws = args.draws;
  options.seed = args.seed;
  options.threads = args.threads;
  options.progress = clv::cli::progress_callback();
  clv::WhatIfInputs inputs;
  const clv::WhatIfResult result = clv::run_scenario_file(file, plugins, options, &inputs);
  clv::cli::progress().break_line();
  if (args.json) {
    fmt::print("{}\n", clv::whatif_result_to_json_text(result));
  } else {
    print_table(result);
  }
  if (!args.report.empty()) {
    const clv::HoldoutColumns holdout = clv::read_holdout_columns(file.run.summary);
    const std::optional<clv::PurchaseHistory> history =
        clv::cli::load_purchase_history(args.history, args.db_path, inputs.count_model);
    clv::RunReportInputs report;
    report.holdout = &holdout;
    report.data = &inputs.data;
    report.attributes = &inputs.attributes;
    report.count_model = &inputs.count_model;
    report.spend_model = &inputs.spend_model;
    report.horizon = inputs.run.horizon;
    report.margin = inputs.run.margin;
    report.annual_discount_rate = inputs.run.annual_discount_rate;
    report.whatif = &result;
    report.history = history ? &*history : nullptr;
    report.data_source = file.run.summary;
    clv::write_run_report(report, args.report);
    clv::cli::info("clv whatif: report written to {}", args.report);
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<WhatIfArgs>();
  auto* cmd = app.add_subcommand(
      "whatif",
      "Run what-if scenarios (TOML or JSON) against a fitted run: CLV change with 90% "
      "intervals, cost and ROI per scenario and segment");
  cmd->add_option("scenario_file", args->scenario_file, "Scenario file (.toml or .json)")
      ->required();
  cmd->add_option("--draws", args->draws,
                  "Monte Carlo draws of parameters and levers (default 200; 0 = point only)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "Random seed (same seed, same numbers)");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  clv::cli::add_output_options(*cmd);
  cmd->add_option("--report", args->report, "Also write the HTML report to this file");
  // The report's tracking charts (purchases per period) need the transactions.
  clv::cli::add_purchase_history_options(*cmd, args->history);
  clv::cli::add_db_option(*cmd, args->db_path);
  cmd->add_option("--run-dir", args->run_dir,
                  "Directory of the run's summary and fits (default: the scenario file's)");
  clv::cli::add_plugin_options(*cmd, args->plugins);
  cmd->add_option("--threads", args->threads, "Threads (default: all cores)");
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(70, setup);
