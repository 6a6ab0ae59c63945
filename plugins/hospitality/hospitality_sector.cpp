// Hospitality: a stay is the purchase occasion. Every line of a folio (room
// nights, minibar, spa) folds into one stay, and so do lines without a folio
// id on consecutive nights at the same hotel; refunds are goodwill and never
// erase a stay that happened; a cancellation only counts when a fee was kept.
#include <string>
#include <vector>

#include "common/sector_rules.hpp"

namespace {

constexpr clv_rules::PayerRule kPayers[] = {
    {"ota", CLV_PAYER_AGENCY},       {"booking.com", CLV_PAYER_AGENCY},
    {"expedia", CLV_PAYER_AGENCY},   {"agent", CLV_PAYER_AGENCY},
    {"agency", CLV_PAYER_AGENCY},    {"tour operator", CLV_PAYER_AGENCY},
    {"company", CLV_PAYER_EMPLOYER}, {"corporate", CLV_PAYER_EMPLOYER},
    {"guest", CLV_PAYER_SELF},       {"self", CLV_PAYER_SELF},
    {"card", CLV_PAYER_SELF},        {"cash", CLV_PAYER_SELF},
};

// A complaint fixed within this many hours is fixed while the guest is still
// in house (median stay ~2 nights).
constexpr double kStayWindowHours = 24.0;

class HospitalitySector {
 public:
  explicit HospitalitySector(std::string_view /*config_json*/) {
    model_.severity_weight = {0.3, 0.7, 1.2, 2.0, 3.5};
    model_.category_weight = {
        {"clean", 1.5}, {"noise", 1.2}, {"room", 1.3}, {"staff", 1.4}, {"billing", 0.9}};
    // In-stay problems must be fixed within hours, billing disputes within days.
    model_.sla_hours = {{"clean", 2.0}, {"room", 4.0}, {"noise", 1.0}, {"billing", 72.0}};
    model_.default_sla_hours = 8.0;
    model_.trait_weight = {0.10, 0.25, 0.25, 0.05, 0.10, 0.25};
  }

  void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out[i] = clv_rules::classify_payer(clv_sdk::view(labels[i]), kPayers);
    }
  }

  void normalize_transactions(clv_transaction_batch& b) {
    for (std::size_t i = 0; i < b.count; ++i) {
      if (b.kind[i] != CLV_TXN_CANCELLATION) continue;
      // A late-cancellation or no-show fee is revenue and shows intent to
      // stay; a free cancellation is neither.
      b.flags[i] |= CLV_ROW_CANCELLED | (b.amount[i] > 0.0 ? CLV_ROW_FLAGGED : CLV_ROW_DROP);
    }
    auto stays = clv_rules::reference_anchors(b, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    // Lines without a folio id (one per night, plus extras) are one stay when
    // they follow each other night by night at the same hotel.
    clv_rules::anchor_visits_by_location(b, stays, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::merge_into_anchors(b, stays, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::NettingPolicy policy;
    policy.drop_fully_returned = false;  // the guest stayed; a full refund is goodwill
    policy.fully_returned_extra_flags = CLV_ROW_FLAGGED;
    policy.keep_unmatched = false;
    clv_rules::net_returns(b, stays, policy);
  }

  std::vector<std::string> covariate_names() const {
    auto names = clv_rules::base_covariate_names();
    names.push_back("not_resolved_in_stay");
    return names;
  }

  void incident_covariates(const clv_incident_batch& b, std::span<double> out) const {
    const std::size_t k = clv_rules::kBaseCovariates + 1;
    for (std::size_t i = 0; i < b.count; ++i) {
      double* row = out.data() + i * k;
      clv_rules::base_covariates(model_, b, i, row);
      const double hours = clv_rules::resolution_hours(b, i);
      const bool fixed_in_stay =
          b.outcome[i] == CLV_OUTCOME_RESOLVED && hours >= 0 && hours <= kStayWindowHours;
      // Guests who leave with the problem unfixed carry it into reviews.
      row[5] = fixed_in_stay ? 0.0 : 1.0;
    }
  }

  clv_sector_economics economics() const {
    clv_sector_economics e{};
    e.struct_size = sizeof e;
    e.time_unit = CLV_UNIT_MONTH;
    e.default_model = CLV_MODEL_PARETO_NBD;
    e.contractual = 0;
    e.discrete = 0;
    e.default_margin = 0.35;
    e.cost_to_serve = 1.50;
    e.annual_discount_rate = 0.10;
    e.referral_value = 80.0;
    return e;
  }

  std::string levers_json() const {
    return R"([
 {"id": "resolve_during_stay", "label": "Resolve complaints during the stay",
  "description": "Duty manager closes complaints before check-out.",
  "parameters": [{"name": "share_resolved", "description": "share of complaints fixed in house",
                  "unit": "fraction", "default": 0.8, "min": 0, "max": 1}],
  "effects": [{"target": "covariate:not_resolved_in_stay", "operation": "reduce", "parameter": "share_resolved"},
              {"target": "covariate:unresolved", "operation": "reduce", "parameter": "share_resolved"}]},
 {"id": "recovery_upgrade", "label": "Service-recovery upgrade",
  "description": "Offer an upgrade on the next stay to guests who complained.",
  "parameters": [{"name": "upgrade_cost", "unit": "currency per customer per month", "default": 0.5, "min": 0, "max": 20},
                 {"name": "dissatisfaction_cut", "unit": "fraction", "default": 0.4, "min": 0, "max": 1}],
  "effects": [{"target": "cost_to_serve", "operation": "add", "parameter": "upgrade_cost"},
              {"target": "covariate:dissatisfaction", "operation": "reduce", "parameter": "dissatisfaction_cut"}]}
])";
  }

 private:
  clv_rules::CovariateModel model_;
};

}  // namespace

CLV_SDK_EXPORT_SECTOR(HospitalitySector, "hospitality", "Hospitality", "1.0.0")
