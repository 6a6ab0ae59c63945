// A plugin lever on one of the plugin's incident covariates
// ("covariate:<name>", hook 4) acts on the incident records the core's
// covariates are built from, through the incident levers:
//
//   unresolved, not_resolved_in_stay     reduce v -> open incidents resolved
//                                         within their SLA with probability v
//                                         (unresolved share x (1 - v))
//   sla_overrun, repeat_contact_30d,     reduce v -> resolution times x (1 - v)
//   disruption
//   dissatisfaction                      reduce v -> each survey score moves a
//                                         share v of the way to 5
//
// A lever whose several effects map onto the same incident lever (e.g.
// hospitality's resolve_during_stay: not_resolved_in_stay and unresolved)
// applies it once. Other covariates, and "scale"/"add" on a covariate, are
// refused with a message naming the lever.
#pragma once

#include <string>
#include <vector>

#include "clv/scenario.hpp"
#include "clv/whatif.hpp"

namespace clv {

// The plugin covariate names the mapping above knows.
const std::vector<std::string>& mapped_plugin_covariates();

// `scenario` with its covariate plugin effects folded into its incident
// levers; Error::invalid_argument for an effect that cannot be mapped.
Scenario with_plugin_covariate_levers(const Scenario& scenario,
                                      const std::vector<ResolvedPluginEffect>& effects);

}  // namespace clv
