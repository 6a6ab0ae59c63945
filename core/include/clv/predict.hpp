// Predictions from given purchase-count parameters (bgnbd, mbgnbd, pnbd,
// bgbb), without a database: the distribution P(X(t) = k) and the mean
// E[X(t)] of a customer acquired at time 0, and, for customers given by
// (x, t_x, T), P(alive), expected purchases over (T, T + t] and CLV with a
// fixed spend per purchase (no Gamma-Gamma fit). One function behind `clv
// predict`, clv_predict_json (C API) and POST /v1/predict (HTTP); the JSON
// shapes are in docs/predict.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/scoring.hpp"

namespace clv {

struct PredictCustomer {
  std::string id;
  double x = 0, t_x = 0, T = 0;  // as in a summary, in the fit's time unit
};

struct PredictRequest {
  FitResult fit;  // a purchase-count model; params in its registry order
  // Parameters from a fit that did not converge are refused unless true.
  bool allow_unconverged = false;
  double t = 0;  // horizon in fit.time_unit (> 0); BG/BB: whole periods (floored)
  // P(X(t) = k) for k = pmf_from .. pmf_to; none when pmf_to < pmf_from.
  int pmf_from = 0, pmf_to = -1;
  std::vector<PredictCustomer> customers;
  std::optional<double> spend_per_purchase;  // with customers: CLV = margin * spend * DET
  double margin = 1.0;                       // share of spend that is profit
  double annual_discount_rate = 0.0;         // 0.1 = 10%/year, continuous compounding
};

struct PredictResponse {
  std::string model;
  TimeUnit time_unit;
  double t = 0;
  double expected_purchases_new = 0;  // E[X(t)] of a customer acquired at 0
  std::vector<int> pmf_k;
  std::vector<double> pmf;  // P(X(t) = pmf_k[i])
  double pmf_mass = 0;      // sum of pmf (1 when the range covers the support)
  std::vector<std::string> customer_ids;
  Scores scores;  // per customer; expected_spend and clv only with a spend
};

// Throws Error::invalid_argument naming the bad field (unknown or non-count
// model, t <= 0, a pmf range beyond 0..1e6 or of more than 100000 values, a
// bad customer row) and Error::not_converged for unconverged parameters.
PredictResponse predict(const PredictRequest& request);

// Count-model parameters as predict reads them: the JSON of clv fit --out or
// {"model", "params": {...}}; without "converged" they count as given
// (published or hand-set) and so as usable.
FitResult predict_fit_from_json_text(std::string_view json);

// {"fit": {"model", "params", ...} (as written by clv fit --out; without
//  "converged" the parameters count as given), "t", "pmf": {"from", "to"},
//  "customers": [{"id", "x", "t_x", "T"}], "spend_per_purchase", "margin",
//  "discount_rate", "allow_unconverged"}; all but "fit" and "t" optional.
PredictRequest predict_request_from_json_text(std::string_view json);

// {"model", "time_unit", "time_unit_days", "t", "expected_purchases_new",
//  "pmf": [{"k", "probability"}], "pmf_mass", "customers": [{"id", "p_alive",
//  "expected_purchases"[, "expected_spend", "clv"]}]}.
std::string predict_response_to_json_text(const PredictResponse& response);

// The two above around predict(): what the C API and HTTP call.
std::string predict_json(std::string_view request_json);

}  // namespace clv
