// Incident covariates: what a customer's service history looked like up to
// the calibration cut-off, weighted by the sector's rules.
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "clv/covariates.hpp"
#include "clv/error.hpp"

namespace clv {
namespace {

const std::vector<std::string> kIncidentNames = {
    "incident_count",         "incident_rate",           "severity_weighted", "unresolved_count",
    "mean_resolution_vs_sla", "worst_resolution_vs_sla", "satisfaction",      "compensation"};
const std::vector<std::string> kStaffNames = {"staff_trust",   "staff_tact",
                                              "staff_empathy", "staff_conformity",
                                              "staff_focus",   "staff_flexibility"};

// Writes one customer's incident/staff columns; unknown values are NaN.
void incident_row(const std::vector<IncidentObservation>& list, double T, size_t customer,
                  const IncidentRules& rules, bool incidents_group, bool staff_group, double* row) {
  const double nan = std::nan("");
  size_t col = 0;
  if (incidents_group) {
    double weighted = 0, unresolved = 0, res_sum = 0, res_n = 0, worst = 0, sat_sum = 0, sat_n = 0,
           comp = 0;
    for (const IncidentObservation& inc : list) {
      if (inc.severity < 1 || inc.severity > static_cast<int>(rules.severity_weight.size())) {
        throw Error::invalid_argument(
            fmt::format("incident severity {} of customer {} is outside 1..{}", inc.severity,
                        customer, rules.severity_weight.size()));
      }
      weighted += rules.severity_weight[static_cast<size_t>(inc.severity - 1)] *
                  rules.weight_of(inc.category);
      const double sla = rules.sla_of(inc.category);
      double ratio;
      if (inc.resolved < 0) {
        unresolved += 1;
        // Still open: it has been waiting since it was opened.
        ratio = std::max(0.0, T - inc.opened) / sla;
      } else {
        ratio = std::max(0.0, inc.resolved - inc.opened) / sla;
        res_sum += ratio;
        res_n += 1;
      }
      worst = std::max(worst, ratio);
      if (inc.satisfaction > 0) sat_sum += inc.satisfaction, sat_n += 1;
      comp += inc.compensation;
    }
    const double count = static_cast<double>(list.size());
    row[col++] = count;
    row[col++] = T > 0 ? count / T : count;
    row[col++] = weighted;
    row[col++] = unresolved;
    // No resolved incident: its resolution speed is unknown, not fast.
    row[col++] = res_n > 0 ? res_sum / res_n : nan;
    row[col++] = worst;
    row[col++] = sat_n > 0 ? sat_sum / sat_n : nan;
    row[col++] = comp;
  }
  if (staff_group) {
    std::array<double, 6> sum{};
    std::array<double, 6> cnt{};
    for (const IncidentObservation& inc : list) {
      const std::array<double, 6> v = {inc.trust,      inc.tact,  inc.empathy,
                                       inc.conformity, inc.focus, inc.flexibility};
      for (size_t q = 0; q < 6; ++q)
        if (v[q] >= 0) sum[q] += v[q], cnt[q] += 1;
    }
    for (size_t q = 0; q < 6; ++q) row[col++] = cnt[q] > 0 ? sum[q] / cnt[q] : nan;
  }
}

void check_rules(const IncidentRules& rules) {
  if (!(rules.expected_resolution > 0) || !std::isfinite(rules.expected_resolution)) {
    throw Error::invalid_argument(
        fmt::format("the expected resolution time (SLA) of {} must be positive", rules.source));
  }
  for (const auto& [category, sla] : rules.category_expected_resolution) {
    if (!(sla > 0) || !std::isfinite(sla)) {
      throw Error::invalid_argument(
          fmt::format("the SLA of category '{}' from {} must be positive", category, rules.source));
    }
  }
}

}  // namespace

double IncidentRules::sla_of(const std::string& category) const {
  for (const auto& [name, sla] : category_expected_resolution)
    if (name == category) return sla;
  return expected_resolution;
}

double IncidentRules::weight_of(const std::string& category) const {
  for (const auto& [name, w] : category_weight)
    if (name == category) return w;
  return 1.0;
}

std::vector<std::string> incident_covariate_names(bool incidents, bool staff) {
  std::vector<std::string> names;
  if (incidents) names = kIncidentNames;
  if (staff) names.insert(names.end(), kStaffNames.begin(), kStaffNames.end());
  return names;
}

std::vector<std::string> CustomerCovariateData::names() const {
  std::vector<std::string> out = incident_covariate_names(incidents_group, staff_group);
  out.insert(out.end(), static_columns.names.begin(), static_columns.names.end());
  return out;
}

std::vector<double> CustomerCovariateData::row(
    size_t customer, const std::vector<IncidentObservation>& records) const {
  const size_t k_inc = incident_covariate_names(incidents_group, staff_group).size();
  const size_t k_static = static_columns.n_covariates();
  std::vector<double> out(k_inc + k_static);
  if (k_inc > 0) {
    static const IncidentRules kCoreDefaults;
    const IncidentRules& r =
        rules.empty() ? kCoreDefaults : rules[rules_of.empty() ? 0 : rules_of[customer]];
    incident_row(records, T[customer], customer, r, incidents_group, staff_group, out.data());
    for (size_t j = 0; j < k_inc; ++j) {
      if (std::isnan(out[j])) out[j] = j < unknown_fill.size() ? unknown_fill[j] : 0.0;
    }
  }
  for (size_t j = 0; j < k_static; ++j) out[k_inc + j] = static_columns.at(customer, j);
  return out;
}

CovariateMatrix CustomerCovariateData::build() {
  const size_t n = T.size();
  if (incidents.size() != n) {
    throw Error::invalid_argument(fmt::format(
        "{} incident lists for {} customers; give one (possibly empty) list per customer",
        incidents.size(), n));
  }
  if (static_columns.n_covariates() > 0 && static_columns.n_customers() != n) {
    throw Error::invalid_argument(
        fmt::format("static covariates for {} customers, not {}", static_columns.n_customers(), n));
  }
  const size_t k_inc = incident_covariate_names(incidents_group, staff_group).size();
  if (k_inc > 0) {
    if (rules.empty()) rules.emplace_back();
    for (const IncidentRules& r : rules) check_rules(r);
    if (!rules_of.empty() && rules_of.size() != n) {
      throw Error::invalid_argument("rules_of needs one entry per customer");
    }
    for (uint32_t r : rules_of) {
      if (r >= rules.size()) throw Error::invalid_argument("rules_of points past the rules");
    }
  }
  if (unknown_fill.empty() && k_inc > 0) {
    // Unknown values take the mean of the known ones (0 if none is known), so
    // that a missing survey does not read as an extreme one.
    std::vector<double> sum(k_inc, 0.0), known(k_inc, 0.0), raw(k_inc);
    for (size_t i = 0; i < n; ++i) {
      incident_row(incidents[i], T[i], i, rules[rules_of.empty() ? 0 : rules_of[i]],
                   incidents_group, staff_group, raw.data());
      for (size_t j = 0; j < k_inc; ++j)
        if (!std::isnan(raw[j])) sum[j] += raw[j], known[j] += 1;
    }
    unknown_fill.resize(k_inc);
    for (size_t j = 0; j < k_inc; ++j) unknown_fill[j] = known[j] > 0 ? sum[j] / known[j] : 0.0;
  }
  CovariateMatrix m;
  m.names = names();
  m.values.reserve(n * m.names.size());
  for (size_t i = 0; i < n; ++i) {
    const std::vector<double> r = row(i, incidents[i]);
    m.values.insert(m.values.end(), r.begin(), r.end());
  }
  return m;
}

CovariateMatrix build_incident_covariates(
    const std::vector<std::vector<IncidentObservation>>& incidents, const std::vector<double>& T,
    const IncidentRules& rules, bool incidents_group, bool staff_group) {
  if (incidents.size() != T.size()) {
    throw Error::invalid_argument(fmt::format(
        "{} incident lists for {} customers; give one (possibly empty) list per customer",
        incidents.size(), T.size()));
  }
  if (!(rules.expected_resolution > 0)) {
    throw Error::invalid_argument("the sector's expected resolution time must be positive");
  }
  CustomerCovariateData data;
  data.incidents_group = incidents_group;
  data.staff_group = staff_group;
  data.incidents = incidents;
  data.T = T;
  data.rules = {rules};
  return data.build();
}

}  // namespace clv
