// The money side of a customer's value per sector: margin, discount rate,
// cost to serve and referral value come from the customer's sector plugin
// unless the caller sets them. Every front end (clv score, the Engine, the C
// API, HTTP, what-if, the report) resolves them here, so they agree.
//
// Value of a customer over a horizon H (model time units):
//   CLV = margin * E[spend] * discounted expected purchases       (scoring.hpp)
//       - cost_to_serve * P(alive) * A(H)                         while alive
//       + referral_value * P(alive)                               a customer who stays
// where A(H) = (1 - e^{-delta H}) / delta is the discounted length of the
// horizon (H without discounting). A(H) is an upper bound on the discounted
// time alive (a customer alive now may still leave within H). The referral
// value is what the sector plugin says referrals of a customer who stays
// bring (sdk/README.md, hook 3); it is counted once per customer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/rfm_data.hpp"
#include "clv/scoring.hpp"
#include "clv/time_unit.hpp"

namespace clv {

class PluginRegistry;

// What the caller sets; unset values come from the sector plugin.
struct EconomicsOverrides {
  std::optional<double> margin;                // share of spend, (0, 1]
  std::optional<double> annual_discount_rate;  // >= 0, continuous compounding
  std::optional<double> cost_to_serve;         // per customer per model time unit, >= 0
  std::optional<double> referral_value;        // >= 0
};

struct SectorEconomicsUsed {
  double margin = 1.0;
  double annual_discount_rate = 0.0;
  double cost_to_serve = 0.0;  // per customer per model time unit
  double referral_value = 0.0;
  std::string source;  // "plugin hospitality", "no plugin for sector x", "no sector"
};

// Throws Error::invalid_argument for an override outside its range.
void validate_overrides(const EconomicsOverrides& overrides);

// The economics of `sector`'s customers. `plugins` may be null (no plugins).
SectorEconomicsUsed economics_for_sector(const PluginRegistry* plugins, std::string_view sector,
                                         const EconomicsOverrides& overrides,
                                         const TimeUnit& model_unit);

// A(H) above.
double discounted_horizon(double annual_discount_rate, const TimeUnit& unit, double horizon);

// The terms above added to a gross CLV (margin already applied).
double net_clv(double gross_clv, double p_alive, const SectorEconomicsUsed& economics,
               double discounted_horizon);

// The sector of each row of a summary CSV: its `sector` column, else
// `fallback` for every row (and for empty cells). Error::invalid_argument
// when the column's length differs from `rows`.
std::vector<std::string> read_summary_sectors(const std::string& path, size_t rows,
                                              const std::string& fallback);

// The sector of each customer of a database (customers.sector), in `ids`
// order; `fallback`, when not empty, for every customer.
std::vector<std::string> database_customer_sectors(const std::string& db_path,
                                                   const std::vector<std::string>& ids,
                                                   const std::string& fallback);

// The one margin and discount rate a what-if values its customers with:
// the overrides, else the sector plugin's economics of the customers'
// sectors (`sectors`, one per customer). Error::invalid_argument naming
// the sectors when they differ and are not overridden: restrict the
// population to one sector or set margin and discount rate.
SectorEconomicsUsed whatif_economics(const PluginRegistry* plugins,
                                     const std::vector<std::string>& sectors,
                                     const EconomicsOverrides& overrides,
                                     const TimeUnit& model_unit);

// Scores a table whose rows belong to sectors (`sector_of_row`, same length
// as the table; empty = no sector), each sector with its economics. CLV
// needs a gg `spend_model` or a fixed `spend_per_purchase` (not both).
struct SectorScores {
  Scores scores;
  std::map<std::string, SectorEconomicsUsed> economics;  // per sector present
  std::map<std::string, size_t> customers;               // per sector present
};
SectorScores score_by_sector(const FitResult& count_model, const RfmData& data,
                             const std::vector<std::string>& sector_of_row, double horizon,
                             const FitResult* spend_model, const EconomicsOverrides& overrides,
                             const PluginRegistry* plugins,
                             std::optional<double> spend_per_purchase = std::nullopt);

}  // namespace clv
