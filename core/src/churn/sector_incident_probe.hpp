// Reads a sector plugin's incident weights and SLAs through its hook 2
// (per-incident covariates), so that the core's incident covariate builder
// can apply the sector's rules.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace clv {

class SectorPlugin;

struct SectorIncidentProbe {
  bool has_weights = false;             // the plugin reports a weighted_severity column
  bool has_sla = false;                 // ... and an sla_overrun column of the documented form
  std::vector<double> severity_weight;  // severity 1..5
  std::vector<std::pair<std::string, double>> category_weight;     // relative to no category
  std::vector<std::pair<std::string, double>> category_sla_hours;  // per asked category
  double default_sla_hours = 0;
  std::string note;  // what was read, or why nothing could be
};

// Feeds the plugin probe incidents (each severity without a category, each
// of `categories` at severity 3, each category resolved after 1, 2, 4, ...
// hours) and reads the weights back from `weighted_severity` and the SLA
// from `sla_overrun` = max(0, hours - SLA) / SLA (plugins/README.md). Never
// throws: a plugin without those columns gets has_weights/has_sla false.
SectorIncidentProbe probe_sector_incident_rules(const SectorPlugin& plugin,
                                                const std::vector<std::string>& categories);

}  // namespace clv

namespace clv {

// Loads the sector plugins (--plugin-dir first, then CLV_PLUGIN_PATH and the
// install prefix, as the other commands do) and probes the plugin of each of
// `sectors` with its categories. Sectors without a plugin are left out and
// named in `notes`; refused plugins are named too.
std::vector<std::pair<std::string, SectorIncidentProbe>> probe_sector_plugins(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& sector_categories,
    const std::vector<std::string>& plugin_dirs, std::vector<std::string>& notes);

}  // namespace clv
