// The sector plugin options shared by import, summary and score: plugins are
// found the way `clv plugins` finds them (--plugin-dir, CLV_PLUGIN_PATH, the
// install prefix); --no-plugins opts out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "clv/plugin_registry.hpp"

namespace clv::cli {

struct PluginArgs {
  std::vector<std::string> dirs;
  bool none = false;
};

inline void add_plugin_options(CLI::App& command, PluginArgs& args) {
  command.add_option("--plugin-dir", args.dirs,
                     "Directory of sector plugins (searched before CLV_PLUGIN_PATH and the "
                     "install prefix); repeatable");
  command.add_flag("--no-plugins", args.none, "Do not load sector plugins");
}

// Loads every plugin found; refused ones are reported on stderr, not fatal.
inline PluginRegistry load_plugins(const PluginArgs& args, std::string_view command) {
  PluginRegistry registry;
  if (args.none) return registry;
  PluginSearchOptions search;
  search.plugin_dirs = args.dirs;
  for (const auto& problem : registry.discover(search)) {
    fmt::print(stderr, "clv {}: warning: plugin refused: {}\n", command, problem.message);
  }
  return registry;
}

}  // namespace clv::cli
