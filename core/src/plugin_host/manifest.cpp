#include "plugin_host/manifest.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "domain/nesting_limits.hpp"
#include "plugin_host/abi_version.hpp"

namespace clv::plugin_host {
namespace {

namespace fs = std::filesystem;

std::string required_string(const nlohmann::json& doc, const char* field, const std::string& path) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw Error::corrupt_data(fmt::format(
        "plugin manifest {}: field \"{}\" is missing or not a non-empty string", path, field));
  }
  return it->get<std::string>();
}

std::string optional_string(const nlohmann::json& doc, const char* field) {
  auto it = doc.find(field);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// "clv_sector_retail" -> libclv_sector_retail.so next to the manifest; a
// name that already has an extension is taken as is.
std::string resolve_library(const fs::path& dir, const std::string& library,
                            const Manifest& manifest) {
  const std::string suffix = boost::dll::shared_library::suffix().string();
  std::vector<fs::path> candidates;
  if (fs::path(library).has_extension()) {
    candidates.push_back(dir / library);
  } else {
    candidates.push_back(dir / ("lib" + library + suffix));
    candidates.push_back(dir / (library + suffix));
  }
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate)) return candidate.string();
  }
  throw Error::not_found(fmt::format(
      "plugin '{}' ({}): library \"{}\" not found (looked for {}); build or install the plugin "
      "next to its manifest",
      manifest.id, manifest.path, library, candidates.front().string()));
}

}  // namespace

Manifest read_manifest(const std::string& path_text) {
  fs::path path(path_text);
  if (fs::is_directory(path)) path /= "manifest.json";
  Manifest manifest;
  manifest.path = path.string();
  std::ifstream in(path);
  if (!in) {
    throw Error::not_found(
        fmt::format("plugin manifest {} cannot be opened; a plugin directory must hold "
                    "manifest.json",
                    manifest.path));
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (json_depth_exceeded_at(text) != std::string_view::npos) {
    throw Error::corrupt_data(fmt::format("plugin manifest {} nests deeper than {} levels",
                                          manifest.path, kMaxJsonDepth));
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error::corrupt_data(
        fmt::format("plugin manifest {} is not valid JSON: {}", manifest.path, e.what()));
  }
  if (!doc.is_object()) {
    throw Error::corrupt_data(
        fmt::format("plugin manifest {} must be a JSON object", manifest.path));
  }
  manifest.id = required_string(doc, "id", manifest.path);
  manifest.display_name = optional_string(doc, "name");
  manifest.version = optional_string(doc, "version");
  manifest.description = optional_string(doc, "description");
  const std::string abi = required_string(doc, "abi_version", manifest.path);
  auto packed = parse_abi_version(abi);
  if (!packed) {
    throw Error::corrupt_data(
        fmt::format("plugin '{}' ({}): abi_version \"{}\" is not of the form MAJOR.MINOR.PATCH",
                    manifest.id, manifest.path, abi));
  }
  manifest.abi_version = *packed;
  const std::string library = required_string(doc, "library", manifest.path);
  // The library is resolved lazily by the loader, after the ABI check, so a
  // manifest for a wrong ABI is refused even when its library is missing.
  manifest.library = library;
  return manifest;
}

std::string resolve_manifest_library(const Manifest& manifest) {
  return resolve_library(fs::path(manifest.path).parent_path(), manifest.library, manifest);
}

}  // namespace clv::plugin_host
