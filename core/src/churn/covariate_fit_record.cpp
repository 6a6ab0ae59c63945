#include "churn/covariate_fit_record.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "domain/nesting_limits.hpp"
#include "store/analysis_runs.hpp"

namespace clv {
namespace {

using nlohmann::json;

json rules_json(const IncidentRules& r, const std::string& sector) {
  return {{"sector", sector},
          {"source", r.source},
          {"severity_weight", r.severity_weight},
          {"category_weight", r.category_weight},
          {"expected_resolution", r.expected_resolution},
          {"category_expected_resolution", r.category_expected_resolution}};
}

int64_t calibration_day(const std::string& date) {
  int64_t seconds = 0;
  if (!parse_timestamp(date, seconds)) {
    throw Error::invalid_argument(
        fmt::format("calibration end '{}' is not a date (YYYY-MM-DD)", date));
  }
  return day_of(seconds);
}

}  // namespace

std::string covariate_fit_record_to_json(const CovariateFitRecord& rec) {
  const CovariateParetoNbd& m = rec.model;
  json j;
  j["covariate_fit"] = 1;  // format version
  j["model"] = "pnbd_cov";
  j["calibration_end"] = rec.calibration_end;
  j["time_unit"] = rec.unit.name;
  j["time_unit_days"] = rec.unit.days;
  j["spec"] = {{"incidents", rec.spec.incidents},
               {"staff", rec.spec.staff},
               {"static", rec.spec.static_columns},
               {"columns", rec.spec.columns},
               {"time_varying", rec.spec.time_varying}};
  j["r"] = m.r;
  j["alpha"] = m.alpha;
  j["s"] = m.s;
  j["beta"] = m.beta;
  j["covariates"] = m.scaling.names;
  j["scaling_mean"] = m.scaling.mean;
  j["scaling_sd"] = m.scaling.scale;
  j["gamma_purchase"] = m.gamma_purchase;
  j["gamma_dropout"] = m.gamma_dropout;
  json se = json::object();
  for (size_t i = 0; i < m.fit.params.size() && i < m.fit.std_errors.size(); ++i) {
    se[m.fit.param_names[i]] = m.fit.std_errors[i];
  }
  j["std_errors"] = se;
  const FitResult& f = m.fit;
  j["fit"] = {{"model", f.model},
              {"param_names", f.param_names},
              {"params", f.params},
              {"std_errors", f.std_errors},
              {"log_likelihood", f.log_likelihood},
              {"aic", f.aic},
              {"bic", f.bic},
              {"converged", f.converged},
              {"iterations", f.iterations},
              {"gradient_norm", f.gradient_norm},
              {"n_customers", f.n_customers},
              {"n_rows", f.n_rows}};
  j["log_likelihood"] = m.fit.log_likelihood;
  j["baseline_log_likelihood"] = m.baseline.log_likelihood;
  // The plain model's parameters: a stored fit's churn run checks it against
  // the data (clv/fit_check.hpp) as a fresh fit does.
  if (m.baseline.params.size() == 4) {
    j["baseline"] = {{"model", m.baseline.model},
                     {"param_names", m.baseline.param_names},
                     {"params", m.baseline.params}};
  }
  j["static_columns"] = rec.static_names;
  j["unknown_fill"] = rec.unknown_fill;
  json rules = json::array();
  for (size_t i = 0; i < rec.rules.size(); ++i) {
    rules.push_back(rules_json(rec.rules[i], i < rec.sectors.size() ? rec.sectors[i] : ""));
  }
  j["incident_rules"] = rules;
  j["notes"] = rec.notes;
  return j.dump(2);
}

bool is_covariate_fit_json(std::string_view text) {
  if (json_depth_exceeded_at(text) != std::string_view::npos) return false;
  const json j = json::parse(text, nullptr, false);
  return j.is_object() && j.contains("covariate_fit");
}

CovariateFitRecord covariate_fit_record_from_json(std::string_view text,
                                                  const std::string& source) {
  check_json_depth(text, source);
  try {
    const json j = json::parse(text);
    if (!j.is_object() || !j.contains("covariate_fit")) {
      throw Error::invalid_argument(
          "not a covariate fit; write one with clv fit --model pnbd --db PATH --covariates ... "
          "--out FILE");
    }
    CovariateFitRecord rec;
    CovariateParetoNbd& m = rec.model;
    rec.calibration_end = j.at("calibration_end").get<std::string>();
    rec.unit = {j.at("time_unit").get<std::string>(), j.at("time_unit_days").get<double>()};
    const json& spec = j.at("spec");
    rec.spec.incidents = spec.at("incidents").get<bool>();
    rec.spec.staff = spec.at("staff").get<bool>();
    rec.spec.static_columns = spec.at("static").get<std::vector<std::string>>();
    rec.spec.columns = spec.value("columns", std::vector<std::string>{});
    rec.spec.time_varying = spec.value("time_varying", false);
    m.r = j.at("r").get<double>();
    m.alpha = j.at("alpha").get<double>();
    m.s = j.at("s").get<double>();
    m.beta = j.at("beta").get<double>();
    m.scaling.names = j.at("covariates").get<std::vector<std::string>>();
    m.scaling.mean = j.at("scaling_mean").get<std::vector<double>>();
    m.scaling.scale = j.at("scaling_sd").get<std::vector<double>>();
    m.gamma_purchase = j.at("gamma_purchase").get<std::vector<double>>();
    m.gamma_dropout = j.at("gamma_dropout").get<std::vector<double>>();
    const json& f = j.at("fit");
    m.fit.model = f.at("model").get<std::string>();
    m.fit.param_names = f.at("param_names").get<std::vector<std::string>>();
    m.fit.params = f.at("params").get<std::vector<double>>();
    m.fit.std_errors = f.at("std_errors").get<std::vector<double>>();
    m.fit.log_likelihood = f.at("log_likelihood").get<double>();
    m.fit.aic = f.value("aic", 0.0);
    m.fit.bic = f.value("bic", 0.0);
    m.fit.converged = f.at("converged").get<bool>();
    m.fit.iterations = f.value("iterations", 0);
    m.fit.gradient_norm = f.value("gradient_norm", 0.0);
    m.fit.n_customers = f.value("n_customers", 0.0);
    m.fit.n_rows = f.value("n_rows", size_t{0});
    m.fit.time_unit = rec.unit;
    m.baseline.log_likelihood = j.value("baseline_log_likelihood", 0.0);
    if (const auto b = j.find("baseline"); b != j.end() && b->is_object()) {
      m.baseline.model = b->at("model").get<std::string>();
      m.baseline.param_names = b->at("param_names").get<std::vector<std::string>>();
      m.baseline.params = b->at("params").get<std::vector<double>>();
      m.baseline.time_unit = rec.unit;
    }
    rec.static_names = j.at("static_columns").get<std::vector<std::string>>();
    rec.unknown_fill = j.at("unknown_fill").get<std::vector<double>>();
    for (const json& r : j.at("incident_rules")) {
      IncidentRules rules;
      rec.sectors.push_back(r.at("sector").get<std::string>());
      rules.source = r.at("source").get<std::string>();
      rules.severity_weight = r.at("severity_weight").get<std::vector<double>>();
      rules.category_weight =
          r.at("category_weight").get<std::vector<std::pair<std::string, double>>>();
      rules.expected_resolution = r.at("expected_resolution").get<double>();
      rules.category_expected_resolution =
          r.at("category_expected_resolution").get<std::vector<std::pair<std::string, double>>>();
      rec.rules.push_back(std::move(rules));
    }
    rec.notes = j.value("notes", std::vector<std::string>{});
    const size_t k = m.scaling.names.size();
    if (m.scaling.mean.size() != k || m.scaling.scale.size() != k || m.gamma_purchase.size() != k ||
        m.gamma_dropout.size() != k || k == 0) {
      throw Error::invalid_argument("covariate names, scaling and gammas differ in length");
    }
    for (double sd : m.scaling.scale) {
      if (!(sd > 0)) throw Error::invalid_argument("a covariate scale is not positive");
    }
    return rec;
  } catch (const json::exception& e) {
    throw Error::invalid_argument(
        fmt::format("{}: not a readable covariate fit ({}); rewrite it with clv fit --covariates",
                    source, e.what()));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInvalidArgument && std::string(e.what()).rfind(source, 0) != 0) {
      throw Error::invalid_argument(fmt::format("{}: {}", source, e.what()));
    }
    throw;
  }
}

