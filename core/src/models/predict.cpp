// clv::predict: population predictions (P(X(t) = k), E[X(t)]) and per-customer
// scores with a fixed spend from given count-model parameters, and its JSON.
#include "clv/predict.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "models/clv_valuation.hpp"
#include "models/model_registry.hpp"
#include "models/params_json.hpp"

namespace clv {
namespace {

constexpr int kMaxPmfK = 1000000;
constexpr int kMaxPmfValues = 100000;

// Never report NaN or infinity: name the quantity if a model slips.
double finite(double v, const std::string& what) {
  if (!std::isfinite(v)) {
    throw Error::internal(fmt::format("{} is not finite; please report it", what));
  }
  return v;
}

double number(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number() || !std::isfinite(it->get<double>())) {
    throw Error::invalid_argument(fmt::format("predict request: \"{}\" must be a number", key));
  }
  return it->get<double>();
}

int whole(const nlohmann::json& j, const char* key, const char* where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    throw Error::invalid_argument(
        fmt::format("predict request: \"{}\" of \"{}\" must be an integer", key, where));
  }
  const auto v = it->get<int64_t>();
  if (v < -1 || v > kMaxPmfK) {
    throw Error::invalid_argument(
        fmt::format("predict request: \"{}\" of \"{}\" must be in 0..{}", key, where, kMaxPmfK));
  }
  return static_cast<int>(v);
}

FitResult predict_fit_from_json(const nlohmann::json& fit) {
  FitResult out = fit_result_from_json(fit);
  if (!fit.contains("converged")) out.converged = true;
  // BG/BB counts opportunities, as fit_model labels it; their length in days
  // (for discounting) comes from "time_unit_days" when given.
  if (out.model == "bgbb") out.time_unit.name = "period";
  return out;
}

}  // namespace

FitResult predict_fit_from_json_text(std::string_view json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Error::invalid_argument(fmt::format("parameter JSON is not valid: {}", e.what()));
  }
  return predict_fit_from_json(j);
}

PredictResponse predict(const PredictRequest& request) {
  const FitResult& fit = request.fit;
  const ModelEntry& entry = find_model(fit.model);
  if (!entry.make_scorer) {
    throw Error::invalid_argument(fmt::format(
        "{} is not a purchase-count model; predict with bgnbd, mbgnbd, pnbd or bgbb parameters",
        fit.model));
  }
  if (!fit.converged && !request.allow_unconverged) {
    throw Error::not_converged(fmt::format(
        "the {} parameters come from a fit that did not converge; refit, or allow unconverged "
        "parameters",
        fit.model));
  }
  if (!(request.t > 0) || !std::isfinite(request.t)) {
    throw Error::invalid_argument(
        fmt::format("t (the horizon) must be > 0 {}s, got {}", fit.time_unit.name, request.t));
  }
  if (request.pmf_from < 0 || request.pmf_to > kMaxPmfK ||
      (request.pmf_to >= request.pmf_from && request.pmf_to - request.pmf_from >= kMaxPmfValues)) {
    throw Error::invalid_argument(
        fmt::format("the pmf range {}..{} must lie in 0..{} and hold at most {} values",
                    request.pmf_from, request.pmf_to, kMaxPmfK, kMaxPmfValues));
  }
  const auto scorer = entry.make_scorer(fit.params);
  PredictResponse out;
  out.model = fit.model;
  out.time_unit = fit.time_unit;
  out.t = request.t;
  out.expected_purchases_new = finite(scorer->expected_purchases_new(request.t), "E[X(t)]");
  for (int k = request.pmf_from; k <= request.pmf_to; ++k) {
    out.pmf_k.push_back(k);
    out.pmf.push_back(
        finite(scorer->probability_of_purchases(request.t, k), fmt::format("P(X(t)={})", k)));
    out.pmf_mass += out.pmf.back();
  }
  if (!request.customers.empty()) {
    std::vector<double> x, t_x, T;
    for (const PredictCustomer& c : request.customers) {
      out.customer_ids.push_back(c.id);
      x.push_back(c.x);
      t_x.push_back(c.t_x);
      T.push_back(c.T);
    }
    ValuationOptions v;
    v.horizon = request.t;
    v.margin = request.margin;
    v.annual_discount_rate = request.annual_discount_rate;
    v.time_unit = fit.time_unit;
    v.spend_per_purchase = request.spend_per_purchase;
    CustomerScores s = score_customers(*scorer, x, t_x, T, v);
    out.scores = Scores{std::move(s.p_alive), std::move(s.expected_purchases),
                        std::move(s.expected_spend), std::move(s.clv)};
  } else if (request.spend_per_purchase) {
    throw Error::invalid_argument(
        "a spend per purchase values customers: give \"customers\" (id, x, t_x, T) too");
  }
  return out;
}

