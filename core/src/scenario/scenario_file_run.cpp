// One path from a scenario file to a what-if result for every front end
// that takes scenario files (clv whatif, clv report --scenarios).
#include <map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "clv/sector_economics.hpp"
#include "clv/whatif.hpp"

namespace clv {
namespace {

// Keeps the rows of `in` whose sector is `sector`.
void keep_sector(WhatIfInputs& in, const std::string& sector, const std::string& where) {
  if (in.covariates) {
    throw Error::invalid_argument(fmt::format(
        "{}: run.sector with a covariate fit is not supported; fit the sector's customers on "
        "their own",
        where));
  }
  if (in.attributes.sector.empty()) {
    throw Error::invalid_argument(fmt::format(
        "{}: run.sector needs the customers' sectors: add customers = \"customers.csv\"", where));
  }
  RfmData kept;
  kept.T_column = in.data.T_column;
  CustomerAttributes attributes;
  for (size_t i = 0; i < in.data.size(); ++i) {
    if (in.attributes.sector[i] != sector) continue;
    if (!in.data.customer_id.empty()) kept.customer_id.push_back(in.data.customer_id[i]);
    kept.x.push_back(in.data.x[i]);
    kept.t_x.push_back(in.data.t_x[i]);
    kept.T.push_back(in.data.T[i]);
    if (!in.data.monetary.empty()) kept.monetary.push_back(in.data.monetary[i]);
    if (!in.data.weight.empty()) kept.weight.push_back(in.data.weight[i]);
    attributes.sector.push_back(in.attributes.sector[i]);
    if (!in.attributes.segment.empty()) attributes.segment.push_back(in.attributes.segment[i]);
    if (!in.attributes.region.empty()) attributes.region.push_back(in.attributes.region[i]);
  }
  if (kept.size() == 0) {
    throw Error::invalid_argument(fmt::format("{}: no customer of sector '{}'", where, sector));
  }
  in.data = std::move(kept);
  in.attributes = std::move(attributes);
}

}  // namespace

SectorEconomicsUsed apply_whatif_economics(WhatIfInputs& in, const PluginRegistry* plugins,
                                           const std::vector<std::string>& sectors,
                                           const EconomicsOverrides& overrides) {
  if (sectors.size() != in.data.size()) {
    throw Error::invalid_argument(
        fmt::format("{} sectors for {} customers", sectors.size(), in.data.size()));
  }
  const TimeUnit& unit = in.count_model.time_unit;
  const SectorEconomicsUsed economics = whatif_economics(plugins, sectors, overrides, unit);
  in.run.margin = economics.margin;
  in.run.annual_discount_rate = economics.annual_discount_rate;
  std::map<std::string, SectorEconomicsUsed> by_sector;
  in.cost_to_serve.resize(sectors.size());
  in.referral_value.resize(sectors.size());
  for (size_t i = 0; i < sectors.size(); ++i) {
    auto it = by_sector.find(sectors[i]);
    if (it == by_sector.end()) {
      it = by_sector.emplace(sectors[i], economics_for_sector(plugins, sectors[i], overrides, unit))
               .first;
    }
    in.cost_to_serve[i] = it->second.cost_to_serve;
    in.referral_value[i] = it->second.referral_value;
  }
  return economics;
}

WhatIfResult run_scenario_file(const ScenarioFile& file, const PluginRegistry& plugins,
                               const WhatIfOptions& options, WhatIfInputs* inputs_out) {
  WhatIfInputs in = load_whatif_inputs(file);
  in.plugin_effects = resolve_plugin_levers(file, plugins);
  if (!file.run.sector.empty()) keep_sector(in, file.run.sector, file.path);
  EconomicsOverrides overrides;
  if (file.run.margin_given) overrides.margin = file.run.margin;
  if (file.run.discount_rate_given) overrides.annual_discount_rate = file.run.annual_discount_rate;
  // The customers' sectors as `clv score` finds them: the customers file, else
  // the database of the run, else the summary's sector column (else none).
  std::vector<std::string> sectors = in.attributes.sector;
  if (sectors.empty() && !file.run.db.empty()) {
    sectors = database_customer_sectors(file.run.db, in.data.customer_id, "");
  } else if (sectors.empty()) {
    sectors = read_summary_sectors(file.run.summary, in.data.size(), "");
  }
  const SectorEconomicsUsed economics = apply_whatif_economics(in, &plugins, sectors, overrides);
  WhatIfResult result = run_whatif(in, options);
  result.notes.push_back(fmt::format("economics: {}", economics.source));
  if (inputs_out) *inputs_out = std::move(in);
  return result;
}

}  // namespace clv