DbCovariates load_record_covariates(const CovariateFitRecord& record, const std::string& db_path,
                                    const std::vector<std::string>& ids,
                                    const std::vector<double>& T) {
  DbCovariateOptions options;
  options.db_path = db_path;
  options.calibration_end_day = calibration_day(record.calibration_end);
  options.unit = record.unit;
  options.use_plugins = false;  // the record's rules are the fit's
  DbCovariates cov = load_db_covariates(options, record.spec, ids, T, &record.static_names);
  cov.notes.clear();
  cov.notes.push_back("incident rules and unknown-value fills of the stored covariate fit");
  if (record.spec.incidents || record.spec.staff) {
    // Customers of a sector the fit did not see take the core defaults.
    std::vector<uint32_t> remap(cov.sectors.size());
    std::vector<IncidentRules> rules = record.rules;
    std::vector<std::string> sectors = record.sectors;
    for (size_t s = 0; s < cov.sectors.size(); ++s) {
      size_t r = 0;
      while (r < sectors.size() && sectors[r] != cov.sectors[s]) ++r;
      if (r == sectors.size()) {
        rules.push_back(cov.data.rules[s]);
        sectors.push_back(cov.sectors[s]);
        cov.notes.push_back(
            fmt::format("sector '{}' was not in the fit: its incidents use core default weights",
                        cov.sectors[s]));
      }
      remap[s] = static_cast<uint32_t>(r);
    }
    for (uint32_t& r : cov.data.rules_of) r = remap[r];
    cov.data.rules = std::move(rules);
    cov.sectors = std::move(sectors);
    cov.data.unknown_fill = record.unknown_fill;
  }
  if (cov.data.names() != record.model.scaling.names) {
    throw Error::invalid_argument(
        "the database's covariates do not match the stored fit's columns; refit");
  }
  return cov;
}

