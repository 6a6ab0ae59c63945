// `clv score`: P(alive), expected purchases and (with a spend model) CLV for
// every customer of a summary file, one CSV row per customer in input order.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_output.hpp"
#include "clv/calendar.hpp"
#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"
#include "clv/sector_economics.hpp"
#include "clv/summarize.hpp"
#include "command_registry.hpp"
#include "sector_plugins.hpp"

namespace {

struct ScoreArgs {
  std::string params, model, summary, db, calibration_end, spend_params, out, time_unit = "week";
  double horizon = 0;
  // Unset: the customer's sector plugin's economics (margin 1, no discount,
  // no cost to serve for customers without one).
  std::optional<double> margin, discount_rate, cost_to_serve, referral_value;
  std::optional<double> spend;  // fixed mean spend per purchase instead of --spend-params
  std::string sector;
  clv::cli::PluginArgs plugins;
  bool allow_unconverged = false, time_unit_given = false;
};

clv::FitResult read_fit(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw clv::Error::not_found(fmt::format("parameter file {} not found", path));
  std::stringstream text;
  text << in.rdbuf();
  return clv::fit_result_from_json_text(text.str());
}

// Parameters that did not converge are not a basis for decisions: refuse
// unless the user insists, and then say so on stderr.
void check_converged(clv::FitResult& fit, const std::string& path, bool allow) {
  if (fit.converged) return;
  if (!allow) {
    throw clv::Error::not_converged(
        fmt::format("{} holds {} parameters from a fit that did not converge; refit, or pass "
                    "--allow-unconverged to score anyway",
                    path, fit.model));
  }
  fmt::print(stderr, "clv score: warning: {} parameters in {} did not converge\n", fit.model, path);
  fit.converged = true;  // the user accepted them
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void run(const ScoreArgs& args) {
  if (args.params.empty() == args.model.empty()) {
    throw clv::Error::invalid_argument("pass exactly one of --params FILE or --model NAME");
  }
  if (args.summary.empty() == args.db.empty()) {
    throw clv::Error::invalid_argument(
        "pass exactly one of --summary FILE or --db PATH --calibration-end YYYY-MM-DD");
  }
  clv::FitResult fit;
  if (!args.params.empty()) {
    fit = read_fit(args.params);
    check_converged(fit, args.params, args.allow_unconverged);
    // --horizon is read in --unit: a week fit cannot take a month horizon.
    if (args.time_unit_given) {
      clv::require_same_unit(fit.time_unit, "the fit " + args.params,
                             clv::TimeUnit::parse(args.time_unit),
                             "the horizon (--unit " + args.time_unit + ")");
    }
  }
  clv::RfmData table;
  if (!args.summary.empty()) {
    table = clv::cli::progress_step("read", clv::cli::file_bytes(args.summary), "bytes",
                                    [&] { return clv::read_summary_file(args.summary); });
  } else {
    int64_t seconds = 0;
    if (!clv::parse_timestamp(args.calibration_end, seconds)) {
      throw clv::Error::invalid_argument(fmt::format(
          "--db needs --calibration-end YYYY-MM-DD (the last day of the fit period), got '{}'",
          args.calibration_end));
    }
    clv::SummaryPeriod period;
    period.calibration_end_day = clv::day_of(seconds);
    // Summarise in the unit the parameters were fitted in.
    period.unit = args.params.empty() ? clv::TimeUnit::parse(args.time_unit) : fit.time_unit;
    table = clv::rfm_data_from_summary(clv::summarize_database(args.db, period));
  }
  if (args.params.empty()) {
    clv::TimeUnit unit = clv::TimeUnit::parse(args.time_unit);
    if (table.unit) {
      if (args.time_unit_given) {
        clv::require_same_unit(*table.unit, "the summary " + args.summary, unit,
                               "the horizon (--unit " + args.time_unit + ")");
      }
      unit = *table.unit;
    }
    fit = clv::fit_model(args.model, table, {}, unit);
  } else if (table.unit) {
    clv::require_same_unit(*table.unit, "the summary " + args.summary, fit.time_unit,
                           "the fit " + args.params);
  }
  std::unique_ptr<clv::FitResult> spend;
  if (!args.spend_params.empty() && args.spend) {
    throw clv::Error::invalid_argument(
        "pass either --spend-params (a gg fit) or --spend (a fixed spend per purchase), not both");
  }
  const bool valued = !args.spend_params.empty() || args.spend.has_value();
  if (!args.spend_params.empty()) {
    spend = std::make_unique<clv::FitResult>(read_fit(args.spend_params));
    if (spend->model != "gg") {
      throw clv::Error::invalid_argument(
          fmt::format("{} holds {} parameters; --spend-params needs a gg fit", args.spend_params,
                      spend->model));
    }
    check_converged(*spend, args.spend_params, args.allow_unconverged);
    if (table.monetary.empty()) {
      throw clv::Error::invalid_argument(
          "CLV needs each customer's mean spend: add a monetary_value (or zbar) column");
    }
  }
  // Sector economics: each customer's sector plugin gives the margin, the
  // discount rate and the cost to serve that the options do not set.
  const std::vector<std::string> sector_of_row =
      !args.summary.empty()
          ? clv::read_summary_sectors(args.summary, table.size(), args.sector)
          : clv::database_customer_sectors(args.db, table.customer_id, args.sector);
  clv::EconomicsOverrides overrides;
  overrides.margin = args.margin;
  overrides.annual_discount_rate = args.discount_rate;
  overrides.cost_to_serve = args.cost_to_serve;
  overrides.referral_value = args.referral_value;
  const bool all_given =
      args.margin && args.discount_rate && args.cost_to_serve && args.referral_value;
  // score_by_sector checks the horizon and every economics option itself
  // (validate_overrides, which the Engine applies too), before any customer
  // is scored.
  clv::PluginRegistry plugins;
  if (!all_given && valued) {
    plugins = clv::cli::load_plugins(args.plugins, "score");
    // --sector NAME asks for that plugin's economics: a name no plugin
    // serves is refused rather than valued with margin 1 and no discount.
    if (!args.sector.empty() && !plugins.has_sector(args.sector)) {
      try {
        plugins.for_sector(args.sector);  // throws, listing the sectors loaded
      } catch (const clv::Error& e) {
        throw clv::Error::invalid_argument(fmt::format(
            "--sector {}: {} (or set all of --margin, --discount-rate, --cost-to-serve and "
            "--referral-value)",
            args.sector, e.what()));
      }
    }
  }
  const clv::SectorScores sector_scores = clv::score_by_sector(
      fit, table, sector_of_row, args.horizon, spend.get(), overrides, &plugins, args.spend);
  const clv::Scores& scores = sector_scores.scores;

  std::FILE* out = stdout;
  if (!args.out.empty()) {
    out = std::fopen(args.out.c_str(), "w");
    if (!out) throw clv::Error::io(fmt::format("cannot write {}", args.out));
  }
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "customer_id,p_alive,expected_purchases{}\n",
                 valued ? ",expected_spend,clv" : "");
  for (size_t i = 0; i < table.size(); ++i) {
    fmt::format_to(std::back_inserter(buf), "{},{:.10g},{:.10g}", csv_field(table.customer_id[i]),
                   scores.p_alive[i], scores.expected_purchases[i]);
    if (valued) {
      fmt::format_to(std::back_inserter(buf), ",{:.10g},{:.10g}", scores.expected_spend[i],
                     scores.clv[i]);
    }
    buf.push_back('\n');
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), out);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), out);
  const bool write_failed = std::ferror(out) != 0;
  if (out != stdout) std::fclose(out);
  if (write_failed) throw clv::Error::io("writing the scores failed");
  clv::cli::info("clv score: {} customers, {} model, horizon {} {}", table.size(), fit.model,
                 args.horizon, fit.time_unit.describe());
  if (!valued) {
    fmt::print(stderr,
               "clv score: no CLV (pass --spend-params or --spend): no economics applied\n");
  } else {
    for (const auto& [sector, v] : sector_scores.economics) {
      clv::cli::info(
          "clv score: sector {}: {} customers, margin {}, discount {}/year (continuous), "
          "cost to serve {} per {}, referral value {} ({})",
          sector.empty() ? "(none)" : sector, sector_scores.customers.at(sector), v.margin,
          v.annual_discount_rate, v.cost_to_serve, fit.time_unit.name, v.referral_value, v.source);
    }
    if (sector_scores.economics.count("") && !all_given) {
      clv::cli::info(
          "clv score: {} customers have no sector ({}): their economics are the "
          "defaults and options above, no sector plugin's; pass --sector NAME to value "
          "them with that sector plugin's economics",
          sector_scores.customers.at(""),
          args.summary.empty() ? "none in the database"
                               : "the summary has no sector column or an empty cell");
    }
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ScoreArgs>();
  auto* cmd = app.add_subcommand(
      "score", "Score customers: P(alive), expected purchases, expected spend and CLV as CSV");
  cmd->add_option("--params", args->params, "Parameter JSON written by clv fit --out");
  cmd->add_option("--model", args->model, "Fit this model on the summary first instead");
  cmd->add_option("--summary", args->summary, "Summary CSV of the customers to score");
  cmd->add_option("--db", args->db, "Score the customers of this database's summary instead");
  cmd->add_option("--calibration-end", args->calibration_end,
                  "With --db: last day of the observation period (YYYY-MM-DD, inclusive)");
  cmd->add_option("--horizon", args->horizon, "Prediction horizon in the model's time unit")
      ->required();
  cmd->add_option("--spend-params", args->spend_params, "Gamma-Gamma parameter JSON (for CLV)");
  cmd->add_option("--spend", args->spend,
                  "CLV with this mean spend per purchase for every customer (no Gamma-Gamma fit)");
  cmd->add_option("--margin", args->margin,
                  "Profit margin applied to spend (default: the sector plugin's, else 1)");
  cmd->add_option("--discount-rate", args->discount_rate,
                  "Annual discount rate, continuous compounding (0.1 = 10%/year; default: the "
                  "sector plugin's, else 0)");
  cmd->add_option("--cost-to-serve", args->cost_to_serve,
                  "Cost per customer per model time unit, subtracted from CLV while alive "
                  "(default: the sector plugin's, else 0)");
  cmd->add_option("--referral-value", args->referral_value,
                  "Value referrals of a customer who stays bring, added to CLV times P(alive) "
                  "(default: the sector plugin's, else 0)");
  cmd->add_option("--sector", args->sector,
                  "Sector of every customer (else a sector column of --summary, or the "
                  "database's customers with --db)");
  clv::cli::add_plugin_options(*cmd, args->plugins);
  cmd->add_option("--time-unit,--unit", args->time_unit,
                  "Time unit of the summary with --model (default: the summary's recorded unit, "
                  "else week); with --params it must be the fit's unit")
      ->each([args](const std::string&) { args->time_unit_given = true; });
  cmd->add_option("--out", args->out, "Write the CSV here instead of stdout");
  cmd->add_flag("--allow-unconverged", args->allow_unconverged,
                "Score with parameters whose fit did not converge (prints a warning)");
  clv::cli::add_output_options(*cmd);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(41, setup);
