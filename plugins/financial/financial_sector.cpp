// Financial services: customers hold accounts (contractual, one observation
// per monthly period). Postings of one month fold into one period, fee
// reversals net against the posting they reverse, and an account closure is
// kept: it is the churn event the contractual model is fitted on.
#include <string>
#include <vector>

#include "common/sector_rules.hpp"

namespace {

constexpr clv_rules::PayerRule kPayers[] = {
    {"joint", CLV_PAYER_SELF},           {"individual", CLV_PAYER_SELF},
    {"personal", CLV_PAYER_SELF},        {"retail", CLV_PAYER_SELF},
    {"business", CLV_PAYER_EMPLOYER},    {"corporate", CLV_PAYER_EMPLOYER},
    {"sme", CLV_PAYER_EMPLOYER},         {"payroll", CLV_PAYER_EMPLOYER},
    {"municipal", CLV_PAYER_GOVERNMENT}, {"government", CLV_PAYER_GOVERNMENT},
    {"trust", CLV_PAYER_OTHER},          {"estate", CLV_PAYER_OTHER},
};

// Civil month index of a UTC timestamp (days_from_civil inverse, Hinnant).
int64_t month_index(int64_t epoch_seconds) {
  int64_t z = (epoch_seconds >= 0 ? epoch_seconds : epoch_seconds - 86399) / 86400 + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 12 + (m - 1);
}

class FinancialSector {
 public:
  explicit FinancialSector(std::string_view /*config_json*/) {
    model_.severity_weight = {0.3, 0.7, 1.3, 2.5, 4.0};
    model_.category_weight = {
        {"fraud", 2.5}, {"compliance", 2.0}, {"billing", 1.3}, {"fee", 1.4}, {"app", 0.6}};
    model_.sla_hours = {{"fraud", 4.0}, {"billing", 120.0}, {"fee", 120.0}, {"compliance", 360.0}};
    model_.default_sla_hours = 72.0;
    // Regulated advice: trust and conformity to rules matter most.
    model_.trait_weight = {0.35, 0.10, 0.10, 0.30, 0.10, 0.05};
  }

  void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out[i] = clv_rules::classify_payer(clv_sdk::view(labels[i]), kPayers);
    }
  }

  void normalize_transactions(clv_transaction_batch& b) {
    // Reversals first: they reference the posting, which may later fold into its month.
    const auto postings = clv_rules::reference_anchors(b, {CLV_TXN_PURCHASE, CLV_TXN_CHARGE});
    clv_rules::NettingPolicy policy;
    policy.drop_fully_returned = false;  // a reversed fee still leaves an active period
    policy.keep_unmatched = false;
    clv_rules::net_returns(b, postings, policy);
    // Rows are sorted by customer then time, so one period's rows are adjacent.
    int64_t period_customer = -1, period_month = 0, period_anchor = -1;
    for (std::size_t i = 0; i < b.count; ++i) {
      if (b.kind[i] == CLV_TXN_CANCELLATION) {
        b.flags[i] |= CLV_ROW_CANCELLED;  // account closed: keep, it is the churn event
        continue;
      }
      if (clv_rules::has(b, i, CLV_ROW_DROP)) continue;
      if (b.kind[i] != CLV_TXN_PURCHASE && b.kind[i] != CLV_TXN_CHARGE) continue;
      const int64_t month = month_index(b.timestamp[i]);
      if (period_anchor < 0 || b.customer[i] != period_customer || month != period_month) {
        period_customer = b.customer[i];
        period_month = month;
        period_anchor = static_cast<int64_t>(i);
        continue;
      }
      const auto anchor = static_cast<std::size_t>(period_anchor);
      b.amount[anchor] += b.amount[i];
      b.flags[anchor] |= CLV_ROW_ADJUSTED;
      b.flags[i] |= CLV_ROW_DROP | CLV_ROW_MERGED;
      b.merged_into[i] = period_anchor;
    }
  }

  std::vector<std::string> covariate_names() const {
    auto names = clv_rules::base_covariate_names();
    names.push_back("regulatory_breach");
    return names;
  }

  void incident_covariates(const clv_incident_batch& b, std::span<double> out) const {
    const std::size_t k = clv_rules::kBaseCovariates + 1;
    for (std::size_t i = 0; i < b.count; ++i) {
      double* row = out.data() + i * k;
      clv_rules::base_covariates(model_, b, i, row);
      // Fraud and compliance complaints not fully resolved can trigger
      // regulator involvement and account transfers.
      const bool regulated =
          clv_rules::category_contains(clv_rules::category_of(b, i), {"fraud", "compliance"});
      row[5] = regulated && b.outcome[i] != CLV_OUTCOME_RESOLVED ? 1.0 : 0.0;
    }
  }

  clv_sector_economics economics() const {
    clv_sector_economics e{};
    e.struct_size = sizeof e;
    e.time_unit = CLV_UNIT_MONTH;
    e.default_model = CLV_MODEL_SBG;
    e.contractual = 1;
    e.discrete = 1;
    e.default_margin = 0.25;
    e.cost_to_serve = 6.0;
    e.annual_discount_rate = 0.08;
    e.referral_value = 200.0;
    return e;
  }

  std::string levers_json() const {
    return R"([
 {"id": "fee_waiver_on_complaint", "label": "Waive fees after a complaint",
  "description": "Refund the disputed fee at first contact.",
  "parameters": [{"name": "dissatisfaction_cut", "unit": "fraction", "default": 0.5, "min": 0, "max": 1},
                 {"name": "margin_cost", "unit": "fraction", "default": 0.01, "min": 0, "max": 0.1}],
  "effects": [{"target": "covariate:dissatisfaction", "operation": "reduce", "parameter": "dissatisfaction_cut"},
              {"target": "margin", "operation": "reduce", "parameter": "margin_cost"}]},
 {"id": "dedicated_advisor", "label": "Dedicated advisor",
  "description": "A named advisor for high-value accounts lowers closures.",
  "parameters": [{"name": "closure_cut", "unit": "fraction", "default": 0.15, "min": 0, "max": 0.8},
                 {"name": "advisor_cost", "unit": "currency per customer per month", "default": 3.0, "min": 0, "max": 100}],
  "effects": [{"target": "dropout_rate", "operation": "reduce", "parameter": "closure_cut"},
              {"target": "cost_to_serve", "operation": "add", "parameter": "advisor_cost"}]}
])";
  }

 private:
  clv_rules::CovariateModel model_;
};

}  // namespace

CLV_SDK_EXPORT_SECTOR(FinancialSector, "financial", "Financial services", "1.0.0")
