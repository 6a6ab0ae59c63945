// Healthcare: a visit is the occasion. Procedure lines of one visit fold
// into it; a reversed or denied claim changes who pays, not whether the
// patient came, so the visit stays; cancelled appointments are no visits.
#include <string>
#include <vector>

#include "common/sector_rules.hpp"

namespace {

// Order matters: "self-pay" must not be read as an insurer.
constexpr clv_rules::PayerRule kPayers[] = {
    {"self", CLV_PAYER_SELF},           {"cash", CLV_PAYER_SELF},
    {"medicare", CLV_PAYER_GOVERNMENT}, {"medicaid", CLV_PAYER_GOVERNMENT},
    {"nhs", CLV_PAYER_GOVERNMENT},      {"public", CLV_PAYER_GOVERNMENT},
    {"veteran", CLV_PAYER_GOVERNMENT},  {"insur", CLV_PAYER_INSURER},
    {"hmo", CLV_PAYER_INSURER},         {"ppo", CLV_PAYER_INSURER},
    {"health plan", CLV_PAYER_INSURER}, {"occupational", CLV_PAYER_EMPLOYER},
    {"employer", CLV_PAYER_EMPLOYER},
};

class HealthcareSector {
 public:
  explicit HealthcareSector(std::string_view /*config_json*/) {
    model_.severity_weight = {0.3, 0.8, 1.5, 3.0, 5.0};
    model_.category_weight = {{"clinical", 2.0}, {"medication", 2.0}, {"safety", 2.5},
                              {"wait", 1.0},     {"billing", 0.8},    {"staff", 1.3}};
    model_.sla_hours = {
        {"safety", 4.0}, {"clinical", 24.0}, {"medication", 12.0}, {"billing", 240.0}};
    model_.default_sla_hours = 72.0;
    // Patients trust staff who follow protocol and pay attention.
    model_.trait_weight = {0.25, 0.10, 0.25, 0.20, 0.15, 0.05};
  }

  void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out[i] = clv_rules::classify_payer(clv_sdk::view(labels[i]), kPayers);
    }
  }

  void normalize_transactions(clv_transaction_batch& b) {
    for (std::size_t i = 0; i < b.count; ++i) {
      if (b.kind[i] == CLV_TXN_CANCELLATION) {
        // A no-show fee still means no visit; keep none of it as a visit.
        b.flags[i] |= CLV_ROW_DROP | CLV_ROW_CANCELLED |
                      (b.amount[i] > 0.0 ? static_cast<uint32_t>(CLV_ROW_FLAGGED) : 0u);
      }
    }
    const auto visits = clv_rules::reference_anchors(b, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::merge_into_anchors(b, visits, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::NettingPolicy policy;
    policy.drop_fully_returned = false;  // the patient came even if the claim was denied
    policy.fully_returned_extra_flags = CLV_ROW_FLAGGED;
    policy.keep_unmatched = false;
    clv_rules::net_returns(b, visits, policy);
  }

  std::vector<std::string> covariate_names() const {
    auto names = clv_rules::base_covariate_names();
    names.push_back("patient_safety");
    return names;
  }

  void incident_covariates(const clv_incident_batch& b, std::span<double> out) const {
    const std::size_t k = clv_rules::kBaseCovariates + 1;
    for (std::size_t i = 0; i < b.count; ++i) {
      double* row = out.data() + i * k;
      clv_rules::base_covariates(model_, b, i, row);
      // Serious clinical or safety events drive patients away regardless of recovery.
      const bool clinical = clv_rules::category_contains(clv_rules::category_of(b, i),
                                                         {"clinical", "medication", "safety"});
      row[5] = clinical && b.severity[i] >= 3 ? 1.0 : 0.0;
    }
  }

  clv_sector_economics economics() const {
    clv_sector_economics e{};
    e.struct_size = sizeof e;
    e.time_unit = CLV_UNIT_MONTH;
    e.default_model = CLV_MODEL_MBG_NBD;
    e.contractual = 0;
    e.discrete = 0;
    e.default_margin = 0.12;
    e.cost_to_serve = 4.0;
    e.annual_discount_rate = 0.06;
    e.referral_value = 150.0;
    return e;
  }

  std::string levers_json() const {
    return R"([
 {"id": "follow_up_call", "label": "Follow-up call after a complaint",
  "description": "A nurse calls every patient who complained within two days.",
  "parameters": [{"name": "coverage", "unit": "fraction", "default": 0.7, "min": 0, "max": 1},
                 {"name": "call_cost", "unit": "currency per patient per month", "default": 0.3, "min": 0, "max": 10}],
  "effects": [{"target": "covariate:dissatisfaction", "operation": "reduce", "parameter": "coverage"},
              {"target": "cost_to_serve", "operation": "add", "parameter": "call_cost"}]},
 {"id": "reduce_wait_time", "label": "Shorter waits",
  "description": "Extra triage capacity shortens waits and complaint handling.",
  "parameters": [{"name": "wait_cut", "unit": "fraction", "default": 0.3, "min": 0, "max": 0.9}],
  "effects": [{"target": "covariate:sla_overrun", "operation": "reduce", "parameter": "wait_cut"}]}
])";
  }

 private:
  clv_rules::CovariateModel model_;
};

}  // namespace

CLV_SDK_EXPORT_SECTOR(HealthcareSector, "healthcare", "Healthcare", "1.0.0")