PredictRequest predict_request_from_json_text(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error::invalid_argument(fmt::format("predict request is not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) throw Error::invalid_argument("predict request must be a JSON object");
  static constexpr std::string_view kKnown[] = {"fit",
                                                "t",
                                                "pmf",
                                                "customers",
                                                "margin",
                                                "discount_rate",
                                                "spend_per_purchase",
                                                "allow_unconverged"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      throw Error::invalid_argument(
          fmt::format("predict request: unknown field \"{}\" (known: fit, t, pmf, customers, "
                      "spend_per_purchase, margin, discount_rate, allow_unconverged)",
                      key));
    }
  }
  PredictRequest r;
  if (!j.contains("fit")) {
    throw Error::invalid_argument(
        "predict request: \"fit\" is required ({\"model\": \"bgnbd\", \"params\": {...}} or the "
        "JSON of clv fit --out)");
  }
  r.fit = predict_fit_from_json(j["fit"]);
  r.t = number(j, "t");
  if (j.contains("pmf")) {
    const nlohmann::json& pmf = j["pmf"];
    if (!pmf.is_object()) {
      throw Error::invalid_argument(
          "predict request: \"pmf\" must be an object {\"from\": 0, \"to\": 10}");
    }
    r.pmf_from = pmf.contains("from") ? whole(pmf, "from", "pmf") : 0;
    r.pmf_to = whole(pmf, "to", "pmf");
  }
  if (j.contains("customers")) {
    if (!j["customers"].is_array()) {
      throw Error::invalid_argument("predict request: \"customers\" must be an array");
    }
    size_t i = 0;
    for (const auto& c : j["customers"]) {
      if (!c.is_object()) {
        throw Error::invalid_argument(
            fmt::format("predict request: customers[{}] must be an object", i));
      }
      PredictCustomer pc;
      if (c.contains("id")) {
        if (c["id"].is_string()) {
          pc.id = c["id"].get<std::string>();
        } else if (c["id"].is_number_integer()) {
          pc.id = std::to_string(c["id"].get<int64_t>());
        } else {
          throw Error::invalid_argument(
              fmt::format("predict request: customers[{}].id must be a string", i));
        }
      } else {
        pc.id = std::to_string(i + 1);
      }
      try {
        pc.x = number(c, "x");
        pc.t_x = number(c, "t_x");
        pc.T = number(c, "T");
      } catch (const Error& e) {
        throw Error::invalid_argument(fmt::format("customers[{}]: {}", i, e.what()));
      }
      r.customers.push_back(std::move(pc));
      ++i;
    }
  }
  if (j.contains("spend_per_purchase")) r.spend_per_purchase = number(j, "spend_per_purchase");
  if (j.contains("margin")) r.margin = number(j, "margin");
  if (j.contains("discount_rate")) r.annual_discount_rate = number(j, "discount_rate");
  if (j.contains("allow_unconverged")) {
    if (!j["allow_unconverged"].is_boolean()) {
      throw Error::invalid_argument("predict request: \"allow_unconverged\" must be true or false");
    }
    r.allow_unconverged = j["allow_unconverged"].get<bool>();
  }
  return r;
}

std::string predict_response_to_json_text(const PredictResponse& r) {
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["time_unit"] = r.time_unit.name;
  j["time_unit_days"] = r.time_unit.days;
  j["t"] = r.t;
  j["expected_purchases_new"] = r.expected_purchases_new;
  auto pmf = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.pmf.size(); ++i) {
    pmf.push_back({{"k", r.pmf_k[i]}, {"probability", r.pmf[i]}});
  }
  j["pmf"] = std::move(pmf);
  j["pmf_mass"] = r.pmf_mass;
  auto customers = nlohmann::ordered_json::array();
  const bool valued = !r.scores.clv.empty();
  for (size_t i = 0; i < r.customer_ids.size(); ++i) {
    nlohmann::ordered_json c;
    c["id"] = r.customer_ids[i];
    c["p_alive"] = r.scores.p_alive[i];
    c["expected_purchases"] = r.scores.expected_purchases[i];
    if (valued) {
      c["expected_spend"] = r.scores.expected_spend[i];
      c["clv"] = r.scores.clv[i];
    }
    customers.push_back(std::move(c));
  }
  j["customers"] = std::move(customers);
  return j.dump();
}

std::string predict_json(std::string_view request_json) {
  return predict_response_to_json_text(predict(predict_request_from_json_text(request_json)));
}

}  // namespace clv
