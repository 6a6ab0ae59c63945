// Travel: a booking (all its legs, hotel and extras) is one trip. A
// cancellation row cancels the booking it references; a booking refunded
// almost entirely was not travelled, so it is no trip either.
#include <string>
#include <vector>

#include "common/sector_rules.hpp"

namespace {

constexpr clv_rules::PayerRule kPayers[] = {
    {"tmc", CLV_PAYER_AGENCY},   {"agency", CLV_PAYER_AGENCY},      {"agent", CLV_PAYER_AGENCY},
    {"ota", CLV_PAYER_AGENCY},   {"corporate", CLV_PAYER_EMPLOYER}, {"company", CLV_PAYER_EMPLOYER},
    {"points", CLV_PAYER_OTHER}, {"miles", CLV_PAYER_OTHER},        {"self", CLV_PAYER_SELF},
    {"card", CLV_PAYER_SELF},    {"leisure", CLV_PAYER_SELF},
};

// Refunds leaving less than this share of the fare mean the trip did not happen.
constexpr double kCancelledTripShare = 0.05;

class TravelSector {
 public:
  explicit TravelSector(std::string_view /*config_json*/) {
    model_.severity_weight = {0.2, 0.6, 1.2, 2.2, 3.5};
    model_.category_weight = {
        {"delay", 1.3}, {"cancel", 1.8}, {"baggage", 1.4}, {"refund", 1.2}, {"seat", 0.7}};
    model_.sla_hours = {{"baggage", 72.0}, {"refund", 168.0}, {"delay", 24.0}, {"cancel", 12.0}};
    model_.default_sla_hours = 48.0;
    // Disrupted travellers need someone who bends rules and stays on it.
    model_.trait_weight = {0.15, 0.10, 0.15, 0.05, 0.20, 0.35};
  }

  void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out[i] = clv_rules::classify_payer(clv_sdk::view(labels[i]), kPayers);
    }
  }

  void normalize_transactions(clv_transaction_batch& b) {
    const auto bookings = clv_rules::reference_anchors(b, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::merge_into_anchors(b, bookings, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    for (std::size_t i = 0; i < b.count; ++i) {
      if (b.kind[i] != CLV_TXN_CANCELLATION) continue;
      b.flags[i] |= CLV_ROW_DROP | CLV_ROW_CANCELLED;
      if (bookings[i] < 0) continue;
      // The cancelled booking is no trip; its fee (if any) is not a trip either.
      const auto booking = static_cast<std::size_t>(bookings[i]);
      b.flags[booking] |= CLV_ROW_DROP | CLV_ROW_CANCELLED;
      b.merged_into[i] = bookings[i];
    }
    clv_rules::NettingPolicy policy;
    policy.full_return_share = kCancelledTripShare;
    policy.drop_fully_returned = true;
    policy.fully_returned_extra_flags = CLV_ROW_CANCELLED;
    clv_rules::net_returns(b, bookings, policy);
  }

  std::vector<std::string> covariate_names() const {
    auto names = clv_rules::base_covariate_names();
    names.push_back("disruption");
    return names;
  }

  void incident_covariates(const clv_incident_batch& b, std::span<double> out) const {
    const std::size_t k = clv_rules::kBaseCovariates + 1;
    for (std::size_t i = 0; i < b.count; ++i) {
      double* row = out.data() + i * k;
      clv_rules::base_covariates(model_, b, i, row);
      // Operational disruptions weigh by severity; other complaints do not count here.
      const bool disruption = clv_rules::category_contains(
          clv_rules::category_of(b, i), {"delay", "cancel", "baggage", "missed"});
      row[5] = disruption ? static_cast<double>(b.severity[i]) / 5.0 : 0.0;
    }
  }

  clv_sector_economics economics() const {
    clv_sector_economics e{};
    e.struct_size = sizeof e;
    e.time_unit = CLV_UNIT_MONTH;
    e.default_model = CLV_MODEL_BG_BB;
    e.contractual = 0;
    e.discrete = 1;
    e.default_margin = 0.08;
    e.cost_to_serve = 0.80;
    e.annual_discount_rate = 0.09;
    e.referral_value = 45.0;
    return e;
  }

  std::string levers_json() const {
    return R"([
 {"id": "proactive_rebooking", "label": "Proactive rebooking on disruption",
  "description": "Rebook travellers automatically before they call.",
  "parameters": [{"name": "share_rebooked", "unit": "fraction", "default": 0.6, "min": 0, "max": 1}],
  "effects": [{"target": "covariate:disruption", "operation": "reduce", "parameter": "share_rebooked"},
              {"target": "covariate:sla_overrun", "operation": "reduce", "parameter": "share_rebooked"}]},
 {"id": "status_match", "label": "Loyalty status match",
  "description": "Match competitor tier status to win frequent travellers.",
  "parameters": [{"name": "frequency_uplift", "unit": "fraction", "default": 0.1, "min": 0, "max": 0.5},
                 {"name": "benefit_cost", "unit": "currency per customer per month", "default": 1.0, "min": 0, "max": 30}],
  "effects": [{"target": "purchase_rate", "operation": "scale", "parameter": "frequency_uplift"},
              {"target": "cost_to_serve", "operation": "add", "parameter": "benefit_cost"}]}
])";
  }

 private:
  clv_rules::CovariateModel model_;
};

}  // namespace

CLV_SDK_EXPORT_SECTOR(TravelSector, "travel", "Travel", "1.0.0")
