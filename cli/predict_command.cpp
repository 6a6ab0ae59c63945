// `clv predict`: from fitted (or published) count-model parameters, the
// distribution P(X(t) = k) and mean E[X(t)] of a newly acquired customer, and
// optionally P(alive), expected purchases and CLV with a fixed spend for the
// customers of a summary file. The same clv::predict as clv_predict_json and
// POST /v1/predict: --json prints the identical response.
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "cli_output.hpp"
#include "clv/error.hpp"
#include "clv/predict.hpp"
#include "clv/rfm_data.hpp"
#include "command_registry.hpp"

namespace {

struct PredictArgs {
  std::string params, pmf, summary;
  double t = 0;
  std::optional<double> spend;
  double margin = 1.0, discount_rate = 0.0;
  bool json = false, allow_unconverged = false;
};

int parse_k(std::string_view s, const std::string& whole) {
  int v = -1;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
    throw clv::Error::invalid_argument(
        fmt::format("--pmf '{}': use K or FROM..TO with whole numbers >= 0 (e.g. 0..10)", whole));
  }
  return v;
}

// "K" or "FROM..TO".
std::pair<int, int> parse_pmf_range(const std::string& text) {
  const size_t dots = text.find("..");
  if (dots == std::string::npos) {
    const int k = parse_k(text, text);
    return {k, k};
  }
  const int from = parse_k(std::string_view(text).substr(0, dots), text);
  const int to = parse_k(std::string_view(text).substr(dots + 2), text);
  if (to < from) {
    throw clv::Error::invalid_argument(fmt::format("--pmf '{}': TO must be >= FROM", text));
  }
  return {from, to};
}

void run(const PredictArgs& args) {
  std::ifstream in(args.params);
  if (!in) throw clv::Error::not_found(fmt::format("parameter file {} not found", args.params));
  std::stringstream text;
  text << in.rdbuf();
  clv::PredictRequest request;
  request.fit = clv::predict_fit_from_json_text(text.str());
  request.allow_unconverged = args.allow_unconverged;
  request.t = args.t;
  if (!args.pmf.empty()) std::tie(request.pmf_from, request.pmf_to) = parse_pmf_range(args.pmf);
  if (!args.summary.empty()) {
    const clv::RfmData data =
        clv::cli::progress_step("read", clv::cli::file_bytes(args.summary), "bytes",
                                [&] { return clv::read_summary_file(args.summary); });
    for (size_t i = 0; i < data.size(); ++i) {
      request.customers.push_back(
          {data.customer_id.empty() ? std::to_string(i + 1) : data.customer_id[i], data.x[i],
           data.t_x[i], data.T[i]});
    }
  }
  request.spend_per_purchase = args.spend;
  request.margin = args.margin;
  request.annual_discount_rate = args.discount_rate;
  const clv::PredictResponse r = clv::predict(request);
  if (args.json) {
    fmt::print("{}\n", clv::predict_response_to_json_text(r));
    return;
  }
  fmt::print("model {}, t = {} {}\n", r.model, r.t, r.time_unit.describe());
  fmt::print("expected purchases of a new customer E[X(t)]: {:.6f}\n", r.expected_purchases_new);
  if (!r.pmf.empty()) {
    fmt::print("{:>8} {:>14}\n", "k", "P(X(t)=k)");
    for (size_t i = 0; i < r.pmf.size(); ++i) fmt::print("{:>8} {:>14.8f}\n", r.pmf_k[i], r.pmf[i]);
    fmt::print("{:>8} {:>14.8f}\n", "sum", r.pmf_mass);
  }
  if (!r.customer_ids.empty()) {
    const bool valued = !r.scores.clv.empty();
    fmt::print("\ncustomer_id,p_alive,expected_purchases{}\n", valued ? ",expected_spend,clv" : "");
    for (size_t i = 0; i < r.customer_ids.size(); ++i) {
      fmt::print("{},{:.10g},{:.10g}", r.customer_ids[i], r.scores.p_alive[i],
                 r.scores.expected_purchases[i]);
      if (valued) fmt::print(",{:.10g},{:.10g}", r.scores.expected_spend[i], r.scores.clv[i]);
      fmt::print("\n");
    }
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand(
      "predict",
      "From count-model parameters: P(X(t)=k) and E[X(t)] of a new customer; with --summary "
      "P(alive), expected purchases and CLV with a fixed spend");
  cmd->add_option("--params", args->params,
                  "Parameter JSON of bgnbd, mbgnbd, pnbd or bgbb (clv fit --out, or "
                  "{\"model\":...,\"params\":{...}})")
      ->required();
  cmd->add_option("--t,--horizon", args->t,
                  "Length t in the parameters' time unit (BG/BB: whole periods n)")
      ->required();
  cmd->add_option("--pmf", args->pmf, "P(X(t)=k) for K or FROM..TO (e.g. 0..10)");
  cmd->add_option("--summary", args->summary,
                  "Also score these customers (summary CSV: frequency,recency,T or x,t_x,T)");
  cmd->add_option("--spend", args->spend,
                  "With --summary: CLV with this mean spend per purchase (no Gamma-Gamma fit)");
  cmd->add_option("--margin", args->margin, "Profit margin applied to spend (default 1)");
  cmd->add_option("--discount-rate", args->discount_rate,
                  "Annual discount rate, continuous compounding (default 0)");
  cmd->add_flag("--allow-unconverged", args->allow_unconverged,
                "Predict with parameters whose fit did not converge");
  cmd->add_flag("--json", args->json,
                "Print the JSON response (the same as clv_predict_json and POST /v1/predict)");
  clv::cli::add_output_options(*cmd);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(42, setup);
