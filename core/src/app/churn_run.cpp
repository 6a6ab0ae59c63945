// run_churn: the one churn path behind `clv churn`, Engine::churn_fit, the C
// API and HTTP; the request's JSON form and the result's JSON.
#include "clv/churn_run.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/request_json.hpp"
#include "clv/calendar.hpp"
#include "clv/error.hpp"

namespace clv {
namespace {

using nlohmann::json;

void require_calibration_end(const ChurnFitRequest& r, const char* what) {
  if (!r.calibration_end_day) throw Error::invalid_argument(what);
}

// A mistyped path must not leave a new empty database behind (opening creates).
void require_database(const std::string& db_path) {
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(
        fmt::format("no database at '{}' (import data first: clv import)", db_path));
  }
}

// The database's request, from the options shared by fresh and plain fits.
DbCovariateFitRequest db_request(const std::string& db_path, const ChurnFitRequest& r) {
  DbCovariateFitRequest request;
  request.db_path = db_path;
  request.calibration_end_day = *r.calibration_end_day;
  request.unit = r.unit.value_or(r.default_unit);
  request.plugin_dirs = r.plugin_dirs;
  request.use_plugins = r.use_plugins;
  request.covariates = r.covariates;
  request.fit.threads = r.threads;
  request.fit.progress = r.progress;
  request.snapshot = r.snapshot;
  request.store = r.store;
  return request;
}

// Scores the portfolio, stores the churn run (request.store) and ranks the
// customers at risk.
// The plain model's check on the scored customers (`clv fit`'s fit check):
// the baseline of a covariate fit, or the plain model itself.
FitCheck check_of(const CovariateParetoNbd& model, const CovariatePortfolio& portfolio) {
  if (model.baseline.params.size() != 4) return {};
  RfmData data;
  data.x = portfolio.x;
  data.t_x = portfolio.t_x;
  data.T = portfolio.T;
  return check_fit(model.baseline, data);
}

ChurnFitResult score(const std::string& db_path, const ChurnFitRequest& request,
                     CovariateParetoNbd&& model, const CovariatePortfolio& portfolio,
                     std::string source, std::vector<std::string> notes,
                     std::optional<TimeUnit> unit, int64_t fit_run_id,
                     std::optional<FitCheck> check = std::nullopt) {
  ChurnFitResult out;
  // After the per-customer scores (stage "score"): the fit check, storing the
  // run and ranking, as stage "churn" in steps (issue 16).
  constexpr uint64_t kSteps = 3;
  auto step = [&](uint64_t done) {
    if (request.progress) request.progress(Progress{"churn", done, kSteps, "steps", 0});
  };
  out.scores = score_churn(model, portfolio, request.horizon, request.drivers, request.progress);
  step(0);
  out.fit_check = check ? std::move(*check) : check_of(model, portfolio);
  step(1);
  if (!out.fit_check.supported) {
    notes.push_back(
        "fit check: not available (the stored fit predates stored baseline parameters: refit "
        "with clv fit --db --covariates)");
  }
  if (request.store) {
    out.run_id = store_churn_run(db_path, source, model, request.horizon, out.scores, unit);
  }
  step(2);
  out.at_risk = rank_at_risk(out.scores, portfolio, request.horizon, request.top);
  step(kSteps);
  notes.push_back(out.at_risk.spend_note);
  out.effects = covariate_effects(model);
  out.model = std::move(model);
  out.notes = std::move(notes);
  out.source = std::move(source);
  out.horizon = request.horizon;
  out.unit = std::move(unit);
  out.fit_run_id = fit_run_id;
  out.customers = portfolio.size();
  return out;
}

ChurnFitResult run_plain(const std::string& db_path, const ChurnFitRequest& request) {
  require_calibration_end(request,
                          "churn without covariates needs a calibration end (--calibration-end "
                          "YYYY-MM-DD, \"calibration_end\": the last day of the fit period)");
  DbCovariateFit fit = fit_db_plain_churn(db_request(db_path, request));
  return score(db_path, request, std::move(fit.model), fit.portfolio,
               fmt::format("sqlite:{} plain pnbd", db_path), std::move(fit.notes), fit.unit, 0);
}

ChurnFitResult run_summary(const std::string& db_path, const ChurnFitRequest& request) {
  if (request.covariates.empty()) {
    throw Error::invalid_argument(
        "--summary needs --covariates static:COL[,static:COL...] (the covariate columns)");
  }
  const CovariatePortfolio data =
      read_static_covariate_portfolio(request.summary_path, request.covariates);
  if (data.unit && request.unit) {
    require_same_unit(*data.unit, "the summary " + request.summary_path, *request.unit,
                      "the horizon (--unit " + request.unit->name + ")");
  }
  CovariateFitOptions options;
  options.threads = request.threads;
  options.progress = request.progress;
  CovariateParetoNbd model = fit_covariate_pnbd(data.x, data.t_x, data.T, data.covariates, options);
  std::optional<TimeUnit> unit = data.unit ? data.unit : request.unit;
  return score(db_path, request, std::move(model), data, request.summary_path, {}, unit, 0);
}

}  // namespace