DbCovariatePortfolio load_db_covariate_portfolio(const DbCovariateOptions& options,
                                                 const CovariateSpec& spec,
                                                 const CovariateFitRecord* record) {
  SummaryPeriod period;
  period.calibration_end_day = options.calibration_end_day;
  period.unit = options.unit;
  DbCovariatePortfolio out;
  out.summary =
      rfm_data_from_summary(summarize_database(options.db_path, period, options.progress));
  if (out.summary.size() < 2) {
    throw Error::invalid_argument(
        fmt::format("{} has {} customers with a purchase by {}; a covariate fit needs more",
                    options.db_path, out.summary.size(), format_date(options.calibration_end_day)));
  }
  out.covariates =
      record
          ? load_record_covariates(*record, options.db_path, out.summary.customer_id, out.summary.T)
          : load_db_covariates(options, spec, out.summary.customer_id, out.summary.T);
  out.raw = out.covariates.data.build();
  return out;
}

int64_t save_covariate_fit_run(const std::string& db_path, const CovariateFitRecord& rec) {
  analysis_runs::RunRow run;
  run.source = "sqlite:" + db_path;
  run.log_likelihood = rec.model.fit.log_likelihood;
  run.details = covariate_fit_record_to_json(rec);
  const FitResult& f = rec.model.fit;
  for (size_t i = 0; i < f.params.size(); ++i) {
    run.parameters.push_back(
        {f.param_names[i], f.params[i], i < f.std_errors.size() ? f.std_errors[i] : 0.0});
  }
  return analysis_runs::insert_covariate_fit_run(db_path, run);
}

bool has_covariate_fit_run(const std::string& db_path) {
  try {
    load_covariate_fit_run(db_path, 0);
    return true;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kNotFound) return false;
    throw;
  }
}

CovariateFitRecord load_covariate_fit_run(const std::string& db_path, int64_t run_id,
                                          int64_t* found_id) {
  const auto stored = analysis_runs::find_covariate_fit_run(db_path, run_id);
  if (!stored) {
    throw Error::not_found(fmt::format(
        "{} holds no covariate fit{}; run clv fit --model pnbd --db {} --calibration-end DATE "
        "--covariates incidents,staff first (or clv churn --plain --calibration-end DATE for "
        "churn risk without covariates)",
        db_path, run_id > 0 ? fmt::format(" with run id {}", run_id) : std::string(), db_path));
  }
  if (found_id) *found_id = stored->id;
  return covariate_fit_record_from_json(stored->details,
                                        fmt::format("{} run {}", db_path, stored->id));
}

}  // namespace clv
