#include "plugin_host/abi_version.hpp"

#include <charconv>

#include <fmt/format.h>

#include "clv/plugin_registry.hpp"
#include "clv_sdk/clv_plugin.h"

namespace clv {

std::string format_abi_version(uint32_t packed) {
  return fmt::format("{}.{}.{}", packed >> 16, (packed >> 8) & 0xffu, packed & 0xffu);
}

std::string host_plugin_abi_version() {
  return format_abi_version(CLV_PLUGIN_ABI_VERSION);
}

}  // namespace clv

namespace clv::plugin_host {

std::optional<uint32_t> parse_abi_version(std::string_view text) {
  uint32_t parts[3] = {0, 0, 0};
  std::size_t count = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (count < 3) {
    auto [next, ec] = std::from_chars(p, end, parts[count]);
    if (ec != std::errc{} || parts[count] > 255) return std::nullopt;
    ++count;
    p = next;
    if (p == end) break;
    if (*p != '.') return std::nullopt;
    ++p;
  }
  if (p != end || count < 2) return std::nullopt;
  return CLV_PLUGIN_PACK_VERSION(parts[0], parts[1], parts[2]);
}

std::optional<std::string> abi_incompatibility(uint32_t plugin, uint32_t host) {
  const uint32_t plugin_major = plugin >> 16;
  const uint32_t host_major = host >> 16;
  if (plugin_major != host_major) {
    return fmt::format(
        "it was built for plugin ABI {} but this host speaks ABI {} (different major version); "
        "rebuild the plugin against clv_sdk {}.x",
        format_abi_version(plugin), format_abi_version(host), host_major);
  }
  if (((plugin >> 8) & 0xffu) > ((host >> 8) & 0xffu)) {
    return fmt::format(
        "it was built for plugin ABI {}, newer than this host's ABI {}; upgrade clv-engine or "
        "rebuild the plugin against clv_sdk {}",
        format_abi_version(plugin), format_abi_version(host), format_abi_version(host));
  }
  return std::nullopt;
}

}  // namespace clv::plugin_host