ChurnFitResult run_churn(const std::string& db_path, const ChurnFitRequest& request) {
  if (!(request.horizon > 0) || !std::isfinite(request.horizon)) {
    throw Error::invalid_argument(fmt::format(
        "the horizon must be a positive number of time units (got {})", request.horizon));
  }
  if (request.plain && !request.covariates.empty()) {
    throw Error::invalid_argument(
        "plain (the model without covariates) and covariates exclude each other: give one");
  }
  if (!request.summary_path.empty()) return run_summary(db_path, request);
  require_database(db_path);
  if (request.plain) return run_plain(db_path, request);
  // From the database: a fresh fit with covariates, else the stored covariate
  // fit (none stored and a calibration end given: the plain model).
  if (request.covariates.empty() && request.run == 0 && request.calibration_end_day &&
      !has_stored_covariate_fit(db_path)) {
    return run_plain(db_path, request);
  }
  DbCovariateFit fit;
  if (!request.covariates.empty()) {
    require_calibration_end(
        request,
        "a covariate fit on the database needs a calibration end (--calibration-end YYYY-MM-DD, "
        "\"calibration_end\"), or leave the covariates out to score the latest stored covariate "
        "fit");
    fit = fit_db_covariate_run(db_request(db_path, request));
  } else {
    fit = load_db_covariate_run(db_path, request.run);
    if (request.unit) {
      require_same_unit(fit.unit, fmt::format("the covariate fit run {}", fit.run_id),
                        *request.unit, "the horizon (unit " + request.unit->name + ")");
    }
  }
  std::vector<std::string> notes = std::move(fit.notes);
  notes.insert(notes.begin(), fmt::format("covariate fit run {} (calibration end {}, time unit {})",
                                          fit.run_id, fit.calibration_end, fit.unit.name));
  std::optional<FitCheck> check;
  if (fit.baseline_check.supported) check = std::move(fit.baseline_check);
  return score(db_path, request, std::move(fit.model), fit.portfolio,
               fmt::format("sqlite:{} fit run {}", db_path, fit.run_id), std::move(notes), fit.unit,
               fit.run_id, std::move(check));
}

}  // namespace clv

