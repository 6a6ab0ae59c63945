// Retail: an order is the purchase occasion. Line items of one order fold
// into it, returns net against it, a fully returned order is no purchase.
#include <string>
#include <vector>

#include "common/sector_rules.hpp"

namespace {

constexpr clv_rules::PayerRule kPayers[] = {
    {"corporate", CLV_PAYER_EMPLOYER}, {"business", CLV_PAYER_EMPLOYER},
    {"b2b", CLV_PAYER_EMPLOYER},       {"company", CLV_PAYER_EMPLOYER},
    {"gift", CLV_PAYER_SELF},          {"voucher", CLV_PAYER_SELF},
    {"card", CLV_PAYER_SELF},          {"cash", CLV_PAYER_SELF},
    {"self", CLV_PAYER_SELF},          {"personal", CLV_PAYER_SELF},
};

class RetailSector {
 public:
  explicit RetailSector(std::string_view /*config_json*/) {
    model_.severity_weight = {0.2, 0.5, 1.0, 1.8, 3.0};
    model_.category_weight = {{"defect", 1.4}, {"delivery", 1.2}, {"billing", 1.0}, {"staff", 1.3}};
    model_.sla_hours = {{"delivery", 24.0}, {"defect", 72.0}};
    model_.default_sla_hours = 48.0;
    // Shoppers react to being listened to and to a flexible fix.
    model_.trait_weight = {0.10, 0.25, 0.30, 0.05, 0.10, 0.20};
  }

  void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out[i] = clv_rules::classify_payer(clv_sdk::view(labels[i]), kPayers);
    }
  }

  void normalize_transactions(clv_transaction_batch& b) {
    for (std::size_t i = 0; i < b.count; ++i) {
      if (b.kind[i] == CLV_TXN_CANCELLATION) {
        b.flags[i] |= CLV_ROW_DROP | CLV_ROW_CANCELLED;  // never shipped: no purchase
      } else if ((b.kind[i] == CLV_TXN_PURCHASE || b.kind[i] == CLV_TXN_CHARGE) &&
                 b.reference[i] < 0 && b.amount[i] <= 0.0) {
        b.flags[i] |= CLV_ROW_DROP | CLV_ROW_FLAGGED;  // free replacement, not a purchase
      }
    }
    const auto orders = clv_rules::reference_anchors(b, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::merge_into_anchors(b, orders, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::NettingPolicy policy;
    policy.drop_fully_returned = true;  // a fully returned order was no purchase
    clv_rules::net_returns(b, orders, policy);
    // A merged order worth nothing (all lines free) is a replacement shipment.
    for (std::size_t i = 0; i < b.count; ++i) {
      if (orders[i] == static_cast<int64_t>(i) && !clv_rules::has(b, i, CLV_ROW_DROP) &&
          b.amount[i] <= 0.0) {
        b.flags[i] |= CLV_ROW_DROP | CLV_ROW_FLAGGED;
      }
    }
  }

  std::vector<std::string> covariate_names() const {
    auto names = clv_rules::base_covariate_names();
    names.push_back("repeat_contact_30d");
    return names;
  }

  void incident_covariates(const clv_incident_batch& b, std::span<double> out) const {
    const std::size_t k = clv_rules::kBaseCovariates + 1;
    for (std::size_t i = 0; i < b.count; ++i) {
      double* row = out.data() + i * k;
      clv_rules::base_covariates(model_, b, i, row);
      // Contacting support again within 30 days means the first fix failed.
      double repeats = 0.0;
      for (std::size_t j = i; j-- > 0 && b.customer[j] == b.customer[i];) {
        if (b.opened_at[i] - b.opened_at[j] <= 30 * 86400) repeats += 1.0;
      }
      row[5] = repeats;
    }
  }

  clv_sector_economics economics() const {
    clv_sector_economics e{};
    e.struct_size = sizeof e;
    e.time_unit = CLV_UNIT_WEEK;
    e.default_model = CLV_MODEL_BG_NBD;
    e.contractual = 0;
    e.discrete = 0;
    e.default_margin = 0.30;
    e.cost_to_serve = 0.40;
    e.annual_discount_rate = 0.10;
    e.referral_value = 12.0;
    return e;
  }

  std::string levers_json() const {
    return R"([
 {"id": "faster_complaint_resolution", "label": "Resolve complaints faster",
  "description": "Cut resolution time so fewer complaints overrun their SLA.",
  "parameters": [{"name": "overrun_cut", "description": "share of SLA overrun removed",
                  "unit": "fraction", "default": 0.5, "min": 0, "max": 0.95}],
  "effects": [{"target": "covariate:sla_overrun", "operation": "reduce", "parameter": "overrun_cut"},
              {"target": "covariate:repeat_contact_30d", "operation": "reduce", "parameter": "overrun_cut"}]},
 {"id": "loyalty_discount", "label": "Loyalty discount",
  "description": "A member discount trades margin for more frequent orders.",
  "parameters": [{"name": "discount", "unit": "fraction", "default": 0.05, "min": 0, "max": 0.3},
                 {"name": "frequency_uplift", "unit": "fraction", "default": 0.08, "min": 0, "max": 0.5}],
  "effects": [{"target": "margin", "operation": "reduce", "parameter": "discount"},
              {"target": "purchase_rate", "operation": "scale", "parameter": "frequency_uplift"}]}
])";
  }

 private:
  clv_rules::CovariateModel model_;
};

}  // namespace

CLV_SDK_EXPORT_SECTOR(RetailSector, "retail", "Retail", "1.0.0")
