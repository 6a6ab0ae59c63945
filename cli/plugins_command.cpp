// `clv plugins list|info ID [--json]`: what sector plugins are found, which
// were refused and why, and what each one offers at its four hook points.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "command_registry.hpp"

namespace {

struct PluginsOptions {
  std::vector<std::string> plugin_dirs;
  bool json = false;
  std::string id;
};

nlohmann::json summary_json(const clv::SectorPlugin& p) {
  return {{"id", p.id()},
          {"name", p.info().display_name},
          {"version", p.info().version},
          {"abi_version", p.info().abi_version},
          {"manifest", p.info().manifest_path},
          {"library", p.info().library_path}};
}

nlohmann::json detail_json(const clv::SectorPlugin& p) {
  nlohmann::json out = summary_json(p);
  out["description"] = p.info().description;
  const auto& e = p.economics();
  out["economics"] = {{"time_unit", e.time_unit.name},
                      {"default_model", clv::model_kind_name(e.default_model)},
                      {"contractual", e.contractual},
                      {"discrete", e.discrete},
                      {"default_margin", e.default_margin},
                      {"cost_to_serve", e.cost_to_serve},
                      {"annual_discount_rate", e.annual_discount_rate},
                      {"referral_value", e.referral_value}};
  out["covariates"] = p.covariate_names();
  out["levers"] = nlohmann::json::parse(p.levers_json());
  return out;
}

clv::PluginRegistry discover(const PluginsOptions& options,
                             std::vector<clv::PluginProblem>* refused = nullptr) {
  clv::PluginRegistry registry;
  clv::PluginSearchOptions search;
  search.plugin_dirs = options.plugin_dirs;
  for (auto& problem : registry.discover(search)) {
    fmt::print(stderr, "clv: warning: plugin refused: {}\n", problem.message);
    if (refused != nullptr) refused->push_back(std::move(problem));
  }
  return registry;
}

// A refused plugin is a failure of `plugins list` (exit 1): a deployment
// check must not pass with a plugin missing. The list still shows the rest.
void run_list(const PluginsOptions& options) {
  std::vector<clv::PluginProblem> refused;
  const auto registry = discover(options, &refused);
  const auto plugins = registry.plugins();
  auto fail_if_refused = [&] {
    if (!refused.empty()) {
      throw clv::Error::plugin_error(
          fmt::format("{} plugin(s) refused; the first: {}", refused.size(), refused[0].message));
    }
  };
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : plugins) list.push_back(summary_json(p));
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& r : refused) problems.push_back({{"path", r.path}, {"message", r.message}});
    const nlohmann::json out = {{"plugins", list}, {"refused", problems}};
    fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!refused.empty()) std::exit(1);  // the JSON above is the whole answer
    return;
  }
  if (!refused.empty() && plugins.empty()) fail_if_refused();
  if (plugins.empty()) {
    fmt::print("no sector plugins found; searched: {}\n",
               fmt::join(clv::PluginRegistry::search_path({options.plugin_dirs}), ", "));
    return;
  }
  fmt::print("{:<14} {:<22} {:<9} {:<6} {}\n", "ID", "NAME", "VERSION", "ABI", "LIBRARY");
  for (const auto& p : plugins) {
    fmt::print("{:<14} {:<22} {:<9} {:<6} {}\n", p.id(), p.info().display_name, p.info().version,
               p.info().abi_version, p.info().library_path);
  }
  fail_if_refused();
}

void run_info(const PluginsOptions& options) {
  const auto registry = discover(options);
  const auto plugin = registry.for_sector(options.id);
  if (options.json) {
    fmt::print("{}\n", detail_json(plugin).dump(2));
    return;
  }
  const auto& info = plugin.info();
  const auto& e = plugin.economics();
  fmt::print("{} ({}) version {}, plugin ABI {}\n", info.id, info.display_name, info.version,
             info.abi_version);
  if (!info.description.empty()) fmt::print("  {}\n", info.description);
  fmt::print("  manifest: {}\n  library:  {}\n", info.manifest_path, info.library_path);
  fmt::print("economics:\n  time unit {}, default model {} ({}, {})\n", e.time_unit.describe(),
             clv::model_kind_name(e.default_model),
             e.contractual ? "contractual" : "non-contractual",
             e.discrete ? "discrete" : "continuous");
  fmt::print(
      "  margin {:.2f}, cost to serve {:.2f} per {}, discount rate {:.2f}/year, referral value "
      "{:.2f}\n",
      e.default_margin, e.cost_to_serve, e.time_unit.name, e.annual_discount_rate,
      e.referral_value);
  fmt::print("incident covariates: {}\n", fmt::join(plugin.covariate_names(), ", "));
  fmt::print("what-if levers:\n");
  for (const auto& lever : plugin.levers()) {
    fmt::print("  {}: {}\n", lever.id, lever.label);
    for (const auto& p : lever.parameters) {
      fmt::print("    --{} (default {}, range [{}, {}]{})\n", p.name, p.default_value, p.min, p.max,
                 p.unit.empty() ? "" : ", " + p.unit);
    }
  }
}

void setup(CLI::App& app) {
  auto options = std::make_shared<PluginsOptions>();
  auto* cmd = app.add_subcommand("plugins", "List and inspect sector plugins");
  cmd->require_subcommand(1);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option(
        "--plugin-dir", options->plugin_dirs,
        "Directory of plugins (searched before CLV_PLUGIN_PATH and the install prefix)");
    sub->add_flag("--json", options->json, "Print JSON");
  };
  auto* list = cmd->add_subcommand("list", "List the sector plugins found");
  add_common(list);
  list->callback([options] { run_list(*options); });
  auto* info = cmd->add_subcommand("info", "Show a plugin's economics, covariates and levers");
  info->add_option("id", options->id, "Sector id, e.g. hospitality")->required();
  add_common(info);
  info->callback([options] { run_info(*options); });
}

}  // namespace

CLV_REGISTER_COMMAND(60, setup);
