// Header-only C++ helper over the C ABI in clv_plugin.h. A vendor writes one
// class and exports it with CLV_SDK_EXPORT_SECTOR; every callback is wrapped
// in try/catch so no exception ever crosses into the host.
//
//   class MySector {
//    public:
//     explicit MySector(std::string_view config_json);
//     void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out);
//     void normalize_transactions(clv_transaction_batch& batch);
//     std::vector<std::string> covariate_names() const;
//     void incident_covariates(const clv_incident_batch& batch, std::span<double> out) const;
//     clv_sector_economics economics() const;
//     std::string levers_json() const;
//   };
//   CLV_SDK_EXPORT_SECTOR(MySector, "my_sector", "My sector", "1.0.0")
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "clv_sdk/clv_plugin.h"

namespace clv_sdk {

// Throw this (or any std::exception) from a plugin method; its text becomes
// the message the host reports.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The host table handed to clv_plugin_entry; one per loaded library because
// plugins are built with hidden visibility.
inline const clv_host_api*& host_api() {
  static const clv_host_api* host = nullptr;
  return host;
}

inline void set_error(clv_call* call, std::string_view message) {
  if (host_api() != nullptr) host_api()->set_error(call, message.data(), message.size());
}

inline std::string_view view(const clv_string_view& s) {
  return {s.data, s.size};
}

// Lower-cases ASCII; payer labels and categories are matched case-insensitively.
inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Runs `body` and turns any exception into a status code plus a message.
template <typename Body>
int32_t guarded(clv_call* call, Body&& body) noexcept {
  try {
    body();
    return CLV_PLUGIN_OK;
  } catch (const PluginError& e) {
    set_error(call, e.what());
    return CLV_PLUGIN_INVALID_INPUT;
  } catch (const std::bad_alloc&) {
    set_error(call, "out of memory");
    return CLV_PLUGIN_ERROR;
  } catch (const std::exception& e) {
    set_error(call, std::string("plugin threw an exception: ") + e.what());
    return CLV_PLUGIN_ERROR;
  } catch (...) {
    set_error(call, "plugin threw an exception of unknown type");
    return CLV_PLUGIN_ERROR;
  }
}

inline std::string json_string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += ']';
  return out;
}

// Owns the vendor's object plus the texts it hands to the host, so that the
// pointers stay valid until destroy().
template <typename Sector>
struct Instance {
  explicit Instance(std::string_view config) : sector(config) {}
  Sector sector;
  std::string covariates_text;
  std::string levers_text;
};

// Adapts a vendor class to the C descriptor.
template <typename Sector>
struct Adapter {
  using Self = Instance<Sector>;
  static Self& self(void* p) { return *static_cast<Self*>(p); }

  static void* create(clv_call* call, const char* config, size_t size) noexcept {
    Self* made = nullptr;
    guarded(call,
            [&] { made = new Self(std::string_view(config ? config : "", config ? size : 0)); });
    return made;
  }
  static void destroy(void* instance) noexcept {
    try {
      delete static_cast<Self*>(instance);
    } catch (...) {
      // A destructor that throws has nowhere to report to; swallow it.
    }
  }
  static int32_t map_payer_types(void* instance, clv_call* call, const clv_string_view* labels,
                                 size_t count, int32_t* out) noexcept {
    return guarded(call, [&] {
      self(instance).sector.map_payer_types(std::span<const clv_string_view>(labels, count),
                                            std::span<int32_t>(out, count));
    });
  }
  static int32_t normalize_transactions(void* instance, clv_call* call,
                                        clv_transaction_batch* batch) noexcept {
    return guarded(call, [&] { self(instance).sector.normalize_transactions(*batch); });
  }
  static int32_t covariate_names(void* instance, clv_call* call, clv_string_view* out) noexcept {
    return guarded(call, [&] {
      Self& s = self(instance);
      s.covariates_text = json_string_array(s.sector.covariate_names());
      *out = {s.covariates_text.data(), s.covariates_text.size()};
    });
  }
  static int32_t incident_covariates(void* instance, clv_call* call,
                                     const clv_incident_batch* batch, double* out,
                                     size_t covariate_count) noexcept {
    return guarded(call, [&] {
      self(instance).sector.incident_covariates(
          *batch, std::span<double>(out, batch->count * covariate_count));
    });
  }
  static int32_t economics(void* instance, clv_call* call, clv_sector_economics* out) noexcept {
    return guarded(call, [&] {
      const uint32_t host_size = out->struct_size;
      clv_sector_economics filled = self(instance).sector.economics();
      // Copy only what the host has room for (it may be an older host).
      const std::size_t n = host_size < sizeof filled ? host_size : sizeof filled;
      filled.struct_size = static_cast<uint32_t>(n);
      std::memcpy(out, &filled, n);
    });
  }
  static int32_t levers(void* instance, clv_call* call, clv_string_view* out) noexcept {
    return guarded(call, [&] {
      Self& s = self(instance);
      s.levers_text = s.sector.levers_json();
      *out = {s.levers_text.data(), s.levers_text.size()};
    });
  }

  static clv_sector_descriptor descriptor(const char* id, const char* name, const char* version) {
    clv_sector_descriptor d{};
    d.struct_size = sizeof(clv_sector_descriptor);
    d.id = id;
    d.display_name = name;
    d.version = version;
    d.create = &create;
    d.destroy = &destroy;
    d.map_payer_types = &map_payer_types;
    d.normalize_transactions = &normalize_transactions;
    d.covariate_names = &covariate_names;
    d.incident_covariates = &incident_covariates;
    d.economics = &economics;
    d.levers = &levers;
    return d;
  }
};

}  // namespace clv_sdk

// Exports `SectorClass` as this library's sector. Use once per plugin.
#define CLV_SDK_EXPORT_SECTOR(SectorClass, id, display_name, version)               \
  extern "C" CLV_PLUGIN_EXPORT uint32_t clv_plugin_abi_version(void) {              \
    return CLV_PLUGIN_ABI_VERSION;                                                  \
  }                                                                                 \
  extern "C" CLV_PLUGIN_EXPORT int32_t clv_plugin_entry(const clv_host_api* host,   \
                                                        clv_registrar* registrar) { \
    if (host == nullptr || host->struct_size < offsetof(clv_host_api, log))         \
      return CLV_PLUGIN_ERROR;                                                      \
    ::clv_sdk::host_api() = host;                                                   \
    static const clv_sector_descriptor descriptor =                                 \
        ::clv_sdk::Adapter<SectorClass>::descriptor(id, display_name, version);     \
    return host->register_sector(registrar, &descriptor);                           \
  }
