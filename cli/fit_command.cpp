// `clv fit`: maximum-likelihood fit of a model to a customer summary file.
#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "churn/churn_run_store.hpp"
#include "churn/covariate_summary_csv.hpp"
#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "clv/models.hpp"
#include "command_registry.hpp"

namespace {

struct FitArgs {
  std::string model, summary, out, db, time_unit = "week";
  std::string covariates;  // static:COL[,...]: Pareto/NBD with covariates
  bool json = false;
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
}

// `--covariates`: Pareto/NBD with static covariates read from the summary file.
void run_with_covariates(const FitArgs& args) {
  if (args.model != "pnbd") {
    throw clv::Error::invalid_argument(
        fmt::format("--covariates is available for --model pnbd, not {}", args.model));
  }
  if (args.summary.empty()) throw clv::Error::invalid_argument("pass --summary FILE");
  const auto columns = clv::parse_static_covariate_spec(args.covariates);
  const clv::CovariateSummary data = clv::read_covariate_summary(args.summary, columns);
  clv::CovariateFitOptions options;
  options.threads = args.threads;
  clv::CovariateParetoNbd model =
      clv::fit_covariate_pnbd(data.x, data.t_x, data.T, data.covariates, options);
  model.fit.time_unit = clv::TimeUnit::parse(args.time_unit);
  const std::string json = clv::covariate_model_json(model);
  if (!args.out.empty()) {
    std::ofstream out(args.out);
    out << json << "\n";
    if (!out) throw clv::Error::io(fmt::format("cannot write {}", args.out));
  }
  if (args.json) {
    fmt::print("{}\n", clv::fit_result_to_json_text(model.fit));
  } else {
    print_table(model.fit);
    fmt::print("without covariates: log-likelihood {:.4f}\n", model.baseline.log_likelihood);
  }
}

void run(const FitArgs& args) {
  if (!args.covariates.empty()) return run_with_covariates(args);
  if (!args.db.empty()) {
    throw clv::Error::invalid_argument(
        "fitting from --db needs the summary module, which this build does not include yet; "
        "export a summary and pass --summary FILE");
  }
  if (args.summary.empty()) throw clv::Error::invalid_argument("pass --summary FILE");
  const clv::TimeUnit unit = clv::TimeUnit::parse(args.time_unit);
  const clv::RfmData data = clv::read_summary_file(args.summary);
  clv::FitOptions options;
  options.l2_penalty = args.l2;
  options.threads = args.threads;
  const clv::FitResult fit = clv::fit_model(args.model, data, options, unit);
  const std::string json = clv::fit_result_to_json_text(fit);
  if (!args.out.empty()) {
    std::ofstream out(args.out);
    out << json << "\n";
    if (!out) throw clv::Error::io(fmt::format("cannot write {}", args.out));
  }
  if (args.json) {
    fmt::print("{}\n", json);
  } else {
    print_table(fit);
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
                  "frequency,recency,periods[,weights]");
  cmd->add_option("--db", args->db, "Fit from the database's summary (not available yet)");
  cmd->add_option("--time-unit", args->time_unit,
                  "Unit of recency/T in the summary: day, week, month, Nd (default week)");
  cmd->add_option("--l2", args->l2, "L2 penalty on log-parameters (default 0)");
  cmd->add_option("--threads", args->threads, "Threads for the likelihood (0 = all cores)");
  cmd->add_option("--covariates", args->covariates,
                  "pnbd only: static:COL[,static:COL...] covariate columns of the summary file");
  cmd->add_option("--out", args->out, "Also write the JSON result to this file");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(40, setup);