namespace clv {

std::string churn_result_json(const ChurnFitResult& r, int indent) {
  const CovariateParetoNbd& model = r.model;
  json out;
  out["run_id"] = r.run_id;
  out["fit_run_id"] = r.fit_run_id;
  out["horizon"] = r.horizon;
  out["time_unit"] = r.unit ? json(r.unit->name) : json();
  out["customers_scored"] = r.customers;
  out["model"] = json::parse(covariate_model_json(model));
  out["notes"] = r.notes;
  out["fit_check"] = json::parse(fit_check_json(r.fit_check));
  json params = json::array();
  for (size_t i = 0; i < model.fit.params.size(); ++i) {
    params.push_back({{"name", model.fit.param_names[i]},
                      {"estimate", model.fit.params[i]},
                      {"std_error", model.fit.std_errors[i]}});
  }
  out["parameters"] = params;
  json effect_list = json::array();
  for (const auto& e : r.effects) {
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
  json customers = json::array();
  for (size_t i : r.at_risk.order) {
    const ChurnScore& s = r.scores[i];
    json drivers = json::array();
    for (const auto& d : s.drivers) {
      drivers.push_back({{"covariate", d.covariate}, {"effect", d.effect}});
    }
    customers.push_back({{"customer_id", s.customer},
                         {"p_alive", s.prediction.p_alive},
                         {"churn_risk", s.prediction.churn_risk},
                         {"risk_if_alive", s.prediction.risk_if_alive},
                         {"value_at_risk", r.at_risk.value_at_risk[i]},
                         {"risk_band", risk_band_name(risk_band(s.prediction.churn_risk))},
                         {"expected_purchases", s.prediction.expected_purchases},
                         {"drivers", drivers}});
  }
  out["customers"] = customers;
  // Customer ids are the caller's bytes: never thrown on.
  return out.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace {

constexpr const char* kWhat = "churn fit request";

[[noreturn]] void bad_field(const std::string& field, std::string_view rule) {
  throw Error::invalid_argument(fmt::format("{}: \"{}\" {}", kWhat, field, rule));
}

bool flag(const json& j, const char* key, bool fallback) {
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_boolean()) bad_field(key, "must be true or false");
  return it->get<bool>();
}

int64_t whole(const json& j, const char* key, int64_t fallback, int64_t low, int64_t high) {
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < low || it->get<int64_t>() > high) {
    bad_field(key, fmt::format("must be an integer in {}..{}", low, high));
  }
  return it->get<int64_t>();
}

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  if (!it->is_string()) bad_field(key, "must be a string");
  return it->get<std::string>();
}

}  // namespace

ChurnFitRequest churn_fit_request_from_json(std::string_view body) {
  const json j = parse_request_json(body, kWhat);
  if (!j.is_object()) {
    throw Error::invalid_argument(fmt::format(
        "{} must be a JSON object, e.g. {{\"horizon\": 26, \"covariates\": \"incidents,staff\"}}",
        kWhat));
  }
  static constexpr std::string_view kKnown[] = {"horizon",         "covariates", "plain",    "run",
                                                "calibration_end", "unit",       "snapshot", "top",
                                                "drivers",         "store"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(std::begin(kKnown), std::end(kKnown), it.key()) == std::end(kKnown)) {
      bad_field(it.key(),
                "is not a field (known: horizon, covariates, plain, run, calibration_end, unit, "
                "snapshot, top, drivers, store)");
    }
  }
  ChurnFitRequest r;
  const auto horizon = j.find("horizon");
  if (horizon == j.end()) bad_field("horizon", "is required (a positive number of time units)");
  if (!horizon->is_number() || !(horizon->get<double>() > 0) ||
      !std::isfinite(horizon->get<double>())) {
    bad_field("horizon", "must be a positive number of time units");
  }
  r.horizon = horizon->get<double>();
  if (const auto it = j.find("covariates"); it != j.end()) {
    if (it->is_string()) {
      r.covariates = it->get<std::string>();
    } else if (it->is_array()) {
      for (const json& item : *it) {
        if (!item.is_string() || item.get<std::string>().empty()) {
          bad_field("covariates", "must be a string (\"incidents,staff\") or an array of names");
        }
        r.covariates += (r.covariates.empty() ? "" : ",") + item.get<std::string>();
      }
    } else {
      bad_field("covariates", "must be a string (\"incidents,staff\") or an array of names");
    }
  }
  r.plain = flag(j, "plain", false);
  r.snapshot = flag(j, "snapshot", false);
  r.store = flag(j, "store", true);
  r.run = whole(j, "run", 0, 0, std::numeric_limits<int64_t>::max());
  r.top = static_cast<size_t>(whole(j, "top", 20, 0, 100000));
  r.drivers = static_cast<size_t>(whole(j, "drivers", 3, 0, 100));
  if (j.contains("calibration_end")) {
    const std::string date = text(j, "calibration_end");
    int64_t seconds = 0;
    if (!parse_timestamp(date, seconds)) {
      bad_field("calibration_end", fmt::format("'{}' is not a date: use YYYY-MM-DD", date));
    }
    r.calibration_end_day = day_of(seconds);
  }
  if (j.contains("unit")) {
    try {
      r.unit = TimeUnit::parse(text(j, "unit"));
    } catch (const Error& e) {
      bad_field("unit", e.what());
    }
  }
  return r;
}

}  // namespace clv
