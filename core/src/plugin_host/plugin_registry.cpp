#include "clv/plugin_registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "plugin_host/manifest.hpp"
#include "plugin_host/plugin_loader.hpp"

#include "plugin_host/install_location.hpp"

namespace clv {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_path_list(const char* text) {
  std::vector<std::string> parts;
  if (text == nullptr) return parts;
  std::string current;
  for (const char* p = text;; ++p) {
    if (*p == ':' || *p == '\0') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
      if (*p == '\0') break;
    } else {
      current += *p;
    }
  }
  return parts;
}

}  // namespace

struct PluginRegistry::State {
  std::map<std::string, SectorPlugin, std::less<>> by_id;
};

PluginRegistry::PluginRegistry() : state_(std::make_unique<State>()) {}
PluginRegistry::~PluginRegistry() = default;
PluginRegistry::PluginRegistry(PluginRegistry&&) noexcept = default;
PluginRegistry& PluginRegistry::operator=(PluginRegistry&&) noexcept = default;

std::vector<std::string> PluginRegistry::search_path(const PluginSearchOptions& options) {
  std::vector<std::string> dirs = options.plugin_dirs;
  if (options.use_environment) {
    for (auto& d : split_path_list(std::getenv("CLV_PLUGIN_PATH"))) dirs.push_back(d);
  }
  if (options.use_install_prefix) {
    for (auto& d : plugin_host::installed_plugin_dirs()) dirs.push_back(d);
  }
  std::vector<std::string> unique;
  std::vector<fs::path> seen;
  for (auto& d : dirs) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(d, ec);
    if (ec) canonical = d;
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    unique.push_back(d);
  }
  return unique;
}

std::vector<PluginProblem> PluginRegistry::discover(const PluginSearchOptions& options) {
  std::vector<PluginProblem> problems;
  auto try_load = [&](const fs::path& manifest) {
    try {
      load(manifest.string());
    } catch (const Error& e) {
      problems.push_back({manifest.string(), e.what()});
    }
  };
  for (const auto& dir_text : search_path(options)) {
    const fs::path dir(dir_text);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      // Only a directory the user named explicitly is worth a complaint.
      if (std::find(options.plugin_dirs.begin(), options.plugin_dirs.end(), dir_text) !=
          options.plugin_dirs.end()) {
        problems.push_back({dir_text, fmt::format("plugin directory {} does not exist", dir_text)});
      }
      continue;
    }
    if (fs::is_regular_file(dir / "manifest.json")) {
      try_load(dir / "manifest.json");
      continue;
    }
    std::vector<fs::path> manifests;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_directory() && fs::is_regular_file(entry.path() / "manifest.json")) {
        manifests.push_back(entry.path() / "manifest.json");
      }
    }
    std::sort(manifests.begin(), manifests.end());
    for (const auto& m : manifests) try_load(m);
  }
  return problems;
}

SectorPlugin PluginRegistry::load(const std::string& manifest_or_dir) {
  const plugin_host::Manifest manifest = plugin_host::read_manifest(manifest_or_dir);
  plugin_host::check_manifest_abi(manifest);
  if (auto it = state_->by_id.find(manifest.id); it != state_->by_id.end()) {
    throw Error::invalid_argument(fmt::format(
        "duplicate plugin id '{}': {} conflicts with the already loaded {} (version {}); remove "
        "one of them from the plugin path",
        manifest.id, manifest.path, it->second.info().manifest_path, it->second.info().version));
  }
  SectorPlugin plugin(plugin_host::load_plugin(manifest));
  state_->by_id.emplace(manifest.id, plugin);
  return plugin;
}

bool PluginRegistry::has_sector(std::string_view sector) const {
  return state_->by_id.find(sector) != state_->by_id.end();
}

SectorPlugin PluginRegistry::for_sector(std::string_view sector) const {
  auto it = state_->by_id.find(sector);
  if (it == state_->by_id.end()) {
    std::vector<std::string> ids;
    for (const auto& [id, plugin] : state_->by_id) ids.push_back(id);
    throw Error::not_found(fmt::format(
        "no plugin for sector '{}'; loaded: {}. Add its directory with --plugin-dir or "
        "CLV_PLUGIN_PATH",
        sector, ids.empty() ? std::string("none") : fmt::format("{}", fmt::join(ids, ", "))));
  }
  return it->second;
}

std::vector<SectorPlugin> PluginRegistry::plugins() const {
  std::vector<SectorPlugin> out;
  for (const auto& [id, plugin] : state_->by_id) out.push_back(plugin);
  return out;
}

}  // namespace clv
