// Parses and validates the levers JSON a plugin returns (schema in
// sdk/README.md), so that what-if code only ever sees well-formed levers.
#pragma once

#include <string>
#include <vector>

#include "clv/sector_plugin.hpp"

namespace clv::plugin_host {

// Throws Error::plugin_error prefixed with `who` (plugin id and file).
std::vector<Lever> parse_levers(const std::string& json_text,
                                const std::vector<std::string>& covariate_names,
                                const std::string& who);

// Parses the JSON array of covariate names.
std::vector<std::string> parse_covariate_names(const std::string& json_text,
                                               const std::string& who);

}  // namespace clv::plugin_host
