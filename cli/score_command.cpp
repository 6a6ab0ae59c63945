// `clv score`: P(alive), expected purchases and (with a spend model) CLV for
// every customer of a summary file, one CSV row per customer in input order.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "command_registry.hpp"
#include "models/clv_valuation.hpp"
#include "models/mle_fitter.hpp"
#include "models/model_registry.hpp"
#include "models/params_json.hpp"
#include "models/summary_csv.hpp"

namespace {

struct ScoreArgs {
  std::string params, model, summary, spend_params, out, time_unit = "week";
  double horizon = 0, margin = 1.0, discount_rate = 0.0;
  bool allow_unconverged = false;
};

// Parameters that did not converge are not a basis for decisions: refuse
// unless the user insists, and then say so on stderr.
void check_converged(const clv::FitResult& fit, const std::string& path, bool allow) {
  if (fit.converged) return;
  if (!allow) {
    throw clv::Error::not_converged(
        fmt::format("{} holds {} parameters from a fit that did not converge; refit, or pass "
                    "--allow-unconverged to score anyway",
                    path, fit.model));
  }
  fmt::print(stderr, "clv score: warning: {} parameters in {} did not converge\n", fit.model, path);
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
  const clv::SummaryTable table = clv::read_summary_csv(args.summary);
  clv::FitResult fit;
  if (!args.params.empty()) {
    fit = clv::read_params_file(args.params);
    check_converged(fit, args.params, args.allow_unconverged);
  } else {
    const clv::ModelEntry& entry = clv::find_model(args.model);
    const auto likelihood = entry.make_likelihood(table, {});
    fit = clv::maximize_likelihood(*likelihood, {}, entry.name);
    fit.time_unit = clv::TimeUnit::parse(args.time_unit);
  }
  const clv::ModelEntry& entry = clv::find_model(fit.model);
  if (!entry.make_scorer) {
    throw clv::Error::invalid_argument(fmt::format(
        "{} is not a purchase-count model; score with bgnbd, mbgnbd, pnbd or bgbb parameters "
        "(pass spend parameters with --spend-params)",
        fit.model));
  }
  const auto scorer = entry.make_scorer(fit.params);

  std::unique_ptr<clv::GammaGammaParams> spend;
  if (!args.spend_params.empty()) {
    const clv::FitResult gg = clv::read_params_file(args.spend_params);
    if (gg.model != "gg") {
      throw clv::Error::invalid_argument(fmt::format(
          "{} holds {} parameters; --spend-params needs a gg fit", args.spend_params, gg.model));
    }
    check_converged(gg, args.spend_params, args.allow_unconverged);
    spend = std::make_unique<clv::GammaGammaParams>(
        clv::GammaGammaParams{gg.params[0], gg.params[1], gg.params[2]});
    if (table.monetary.empty()) {
      throw clv::Error::invalid_argument(
          "CLV needs each customer's mean spend: add a monetary_value (or zbar) column");
    }
  }
  clv::ValuationOptions options;
  options.horizon = args.horizon;
  options.margin = args.margin;
  options.annual_discount_rate = args.discount_rate;
  options.time_unit = fit.time_unit;
  const clv::CustomerScores scores = clv::score_customers(*scorer, table.x, table.t_x, table.T,
                                                          options, spend.get(), table.monetary);

  std::FILE* out = stdout;
  if (!args.out.empty()) {
    out = std::fopen(args.out.c_str(), "w");
    if (!out) throw clv::Error::io(fmt::format("cannot write {}", args.out));
  }
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "customer_id,p_alive,expected_purchases{}\n",
                 spend ? ",expected_spend,clv" : "");
  for (size_t i = 0; i < table.size(); ++i) {
    fmt::format_to(std::back_inserter(buf), "{},{:.10g},{:.10g}", csv_field(table.customer_id[i]),
                   scores.p_alive[i], scores.expected_purchases[i]);
    if (spend) {
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
  fmt::print(stderr, "clv score: {} customers, {} model, horizon {} {}{}\n", table.size(),
             fit.model, args.horizon, fit.time_unit.describe(),
             spend ? fmt::format(", margin {}, discount {}/year (continuous)", args.margin,
                                 args.discount_rate)
                   : std::string());
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ScoreArgs>();
  auto* cmd = app.add_subcommand(
      "score", "Score customers: P(alive), expected purchases, expected spend and CLV as CSV");
  cmd->add_option("--params", args->params, "Parameter JSON written by clv fit --out");
  cmd->add_option("--model", args->model, "Fit this model on the summary first instead");
  cmd->add_option("--summary", args->summary, "Summary CSV of the customers to score")->required();
  cmd->add_option("--horizon", args->horizon, "Prediction horizon in the model's time unit")
      ->required();
  cmd->add_option("--spend-params", args->spend_params, "Gamma-Gamma parameter JSON (for CLV)");
  cmd->add_option("--margin", args->margin, "Profit margin applied to spend (default 1)");
  cmd->add_option("--discount-rate", args->discount_rate,
                  "Annual discount rate, continuous compounding (0.1 = 10%/year; default 0)");
  cmd->add_option("--time-unit", args->time_unit, "Time unit of the summary with --model");
  cmd->add_option("--out", args->out, "Write the CSV here instead of stdout");
  cmd->add_flag("--allow-unconverged", args->allow_unconverged,
                "Score with parameters whose fit did not converge (prints a warning)");
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(41, setup);
