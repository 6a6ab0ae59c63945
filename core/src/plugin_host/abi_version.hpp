// Packed plugin ABI versions (major << 16 | minor << 8 | patch): parsing,
// printing and the compatibility rule the host enforces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clv::plugin_host {

// Parses "1.2.3" (or "1.2"); nullopt if malformed or a part exceeds 255.
std::optional<uint32_t> parse_abi_version(std::string_view text);

// Why a plugin built for `plugin` cannot load into a host speaking `host`,
// or nullopt when it can (same major, minor not newer than the host's).
std::optional<std::string> abi_incompatibility(uint32_t plugin, uint32_t host);

}  // namespace clv::plugin_host
