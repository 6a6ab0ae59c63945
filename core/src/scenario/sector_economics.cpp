#include "clv/sector_economics.hpp"

#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "models/clv_valuation.hpp"
#include "scenario/sector_valuation.hpp"

namespace clv {
namespace {

// The one place a sector's economics become the options of a valuation:
// ValuationOptions (the Engine's prepared constants) and ScoreOptions (clv
// score, the report) take the same fields under the same names.
template <typename Options>
Options valuation_options(const SectorEconomicsUsed& e, double horizon) {
  Options o;
  o.horizon = horizon;
  o.margin = e.margin;
  o.annual_discount_rate = e.annual_discount_rate;
  o.cost_to_serve = e.cost_to_serve;
  o.referral_value = e.referral_value;
  return o;
}

}  // namespace

void validate_overrides(const EconomicsOverrides& o) {
  auto check = [](const std::optional<double>& v, const char* name, double lo, double hi,
                  bool open_low) {
    if (!v) return;
    const bool ok = std::isfinite(*v) && (open_low ? *v > lo : *v >= lo) && *v <= hi;
    if (!ok) {
      throw Error::invalid_argument(
          fmt::format("{} must be in {}{}, {}], got {}", name, open_low ? "(" : "[", lo, hi, *v));
    }
  };
  check(o.margin, "margin", 0, 1, true);
  check(o.annual_discount_rate, "discount rate", 0, 1, false);
  check(o.cost_to_serve, "cost to serve", 0, 1e12, false);
  check(o.referral_value, "referral value", 0, 1e12, false);
}

SectorEconomicsUsed economics_for_sector(const PluginRegistry* plugins, std::string_view sector,
                                         const EconomicsOverrides& overrides,
                                         const TimeUnit& model_unit) {
  SectorEconomicsUsed used;
  if (!sector.empty() && plugins && plugins->has_sector(sector)) {
    const SectorPlugin plugin = plugins->for_sector(sector);
    const SectorEconomics& e = plugin.economics();
    used.margin = e.default_margin;
    used.annual_discount_rate = e.annual_discount_rate;
    // The plugin states its cost per its own time unit.
    used.cost_to_serve = e.cost_to_serve * model_unit.days / e.time_unit.days;
    used.referral_value = e.referral_value;
    used.source = "plugin " + plugin.id();
  } else {
    used.source = sector.empty() ? "no sector" : fmt::format("no plugin for sector {}", sector);
  }
  if (overrides.margin) used.margin = *overrides.margin;
  if (overrides.annual_discount_rate) used.annual_discount_rate = *overrides.annual_discount_rate;
  if (overrides.cost_to_serve) used.cost_to_serve = *overrides.cost_to_serve;
  if (overrides.referral_value) used.referral_value = *overrides.referral_value;
  return used;
}

double discounted_horizon(double annual_discount_rate, const TimeUnit& unit, double horizon) {
  ValuationOptions v;
  v.horizon = horizon;
  v.annual_discount_rate = annual_discount_rate;
  v.time_unit = unit;
  return prepare_valuation(v).annuity;
}

PreparedValuation sector_valuation(const SectorEconomicsUsed& e, const TimeUnit& unit,
                                   double horizon) {
  ValuationOptions v = valuation_options<ValuationOptions>(e, horizon);
  v.time_unit = unit;
  return prepare_valuation(v);
}

double net_clv(double gross_clv, double p_alive, const SectorEconomicsUsed& e,
               double discounted_horizon_length) {
  return add_sector_terms(gross_clv, p_alive, e.cost_to_serve, discounted_horizon_length,
                          e.referral_value);
}

SectorEconomicsUsed whatif_economics(const PluginRegistry* plugins,
                                     const std::vector<std::string>& sectors,
                                     const EconomicsOverrides& overrides,
                                     const TimeUnit& model_unit) {
  validate_overrides(overrides);
  std::map<std::string, SectorEconomicsUsed> seen;
  for (const std::string& sector : sectors) {
    if (!seen.count(sector)) {
      seen[sector] = economics_for_sector(plugins, sector, overrides, model_unit);
    }
  }
  if (seen.empty()) return economics_for_sector(plugins, "", overrides, model_unit);
  const SectorEconomicsUsed& first = seen.begin()->second;
  std::string listing;
  bool differ = false;
  for (const auto& [sector, e] : seen) {
    differ =
        differ || e.margin != first.margin || e.annual_discount_rate != first.annual_discount_rate;
    listing += fmt::format("{}{}: margin {}, discount {}/year ({})", listing.empty() ? "" : "; ",
                           sector.empty() ? "(no sector)" : sector, e.margin,
                           e.annual_discount_rate, e.source);
  }
  if (differ) {
    throw Error::invalid_argument(fmt::format(
        "the customers' sectors have different economics ({}); value one sector at a time "
        "(sector = \"...\" in [run], or the request's \"sector\") or set margin and "
        "discount_rate",
        listing));
  }
  SectorEconomicsUsed used = first;
  if (seen.size() > 1) {
    used.source = fmt::format("{} sectors, same economics", seen.size());
  }
  return used;
}

SectorScores score_by_sector(const FitResult& count_model, const RfmData& table,
                             const std::vector<std::string>& sector_of_row, double horizon,
                             const FitResult* spend_model, const EconomicsOverrides& overrides,
                             const PluginRegistry* plugins,
                             std::optional<double> spend_per_purchase) {
  if (sector_of_row.size() != table.size()) {
    throw Error::invalid_argument(
        fmt::format("{} sectors for {} customers", sector_of_row.size(), table.size()));
  }
  validate_overrides(overrides);
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < table.size(); ++i) rows[sector_of_row[i]].push_back(i);
  SectorScores out;
  Scores& scores = out.scores;
  scores.p_alive.resize(table.size());
  scores.expected_purchases.resize(table.size());
  const bool valued = spend_model != nullptr || spend_per_purchase.has_value();
  if (valued) {
    scores.expected_spend.resize(table.size());
    scores.clv.resize(table.size());
  }
  for (const auto& [sector, members] : rows) {
    const SectorEconomicsUsed e =
        economics_for_sector(plugins, sector, overrides, count_model.time_unit);
    out.economics[sector] = e;
    out.customers[sector] = members.size();
    RfmData part;
    part.T_column = table.T_column;
    for (size_t i : members) {
      part.customer_id.push_back(table.customer_id[i]);
      part.x.push_back(table.x[i]);
      part.t_x.push_back(table.t_x[i]);
      part.T.push_back(table.T[i]);
      if (!table.monetary.empty()) part.monetary.push_back(table.monetary[i]);
      if (!table.weight.empty()) part.weight.push_back(table.weight[i]);
    }
    ScoreOptions options = valuation_options<ScoreOptions>(e, horizon);
    options.spend_per_purchase = spend_per_purchase;
    // The CLV is net of cost to serve and with referrals: the formula of
    // value_from_terms (models/clv_valuation.hpp), as in the Engine.
    const Scores s = score(count_model, part, options, spend_model);
    for (size_t k = 0; k < members.size(); ++k) {
      const size_t i = members[k];
      scores.p_alive[i] = s.p_alive[k];
      scores.expected_purchases[i] = s.expected_purchases[k];
      if (valued) {
        scores.expected_spend[i] = s.expected_spend[k];
        scores.clv[i] = s.clv[k];
        if (!std::isfinite(scores.clv[i])) {
          throw Error::invalid_argument(fmt::format(
              "customer {}: CLV is not finite with margin {}, cost to serve {} and referral "
              "value {}; check the economics",
              table.customer_id.empty() ? std::to_string(i + 1) : table.customer_id[i], e.margin,
              e.cost_to_serve, e.referral_value));
        }
      }
    }
  }
  return out;
}

}  // namespace clv
