// Scenario plugin_lever entries -> effects on engine inputs, through the
// levers a loaded sector plugin declares.
#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "clv/whatif.hpp"

namespace clv {
namespace {

SectorPlugin find_plugin(const PluginRegistry& plugins, const std::string& name) {
  for (const SectorPlugin& p : plugins.plugins()) {
    if (p.id() == name) return p;
  }
  return plugins.for_sector(name);  // throws not_found listing the sectors
}

}  // namespace

std::vector<std::vector<ResolvedPluginEffect>> resolve_plugin_levers(
    const ScenarioFile& file, const PluginRegistry& plugins) {
  std::vector<std::vector<ResolvedPluginEffect>> out(file.scenarios.size());
  for (size_t s = 0; s < file.scenarios.size(); ++s) {
    for (const PluginLeverUse& use : file.scenarios[s].plugin_levers) {
      const std::string where =
          use.line > 0 ? fmt::format("{}:{}", file.path, use.line)
                       : fmt::format("{}: at {}", file.path, scenario_place(0, use.path));
      SectorPlugin plugin = [&] {
        try {
          return find_plugin(plugins, use.plugin);
        } catch (const Error& e) {
          throw Error::invalid_argument(fmt::format(
              "{}: unknown plugin '{}' ({}); {}", where, use.plugin, e.what(),
              file.request_body ? "the engine loads the plugins of its plugin directories "
                                  "(clv serve --plugin-dir, EngineOptions::plugin_dirs)"
                                : "pass --plugin-dir"));
        }
      }();
      const Lever* lever = nullptr;
      std::string known;
      for (const Lever& l : plugin.levers()) {
        if (l.id == use.lever) lever = &l;
        known += (known.empty() ? "" : ", ") + l.id;
      }
      if (!lever) {
        throw Error::invalid_argument(fmt::format("{}: unknown lever '{}' in plugin {} (known: {})",
                                                  where, use.lever, plugin.id(), known));
      }
      std::map<std::string, double> values;
      for (const LeverParameter& p : lever->parameters) values[p.name] = p.default_value;
      for (const auto& [name, value] : use.values) {
        const LeverParameter* param = nullptr;
        for (const LeverParameter& p : lever->parameters) {
          if (p.name == name) param = &p;
        }
        if (!param) {
          throw Error::invalid_argument(
              fmt::format("{}: lever {} has no parameter '{}'", where, lever->id, name));
        }
        if (!(value >= param->min && value <= param->max)) {
          throw Error::invalid_argument(
              fmt::format("{}: bad value {} for {}.{}: must be in [{}, {}]", where, value,
                          lever->id, name, param->min, param->max));
        }
        values[name] = value;
      }
      for (const LeverEffect& e : lever->effects) {
        out[s].push_back({fmt::format("{}/{}", plugin.id(), lever->id), e.target, e.operation,
                          values.at(e.parameter)});
      }
    }
  }
  return out;
}

}  // namespace clv
