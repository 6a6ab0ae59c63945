// manifest.json of a plugin: read and checked before any plugin code runs.
#pragma once

#include <cstdint>
#include <string>

namespace clv::plugin_host {

struct Manifest {
  std::string path;  // the manifest file itself
  std::string id;
  std::string display_name;
  std::string version;
  std::string description;
  uint32_t abi_version = 0;
  std::string library;  // as written: a file name or a base name without prefix/suffix
};

// Reads `path` (a manifest.json or a directory holding one). Throws
// Error::not_found / corrupt_data naming the file and the field at fault.
Manifest read_manifest(const std::string& path);

// Path of the manifest's library next to it; throws Error::not_found.
std::string resolve_manifest_library(const Manifest& manifest);

}  // namespace clv::plugin_host
