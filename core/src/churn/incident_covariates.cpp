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

double category_weight(const IncidentRules& rules, const std::string& category) {
  for (const auto& [name, w] : rules.category_weight)
    if (name == category) return w;
  return 1.0;
}

// Replaces the NaN placeholders of column j by the mean of the known values
// (or 0 if none is known).
void fill_unknown_with_mean(CovariateMatrix& m, size_t j) {
  const size_t k = m.n_covariates(), n = m.n_customers();
  double sum = 0.0;
  size_t known = 0;
  for (size_t i = 0; i < n; ++i) {
    const double v = m.values[i * k + j];
    if (!std::isnan(v)) sum += v, ++known;
  }
  const double mean = known ? sum / static_cast<double>(known) : 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(m.values[i * k + j])) m.values[i * k + j] = mean;
  }
}

}  // namespace

std::vector<std::string> incident_covariate_names(bool incidents, bool staff) {
  std::vector<std::string> names;
  if (incidents) names = kIncidentNames;
  if (staff) names.insert(names.end(), kStaffNames.begin(), kStaffNames.end());
  return names;
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
  CovariateMatrix m;
  m.names = incident_covariate_names(incidents_group, staff_group);
  const size_t k = m.names.size(), n = T.size();
  m.values.assign(n * k, 0.0);
  const double nan = std::nan("");
  for (size_t i = 0; i < n; ++i) {
    double* row = &m.values[i * k];
    size_t col = 0;
    const auto& list = incidents[i];
    if (incidents_group) {
      double weighted = 0, unresolved = 0, res_sum = 0, res_n = 0, worst = 0, sat_sum = 0,
             sat_n = 0, comp = 0;
      for (const IncidentObservation& inc : list) {
        if (inc.severity < 1 || inc.severity > static_cast<int>(rules.severity_weight.size())) {
          throw Error::invalid_argument(
              fmt::format("incident severity {} of customer {} is outside 1..{}", inc.severity, i,
                          rules.severity_weight.size()));
        }
        weighted += rules.severity_weight[static_cast<size_t>(inc.severity - 1)] *
                    category_weight(rules, inc.category);
        double ratio;
        if (inc.resolved < 0) {
          unresolved += 1;
          // Still open: it has been waiting since it was opened.
          ratio = std::max(0.0, T[i] - inc.opened) / rules.expected_resolution;
        } else {
          ratio = std::max(0.0, inc.resolved - inc.opened) / rules.expected_resolution;
          res_sum += ratio;
          res_n += 1;
        }
        worst = std::max(worst, ratio);
        if (inc.satisfaction > 0) sat_sum += inc.satisfaction, sat_n += 1;
        comp += inc.compensation;
      }
      const double count = static_cast<double>(list.size());
      row[col++] = count;
      row[col++] = T[i] > 0 ? count / T[i] : count;
      row[col++] = weighted;
      row[col++] = unresolved;
      row[col++] = res_n > 0 ? res_sum / res_n : 0.0;
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
  for (size_t j = 0; j < k; ++j) fill_unknown_with_mean(m, j);
  return m;
}

}  // namespace clv
