// What a SectorPlugin handle points at: the library, the plugin's instance
// and the data read from it at load time. Member order matters: the library
// is declared first so it is unloaded last, after destroy() ran.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "clv/sector_plugin.hpp"
#include "clv_sdk/clv_plugin.h"
#include "plugin_host/host_api.hpp"

namespace clv {

struct SectorPlugin::Impl {
  std::shared_ptr<boost::dll::shared_library> library;
  clv_sector_descriptor descriptor{};
  void* instance = nullptr;
  PluginInfo info;
  std::vector<std::string> covariate_names;
  SectorEconomics economics;
  std::vector<Lever> levers;
  std::string levers_json;
  // A plugin instance is not required to be thread-safe; calls are serialized.
  mutable std::mutex mutex;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  // Runs one plugin callback; turns a failure status into Error::plugin_error
  // with the plugin's message (or a plugin-bug message when it gave none).
  template <typename Callback>
  void invoke(const char* what, Callback&& callback) const;
  [[noreturn]] void fail(const char* what, int32_t status, const clv_call& call) const;
  [[noreturn]] void threw(const char* what, const char* detail) const;
};

template <typename Callback>
void SectorPlugin::Impl::invoke(const char* what, Callback&& callback) const {
  clv_call call;
  int32_t status = CLV_PLUGIN_ERROR;
  try {
    status = callback(&call);
  } catch (const std::exception& e) {
    // Only reachable for a plugin that bypasses the SDK helper and lets an
    // exception cross the C boundary (works with the same C++ runtime).
    threw(what, e.what());
  } catch (...) {
    threw(what, "unknown exception type");
  }
  if (status != CLV_PLUGIN_OK) fail(what, status, call);
}

}  // namespace clv
