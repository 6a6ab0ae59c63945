#include "plugin_host/plugin_loader.hpp"

#include <cmath>

#include <fmt/format.h>
#include <boost/dll/shared_library.hpp>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "plugin_host/abi_version.hpp"
#include "plugin_host/host_api.hpp"
#include "plugin_host/lever_schema.hpp"
#include "plugin_host/sector_plugin_impl.hpp"

namespace clv::plugin_host {
namespace {

std::string who(const Manifest& m, const std::string& file) {
  return fmt::format("plugin '{}' ({})", m.id, file);
}

void require_callbacks(const clv_sector_descriptor& d, const std::string& name) {
  std::vector<std::string> missing;
  if (d.create == nullptr) missing.push_back("create");
  if (d.destroy == nullptr) missing.push_back("destroy");
  if (d.map_payer_types == nullptr) missing.push_back("map_payer_types");
  if (d.normalize_transactions == nullptr) missing.push_back("normalize_transactions");
  if (d.covariate_names == nullptr) missing.push_back("covariate_names");
  if (d.incident_covariates == nullptr) missing.push_back("incident_covariates");
  if (d.economics == nullptr) missing.push_back("economics");
  if (d.levers == nullptr) missing.push_back("levers");
  if (!missing.empty()) {
    throw Error::plugin_error(fmt::format(
        "{}: missing required callback {} in its sector descriptor; every hook must be provided",
        name, fmt::join(missing, ", ")));
  }
}

SectorEconomics convert_economics(const clv_sector_economics& e, const std::string& name) {
  auto bad = [&](const std::string& why) {
    return Error::plugin_error(fmt::format("{}: invalid economics: {}", name, why));
  };
  SectorEconomics out;
  switch (e.time_unit) {
    case CLV_UNIT_DAY:
      out.time_unit = TimeUnit::day();
      break;
    case CLV_UNIT_WEEK:
      out.time_unit = TimeUnit::week();
      break;
    case CLV_UNIT_MONTH:
      out.time_unit = TimeUnit::month();
      break;
    default:
      throw bad(fmt::format("time_unit {} is not day, week or month", e.time_unit));
  }
  if (e.default_model < CLV_MODEL_PARETO_NBD || e.default_model > CLV_MODEL_SBG) {
    throw bad(fmt::format("default_model {} is unknown", e.default_model));
  }
  out.default_model = static_cast<ModelKind>(e.default_model);
  out.contractual = e.contractual != 0;
  out.discrete = e.discrete != 0;
  const bool model_contractual = e.default_model == CLV_MODEL_SBG;
  const bool model_discrete =
      e.default_model == CLV_MODEL_SBG || e.default_model == CLV_MODEL_BG_BB;
  if (out.contractual != model_contractual || out.discrete != model_discrete) {
    throw bad(fmt::format(
        "default model {} is {} and {}, but the plugin says contractual={} discrete={}",
        model_kind_name(out.default_model), model_contractual ? "contractual" : "non-contractual",
        model_discrete ? "discrete" : "continuous", e.contractual, e.discrete));
  }
  auto check = [&](double v, double lo, double hi, const char* field) {
    if (!std::isfinite(v) || v < lo || v > hi) {
      throw bad(fmt::format("{} = {} is outside [{}, {}]", field, v, lo, hi));
    }
    return v;
  };
  out.default_margin = check(e.default_margin, 1e-9, 1.0, "default_margin");
  out.cost_to_serve = check(e.cost_to_serve, 0.0, 1e12, "cost_to_serve");
  out.annual_discount_rate = check(e.annual_discount_rate, 0.0, 1.0, "annual_discount_rate");
  out.referral_value = check(e.referral_value, 0.0, 1e12, "referral_value");
  return out;
}

}  // namespace

void check_manifest_abi(const Manifest& manifest) {
  if (auto why = abi_incompatibility(manifest.abi_version, CLV_PLUGIN_ABI_VERSION)) {
    throw Error::abi_mismatch(fmt::format("{} refused: {}", who(manifest, manifest.path), *why));
  }
}

std::shared_ptr<SectorPlugin::Impl> load_plugin(const Manifest& manifest) {
  check_manifest_abi(manifest);
  const std::string library_path = resolve_manifest_library(manifest);
  const std::string name = who(manifest, library_path);

  auto impl = std::make_shared<SectorPlugin::Impl>();
  impl->info.id = manifest.id;
  impl->info.description = manifest.description;
  impl->info.manifest_path = manifest.path;
  impl->info.library_path = library_path;
  try {
    impl->library = std::make_shared<boost::dll::shared_library>(
        library_path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw Error::plugin_error(fmt::format("{}: cannot load the library: {}", name, e.what()));
  }
  auto& library = *impl->library;
  for (const char* symbol : {CLV_PLUGIN_ABI_VERSION_SYMBOL, CLV_PLUGIN_ENTRY_SYMBOL}) {
    if (!library.has(symbol)) {
      throw Error::abi_mismatch(fmt::format(
          "{}: missing entry symbol '{}'; a plugin must export clv_plugin_abi_version and "
          "clv_plugin_entry as extern \"C\" (use CLV_SDK_EXPORT_SECTOR)",
          name, symbol));
    }
  }
  const uint32_t reported = library.get<uint32_t()>(CLV_PLUGIN_ABI_VERSION_SYMBOL)();
  if (reported != manifest.abi_version) {
    throw Error::abi_mismatch(fmt::format(
        "{}: manifest.json says ABI {} but the library reports ABI {} (host ABI {}); rebuild the "
        "plugin and regenerate its manifest",
        name, format_abi_version(manifest.abi_version), format_abi_version(reported),
        host_plugin_abi_version()));
  }
  impl->info.abi_version = format_abi_version(reported);

  clv_registrar registrar;
  int32_t status = CLV_PLUGIN_ERROR;
  try {
    status = library.get<int32_t(const clv_host_api*, clv_registrar*)>(CLV_PLUGIN_ENTRY_SYMBOL)(
        host_api(), &registrar);
  } catch (const std::exception& e) {
    throw Error::plugin_error(fmt::format("{}: clv_plugin_entry threw: {}", name, e.what()));
  }
  if (!registrar.error.empty()) {
    throw Error::plugin_error(fmt::format("{} (ABI {}, host ABI {}): {}", name,
                                          impl->info.abi_version, host_plugin_abi_version(),
                                          registrar.error));
  }
  if (status != CLV_PLUGIN_OK || registrar.registrations != 1) {
    throw Error::plugin_error(fmt::format(
        "{}: clv_plugin_entry returned status {} after {} sector registrations; it must register "
        "exactly one sector and return CLV_PLUGIN_OK",
        name, status, registrar.registrations));
  }
  clv_sector_descriptor& d = registrar.descriptor;
  const std::string registered_id = d.id != nullptr ? d.id : "";
  if (registered_id != manifest.id) {
    throw Error::plugin_error(
        fmt::format("{}: the library registers sector '{}' but its manifest {} says '{}'", name,
                    registered_id, manifest.path, manifest.id));
  }
  require_callbacks(d, name);
  impl->descriptor = d;
  impl->info.display_name = d.display_name != nullptr ? d.display_name : manifest.display_name;
  impl->info.version = d.version != nullptr ? d.version : manifest.version;

  {
    clv_call call;
    impl->instance = d.create(&call, "", 0);
    if (impl->instance == nullptr) impl->fail("create", CLV_PLUGIN_ERROR, call);
  }
  clv_string_view text{};
  impl->invoke("covariate_names",
               [&](clv_call* call) { return d.covariate_names(impl->instance, call, &text); });
  impl->covariate_names = parse_covariate_names(std::string(text.data, text.size), name);
  clv_sector_economics economics{};
  economics.struct_size = sizeof economics;
  impl->invoke("economics",
               [&](clv_call* call) { return d.economics(impl->instance, call, &economics); });
  impl->economics = convert_economics(economics, name);
  text = {};
  impl->invoke("levers", [&](clv_call* call) { return d.levers(impl->instance, call, &text); });
  impl->levers_json.assign(text.data != nullptr ? text.data : "",
                           text.data != nullptr ? text.size : 0);
  impl->levers = parse_levers(impl->levers_json, impl->covariate_names, name);
  return impl;
}

}  // namespace clv::plugin_host
