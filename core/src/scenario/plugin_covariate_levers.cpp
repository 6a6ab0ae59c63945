#include "scenario/plugin_covariate_levers.hpp"

#include <set>
#include <utility>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

enum class IncidentLever { kResolveOpen, kFasterResolution, kSatisfaction };

IncidentLever lever_of(const ResolvedPluginEffect& e, const Scenario& s) {
  const std::string name = e.target.substr(std::string("covariate:").size());
  if (e.operation != "reduce") {
    throw Error::invalid_argument(
        fmt::format("scenario '{}' ({}): plugin lever {} asks to {} {}; covariate levers can only "
                    "reduce a covariate",
                    s.name, scenario_place(s.line, s.path), e.label, e.operation, e.target));
  }
  if (name == "unresolved" || name == "not_resolved_in_stay") return IncidentLever::kResolveOpen;
  if (name == "sla_overrun" || name == "repeat_contact_30d" || name == "disruption") {
    return IncidentLever::kFasterResolution;
  }
  if (name == "dissatisfaction") return IncidentLever::kSatisfaction;
  std::string known;
  for (const std::string& k : mapped_plugin_covariates()) known += (known.empty() ? "" : ", ") + k;
  throw Error::invalid_argument(fmt::format(
      "scenario '{}' ({}): plugin lever {} moves covariate '{}', which no incident lever "
      "carries (mapped: {})",
      s.name, scenario_place(s.line, s.path), e.label, name, known));
}

}  // namespace

const std::vector<std::string>& mapped_plugin_covariates() {
  static const std::vector<std::string> kNames = {"unresolved",  "not_resolved_in_stay",
                                                  "sla_overrun", "repeat_contact_30d",
                                                  "disruption",  "dissatisfaction"};
  return kNames;
}

Scenario with_plugin_covariate_levers(const Scenario& scenario,
                                      const std::vector<ResolvedPluginEffect>& effects) {
  Scenario out = scenario;
  std::set<std::pair<std::string, IncidentLever>> applied;
  for (const ResolvedPluginEffect& e : effects) {
    if (e.target.rfind("covariate:", 0) != 0) continue;
    const IncidentLever lever = lever_of(e, scenario);
    if (!(e.value >= 0 && e.value <= 1)) {
      throw Error::invalid_argument(fmt::format(
          "scenario '{}' ({}): plugin lever {} reduces {} by {}; it must be in "
          "[0, 1]",
          scenario.name, scenario_place(scenario.line, scenario.path), e.label, e.target, e.value));
    }
    if (!applied.emplace(e.label, lever).second) continue;  // one lever, one application
    if (!out.incidents) out.incidents.emplace();
    IncidentLevers& inc = *out.incidents;
    switch (lever) {
      case IncidentLever::kResolveOpen:
        inc.unresolved_share = inc.unresolved_share.value_or(1.0) * (1 - e.value);
        break;
      case IncidentLever::kFasterResolution:
        inc.resolution_time_factor = inc.resolution_time_factor.value_or(1.0) * (1 - e.value);
        break;
      case IncidentLever::kSatisfaction:
        inc.dissatisfaction_factor = inc.dissatisfaction_factor.value_or(1.0) * (1 - e.value);
        break;
    }
  }
  return out;
}

}  // namespace clv
