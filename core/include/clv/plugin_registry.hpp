// Finds, checks and loads sector plugins, and picks the plugin of a sector.
// This is the seam import, summary, scoring and what-if call:
//
//   clv::PluginRegistry plugins;
//   plugins.discover({.plugin_dirs = {cli_plugin_dir}});
//   clv::SectorPlugin hotel = plugins.for_sector("hospitality");
//   hotel.normalize_transactions(batch);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clv/sector_plugin.hpp"

namespace clv {

struct PluginSearchOptions {
  std::vector<std::string> plugin_dirs;  // --plugin-dir, searched first
  bool use_environment = true;           // CLV_PLUGIN_PATH (':'-separated)
  // Where the engine is installed: <exe dir>/../lib/clv/plugins, <dir of
  // libclv.so>/clv/plugins, the build tree's plugins/ for programs run from
  // that build tree, then the configured <prefix>/lib/clv/plugins.
  bool use_install_prefix = true;
};

// A plugin that was found but refused; discovery goes on with the others.
struct PluginProblem {
  std::string path;
  std::string message;
};

// "1.0.0" for the host's packed plugin ABI version.
std::string host_plugin_abi_version();
std::string format_abi_version(uint32_t packed);

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(PluginRegistry&&) noexcept;
  PluginRegistry& operator=(PluginRegistry&&) noexcept;

  // Directories searched, in order, without duplicates.
  static std::vector<std::string> search_path(const PluginSearchOptions& options);

  // Loads every plugin under the search path: a directory holding
  // manifest.json is one plugin, otherwise each subdirectory that holds one.
  // Refused plugins are returned, not thrown, so one broken vendor plugin
  // does not take the others down.
  std::vector<PluginProblem> discover(const PluginSearchOptions& options);

  // Loads one plugin from its manifest.json (or the directory holding it).
  // Throws clv::Error (kAbiMismatch, kPluginError, kCorruptData, kNotFound,
  // kInvalidArgument for a duplicate id) naming the file, the plugin id and
  // the versions involved. The ABI is checked before any plugin code runs.
  SectorPlugin load(const std::string& manifest_or_dir);

  // The plugin registered for `sector`; throws Error::not_found listing the
  // sectors that are available.
  SectorPlugin for_sector(std::string_view sector) const;
  bool has_sector(std::string_view sector) const;

  // All loaded plugins, sorted by id.
  std::vector<SectorPlugin> plugins() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace clv
