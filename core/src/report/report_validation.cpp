#include "report/report_validation.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv::report {

namespace {

void require_finite(const std::vector<double>& values, const char* field) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw Error::invalid_argument(fmt::format(
          "report: {}[{}] is not a finite number; drop or fix that value before rendering", field,
          i));
    }
  }
}

void require_same_size(size_t a, size_t b, const char* field_a, const char* field_b) {
  if (a != b) {
    throw Error::invalid_argument(
        fmt::format("report: {} has {} values but {} has {}; they must be the same length", field_a,
                    a, field_b, b));
  }
}

void require_probability(double p, const std::string& field) {
  if (!std::isfinite(p) || p < 0.0 || p > 1.0) {
    throw Error::invalid_argument(
        fmt::format("report: {} = {} is not a probability in [0, 1]", field, p));
  }
}

}  // namespace

void validate_report_data(const ReportData& data) {
  const ReportMetadata& meta = data.metadata;
  require_same_size(meta.param_names.size(), meta.params.size(), "metadata.param_names",
                    "metadata.params");
  require_finite(meta.params, "metadata.params");

  if (data.purchases) {
    const PurchasesOverTime& p = *data.purchases;
    require_same_size(p.period.size(), p.actual.size(), "purchases.period", "purchases.actual");
    require_same_size(p.period.size(), p.fitted.size(), "purchases.period", "purchases.fitted");
    require_finite(p.period, "purchases.period");
    require_finite(p.actual, "purchases.actual");
    require_finite(p.fitted, "purchases.fitted");
    if (!std::isfinite(p.calibration_end)) {
      throw Error::invalid_argument("report: purchases.calibration_end is not finite");
    }
  }
  if (data.calibration) {
    const CalibrationHoldout& c = *data.calibration;
    require_same_size(c.frequency_labels.size(), c.actual_holdout.size(),
                      "calibration.frequency_labels", "calibration.actual_holdout");
    require_same_size(c.frequency_labels.size(), c.predicted_holdout.size(),
                      "calibration.frequency_labels", "calibration.predicted_holdout");
    require_finite(c.actual_holdout, "calibration.actual_holdout");
    require_finite(c.predicted_holdout, "calibration.predicted_holdout");
  }
  if (data.alive) {
    const AliveHeatMap& a = *data.alive;
    require_same_size(a.probability.size(), a.frequency_labels.size() * a.recency_labels.size(),
                      "alive.probability", "alive.frequency_labels x alive.recency_labels");
    for (size_t i = 0; i < a.probability.size(); ++i) {
      require_probability(a.probability[i], fmt::format("alive.probability[{}]", i));
    }
  }
  if (data.clv) require_finite(data.clv->clv, "clv.clv");
  if (data.service) {
    for (size_t i = 0; i < data.service->rows.size(); ++i) {
      const ServiceRow& r = data.service->rows[i];
      for (double v : {r.customers, r.incidents_per_100, r.satisfaction, r.attributable_per_100,
                       r.clv_at_risk}) {
        if (!std::isfinite(v)) {
          throw Error::invalid_argument(fmt::format(
              "report: service.rows[{}] ('{}') has a value that is not finite", i, r.group));
        }
      }
      require_probability(r.resolved_within_sla,
                          fmt::format("service.rows[{}].resolved_within_sla", i));
    }
    if (const auto& w = data.service->word_of_mouth) {
      for (double v :
           {w->satisfied, w->unhappy, w->told_satisfied_low, w->told_satisfied_high,
            w->told_unhappy, w->prospects_won_low, w->prospects_won_high, w->prospects_lost,
            w->value_won_low, w->value_won_high, w->value_lost, w->net_low, w->net_high}) {
        if (!std::isfinite(v)) {
          throw Error::invalid_argument(
              "report: service.word_of_mouth has a value that is not finite");
        }
      }
    }
  }
  if (data.churn) {
    for (size_t i = 0; i < data.churn->segments.size(); ++i) {
      const SegmentChurn& s = data.churn->segments[i];
      require_probability(s.churn_risk, fmt::format("churn.segments[{}].churn_risk", i));
      if (!std::isfinite(s.customers) || s.customers < 0) {
        throw Error::invalid_argument(
            fmt::format("report: churn.segments[{}].customers must be a non-negative count", i));
      }
    }
    for (size_t i = 0; i < data.churn->drivers.size(); ++i) {
      if (!std::isfinite(data.churn->drivers[i].effect)) {
        throw Error::invalid_argument(
            fmt::format("report: churn.drivers[{}].effect is not a finite number", i));
      }
    }
  }
  if (data.scenarios) {
    const ScenarioComparison& s = *data.scenarios;
    if (!(s.interval_level > 0.0 && s.interval_level < 1.0)) {
      throw Error::invalid_argument(
          "report: scenarios.interval_level must be in (0, 1), e.g. 0.9 for a 90% interval");
    }
    for (size_t i = 0; i < s.scenarios.size(); ++i) {
      const ScenarioResult& r = s.scenarios[i];
      auto finite = [](const std::optional<ReportInterval>& v) {
        return !v ||
               (std::isfinite(v->estimate) && std::isfinite(v->lower) && std::isfinite(v->upper));
      };
      if (!std::isfinite(r.estimate) || !std::isfinite(r.lower) || !std::isfinite(r.upper) ||
          !finite(r.delta_clv) || !finite(r.roi) || (r.cost && !std::isfinite(*r.cost))) {
        throw Error::invalid_argument(
            fmt::format("report: scenarios[{}] ('{}') has a non-finite value", i, r.name));
      }
      if (!(r.lower <= r.estimate && r.estimate <= r.upper)) {
        throw Error::invalid_argument(fmt::format(
            "report: scenarios[{}] ('{}') needs lower <= estimate <= upper, got {} <= {} <= {}", i,
            r.name, r.lower, r.estimate, r.upper));
      }
    }
  }
}

}  // namespace clv::report
