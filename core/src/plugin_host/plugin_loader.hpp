// Loads one plugin whose manifest has already been read and ABI-checked:
// opens the library, checks its symbols and reported version, runs the
// entry point, validates the descriptor and reads economics and levers.
#pragma once

#include <memory>

#include "clv/sector_plugin.hpp"
#include "plugin_host/manifest.hpp"

namespace clv::plugin_host {

// Throws Error naming the file, the plugin id and the versions involved.
std::shared_ptr<SectorPlugin::Impl> load_plugin(const Manifest& manifest);

// Throws Error::abi_mismatch when the manifest's ABI cannot load here; runs
// no plugin code.
void check_manifest_abi(const Manifest& manifest);

}  // namespace clv::plugin_host
