// The host side of the C ABI: the function table handed to plugins, the
// per-call error slot and the registrar used during clv_plugin_entry.
#pragma once

#include <string>

#include "clv_sdk/clv_plugin.h"

// Defined in the global namespace because the C header declares them there.
struct clv_call {
  std::string message;  // set by host->set_error
  bool has_message = false;
};

struct clv_registrar {
  clv_sector_descriptor descriptor{};  // host-sized copy, zero-filled past the plugin's size
  int registrations = 0;
  std::string error;  // why a registration was refused
};

namespace clv::plugin_host {

// The table every plugin receives; lives for the whole process.
const clv_host_api* host_api();

// Size of the 1.0 descriptor; smaller ones cannot be valid.
inline constexpr uint32_t kMinDescriptorSize =
    static_cast<uint32_t>(offsetof(clv_sector_descriptor, levers) + sizeof(void*));

}  // namespace clv::plugin_host
