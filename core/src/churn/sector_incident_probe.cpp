#include "churn/sector_incident_probe.hpp"

#include <algorithm>
#include <cmath>
#include <exception>

#include <fmt/format.h>

#include "clv/plugin_registry.hpp"
#include "clv/sector_plugin.hpp"

namespace clv {
namespace {

constexpr int64_t kProbeStart = 1700000000;  // any fixed time; only durations matter
constexpr int kLadder = 18;                  // 1 h .. 2^17 h (15 years)

long find_column(const IncidentCovariateMatrix& m, const char* name) {
  const auto it = std::find(m.names.begin(), m.names.end(), name);
  return it == m.names.end() ? -1 : static_cast<long>(it - m.names.begin());
}

// sla_overrun at 1, 2, 4, ... hours for one category: the first positive
// value lies in (0, 1] (never clamped), so SLA = hours / (1 + overrun); the
// next rung must agree, or the column is not of the documented form.
bool read_sla(const IncidentCovariateMatrix& m, long col, size_t first_row, double& sla_hours) {
  for (int k = 0; k + 1 < kLadder; ++k) {
    const double o = m.at(first_row + static_cast<size_t>(k), static_cast<size_t>(col));
    if (!(o > 0)) continue;
    const double h = std::ldexp(1.0, k);
    const double sla = h / (1.0 + o);
    const double o2 = m.at(first_row + static_cast<size_t>(k) + 1, static_cast<size_t>(col));
    const double sla2 = 2.0 * h / (1.0 + o2);
    if (!(std::abs(sla2 - sla) <= 1e-6 * sla)) return false;
    sla_hours = sla;
    return true;
  }
  return false;
}

}  // namespace

SectorIncidentProbe probe_sector_incident_rules(const SectorPlugin& plugin,
                                                const std::vector<std::string>& categories) {
  SectorIncidentProbe out;
  IncidentBatch batch;
  batch.category_names.push_back("");  // index 0: no category
  for (const auto& c : categories) batch.category_names.push_back(c);
  int64_t customer = 0;
  // Rows 0..4: severities without a category; then per category one row at
  // severity 3; then per category index (0 = none) the ladder of durations.
  for (int s = 1; s <= 5; ++s) {
    batch.add(customer++, kProbeStart, kProbeStart + 3600, s, 0, IncidentOutcome::kResolved,
              std::nan(""));
  }
  for (size_t c = 0; c < categories.size(); ++c) {
    batch.add(customer++, kProbeStart, kProbeStart + 3600, 3, static_cast<int32_t>(c + 1),
              IncidentOutcome::kResolved, std::nan(""));
  }
  const size_t ladder_start = batch.size();
  for (size_t c = 0; c <= categories.size(); ++c) {
    for (int k = 0; k < kLadder; ++k) {
      const auto hours = static_cast<int64_t>(std::ldexp(1.0, k));
      batch.add(customer++, kProbeStart, kProbeStart + hours * 3600, 3, static_cast<int32_t>(c),
                IncidentOutcome::kResolved, std::nan(""));
    }
  }
  IncidentCovariateMatrix m;
  try {
    m = plugin.incident_covariates(batch);
  } catch (const std::exception& e) {
    out.note = fmt::format("plugin {} failed on probe incidents ({}); core defaults used",
                           plugin.id(), e.what());
    return out;
  }
  const long weighted = find_column(m, "weighted_severity");
  const long overrun = find_column(m, "sla_overrun");
  if (weighted >= 0) {
    const auto w = static_cast<size_t>(weighted);
    for (size_t s = 0; s < 5; ++s) out.severity_weight.push_back(m.at(s, w));
    const double base = out.severity_weight[2];
    bool ok = base > 0;
    for (double v : out.severity_weight) ok = ok && v >= 0 && std::isfinite(v);
    for (size_t c = 0; ok && c < categories.size(); ++c) {
      const double v = m.at(5 + c, w) / base;
      if (!(v >= 0) || !std::isfinite(v)) ok = false;
      out.category_weight.emplace_back(categories[c], v);
    }
    out.has_weights = ok;
    if (!ok) out.severity_weight.clear(), out.category_weight.clear();
  }
  if (overrun >= 0) {
    bool ok = read_sla(m, overrun, ladder_start, out.default_sla_hours);
    for (size_t c = 0; ok && c < categories.size(); ++c) {
      double sla = 0;
      ok = read_sla(m, overrun, ladder_start + (c + 1) * kLadder, sla);
      out.category_sla_hours.emplace_back(categories[c], sla);
    }
    out.has_sla = ok;
    if (!ok) out.category_sla_hours.clear();
  }
  out.note = fmt::format("plugin {} {}: {}; {}", plugin.id(), plugin.info().version,
                         out.has_weights
                             ? "severity and category weights from its weighted_severity covariate"
                             : "no usable weighted_severity covariate, core severity weights 1..5",
                         out.has_sla ? "SLAs from its sla_overrun covariate"
                                     : "no usable sla_overrun covariate, core SLA 48 h");
  return out;
}

std::vector<std::pair<std::string, SectorIncidentProbe>> probe_sector_plugins(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& sector_categories,
    const std::vector<std::string>& plugin_dirs, std::vector<std::string>& notes) {
  std::vector<std::pair<std::string, SectorIncidentProbe>> out;
  if (sector_categories.empty()) return out;
  PluginRegistry registry;
  PluginSearchOptions search;
  search.plugin_dirs = plugin_dirs;
  for (const PluginProblem& problem : registry.discover(search)) {
    notes.push_back(fmt::format("plugin {} refused: {}", problem.path, problem.message));
  }
  for (const auto& [sector, categories] : sector_categories) {
    if (sector.empty() || !registry.has_sector(sector)) {
      notes.push_back(fmt::format(
          "sector '{}': no sector plugin loaded (--plugin-dir / CLV_PLUGIN_PATH); core default "
          "incident weights (severity 1..5, every category 1) and SLA 48 h apply",
          sector));
      continue;
    }
    SectorIncidentProbe probe =
        probe_sector_incident_rules(registry.for_sector(sector), categories);
    notes.push_back(fmt::format("sector '{}': {}", sector, probe.note));
    out.emplace_back(sector, std::move(probe));
  }
  return out;
}

}  // namespace clv
