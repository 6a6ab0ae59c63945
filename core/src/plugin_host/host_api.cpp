#include "plugin_host/host_api.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace clv::plugin_host {
namespace {

void set_error(clv_call* call, const char* message, size_t size) {
  if (call == nullptr) return;
  call->message.assign(message != nullptr ? message : "", message != nullptr ? size : 0);
  call->has_message = !call->message.empty();
}

int32_t register_sector(clv_registrar* registrar, const clv_sector_descriptor* d) {
  if (registrar == nullptr) return CLV_PLUGIN_ERROR;
  if (d == nullptr) {
    registrar->error = "register_sector was called with a null descriptor";
    return CLV_PLUGIN_ERROR;
  }
  if (++registrar->registrations > 1) {
    registrar->error = "register_sector was called more than once; a plugin provides one sector";
    return CLV_PLUGIN_ERROR;
  }
  if (d->struct_size > CLV_SECTOR_DESCRIPTOR_MAX_SIZE) {
    registrar->error = fmt::format(
        "descriptor too large: struct_size is {} bytes, the host accepts at most {} (corrupt "
        "descriptor or struct_size not set to sizeof(clv_sector_descriptor))",
        d->struct_size, CLV_SECTOR_DESCRIPTOR_MAX_SIZE);
    return CLV_PLUGIN_ERROR;
  }
  if (d->struct_size < kMinDescriptorSize) {
    registrar->error =
        fmt::format("descriptor too small: struct_size is {} bytes, ABI 1.0 needs at least {}",
                    d->struct_size, kMinDescriptorSize);
    return CLV_PLUGIN_ERROR;
  }
  // Copy only what both sides know; fields a newer host added stay zero.
  std::memset(&registrar->descriptor, 0, sizeof registrar->descriptor);
  std::memcpy(&registrar->descriptor, d,
              std::min<std::size_t>(d->struct_size, sizeof registrar->descriptor));
  return CLV_PLUGIN_OK;
}

void log_line(int32_t level, const char* message, size_t size) {
  if (level >= 2 && message != nullptr) {
    std::fprintf(stderr, "clv plugin: %.*s\n", static_cast<int>(size), message);
  }
}

const clv_host_api kHostApi = {
    sizeof(clv_host_api), CLV_PLUGIN_ABI_VERSION, &set_error, &register_sector, &log_line,
};

}  // namespace

const clv_host_api* host_api() {
  return &kHostApi;
}

}  // namespace clv::plugin_host
