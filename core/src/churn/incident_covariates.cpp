// Incident covariates: what a customer's service history looked like up to
// the calibration cut-off, weighted by the sector's rules.
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clv/covariates.hpp"
#include "clv/error.hpp"

namespace clv {
namespace {

const std::vector<std::string> kIncidentNames = {
    "incident_count",         "incident_rate",           "severity_weighted", "unresolved_count",
    "mean_resolution_vs_sla", "worst_resolution_vs_sla", "satisfaction",      "compensation"};
// The time-varying form: the service state at a moment.
const std::vector<std::string> kTimeVaryingNames = {"incident_count",   "severity_weighted",
                                                    "unresolved_count", "mean_resolution_vs_sla",
                                                    "satisfaction",     "compensation"};
constexpr double kNeutralRatio = 1.0, kNeutralSatisfaction = 3.0, kNeutralTrait = 5.0;
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
        // Still open: it has been waiting since it was opened, up to the
        // point where it counts as given up (beyond, the age is exposure).
        ratio = std::min(std::max(0.0, T - inc.opened) / sla, kGivenUpSlas);
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

// Writes one customer's service state at time t (time-varying form): the
// incidents opened by t, those still open at t, the mean resolution ratio of
// those resolved by t, the surveys answered by t (at resolution, or when an
// unresolved one is given up) and the handlers' mean profile.
void state_row(const std::vector<IncidentObservation>& list, double t, size_t customer,
               const IncidentRules& rules, bool incidents_group, bool staff_group, double* row) {
  double count = 0, weighted = 0, open = 0, res_sum = 0, res_n = 0, sat_sum = 0, sat_n = 0,
         comp = 0;
  std::array<double, 6> sum{};
  std::array<double, 6> cnt{};
  for (const IncidentObservation& inc : list) {
    if (inc.opened > t) continue;
    if (inc.severity < 1 || inc.severity > static_cast<int>(rules.severity_weight.size())) {
      throw Error::invalid_argument(
          fmt::format("incident severity {} of customer {} is outside 1..{}", inc.severity,
                      customer, rules.severity_weight.size()));
    }
    const double sla = rules.sla_of(inc.category);
    count += 1;
    weighted += rules.severity_weight[static_cast<size_t>(inc.severity - 1)] *
                rules.weight_of(inc.category);
    comp += inc.compensation;
    const bool resolved = inc.resolved >= 0 && inc.resolved <= t;
    if (resolved) {
      res_sum += std::max(0.0, inc.resolved - inc.opened) / sla;
      res_n += 1;
    } else {
      open += 1;
    }
    const double survey_at = inc.resolved >= 0 ? inc.resolved : inc.opened + kGivenUpSlas * sla;
    if (inc.satisfaction > 0 && survey_at <= t) sat_sum += inc.satisfaction, sat_n += 1;
    const std::array<double, 6> v = {inc.trust,      inc.tact,  inc.empathy,
                                     inc.conformity, inc.focus, inc.flexibility};
    for (size_t q = 0; q < 6; ++q)
      if (v[q] >= 0) sum[q] += v[q], cnt[q] += 1;
  }
  size_t col = 0;
  if (incidents_group) {
    row[col++] = count;
    row[col++] = weighted;
    row[col++] = open;
    row[col++] = res_n > 0 ? res_sum / res_n : kNeutralRatio;
    row[col++] = sat_n > 0 ? sat_sum / sat_n : kNeutralSatisfaction;
    row[col++] = comp;
  }
  if (staff_group) {
    for (size_t q = 0; q < 6; ++q) row[col++] = cnt[q] > 0 ? sum[q] / cnt[q] : kNeutralTrait;
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

std::vector<std::string> incident_covariate_names(bool incidents, bool staff, bool time_varying) {
  std::vector<std::string> names;
  if (incidents) names = time_varying ? kTimeVaryingNames : kIncidentNames;
  if (staff) names.insert(names.end(), kStaffNames.begin(), kStaffNames.end());
  return names;
}

namespace {

// Indices of the kept columns among all columns of the enabled groups.
std::vector<size_t> kept_columns(const CustomerCovariateData& d) {
  const auto all = incident_covariate_names(d.incidents_group, d.staff_group, d.time_varying);
  std::vector<size_t> kept;
  for (size_t j = 0; j < all.size(); ++j) {
    if (d.selected.empty() ||
        std::find(d.selected.begin(), d.selected.end(), all[j]) != d.selected.end()) {
      kept.push_back(j);
    }
  }
  return kept;
}

const IncidentRules& rules_for(const CustomerCovariateData& d, size_t customer) {
  static const IncidentRules kCoreDefaults;
  return d.rules.empty() ? kCoreDefaults : d.rules[d.rules_of.empty() ? 0 : d.rules_of[customer]];
}

}  // namespace

std::vector<std::string> CustomerCovariateData::names() const {
  const auto all = incident_covariate_names(incidents_group, staff_group, time_varying);
  std::vector<std::string> out;
  for (size_t j : kept_columns(*this)) out.push_back(all[j]);
  out.insert(out.end(), static_columns.names.begin(), static_columns.names.end());
  return out;
}

std::vector<double> CustomerCovariateData::row(
    size_t customer, const std::vector<IncidentObservation>& records) const {
  if (time_varying) return row_at(customer, records, T[customer]);
  const size_t k_all = incident_covariate_names(incidents_group, staff_group).size();
  const std::vector<size_t> kept = kept_columns(*this);
  const size_t k_static = static_columns.n_covariates();
  std::vector<double> out(kept.size() + k_static);
  if (k_all > 0) {
    std::vector<double> full(k_all);
    incident_row(records, T[customer], customer, rules_for(*this, customer), incidents_group,
                 staff_group, full.data());
    for (size_t j = 0; j < k_all; ++j) {
      if (std::isnan(full[j])) full[j] = j < unknown_fill.size() ? unknown_fill[j] : 0.0;
    }
    for (size_t j = 0; j < kept.size(); ++j) out[j] = full[kept[j]];
  }
  for (size_t j = 0; j < k_static; ++j) out[kept.size() + j] = static_columns.at(customer, j);
  return out;
}

std::vector<double> CustomerCovariateData::row_at(size_t customer,
                                                  const std::vector<IncidentObservation>& records,
                                                  double t) const {
  const size_t k_all = incident_covariate_names(incidents_group, staff_group, true).size();
  const std::vector<size_t> kept = kept_columns(*this);
  const size_t k_static = static_columns.n_covariates();
  std::vector<double> out(kept.size() + k_static);
  if (k_all > 0) {
    std::vector<double> full(k_all);
    state_row(records, t, customer, rules_for(*this, customer), incidents_group, staff_group,
              full.data());
    for (size_t j = 0; j < kept.size(); ++j) out[j] = full[kept[j]];
  }
  for (size_t j = 0; j < k_static; ++j) out[kept.size() + j] = static_columns.at(customer, j);
  return out;
}

std::vector<double> CustomerCovariateData::change_times(size_t customer) const {
  std::vector<double> times;
  const double end = T[customer];
  const IncidentRules& r = rules_for(*this, customer);
  auto add = [&](double t) {
    if (t > 0 && t < end) times.push_back(t);
  };
  for (const IncidentObservation& inc : incidents[customer]) {
    add(inc.opened);
    if (inc.resolved >= 0) add(inc.resolved);
    if (inc.resolved < 0 && inc.satisfaction > 0)
      add(inc.opened + kGivenUpSlas * r.sla_of(inc.category));
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  return times;
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
  for (const std::string& name : selected) {
    const auto all = incident_covariate_names(incidents_group, staff_group, time_varying);
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      throw Error::invalid_argument(
          fmt::format("covariate '{}' is not one of the {} incident/staff columns: {}", name,
                      time_varying ? "time-varying" : "snapshot", fmt::join(all, ", ")));
    }
  }
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
  if (unknown_fill.empty() && k_inc > 0 && !time_varying) {
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
