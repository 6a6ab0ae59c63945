// Template sector plugin: a monthly subscription box. Copy this directory,
// change the id (here, in manifest.json and CMakeLists.txt) and replace the
// rules. Throw clv_sdk::PluginError with a clear message on bad input; the
// SDK turns it into a status code and a message the host shows the user.
#include <string>
#include <string_view>
#include <vector>

#include <clv_sdk/sector_plugin.hpp>

namespace {

class ExampleSector {
 public:
  explicit ExampleSector(std::string_view /*config_json*/) {}

  // Hook 1a: raw payer labels -> payer classes, called once per distinct label.
  void map_payer_types(std::span<const clv_string_view> labels, std::span<int32_t> out) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const std::string label = clv_sdk::lower(clv_sdk::view(labels[i]));
      out[i] = label.find("gift") != std::string::npos ? CLV_PAYER_OTHER : CLV_PAYER_SELF;
    }
  }

  // Hook 1b: one box per month is the occasion; a skipped box (cancellation)
  // is no purchase, a refund nets against the box it references.
  void normalize_transactions(clv_transaction_batch& b) {
    for (std::size_t i = 0; i < b.count; ++i) {
      if (b.amount[i] < 0)
        throw clv_sdk::PluginError("negative amount at row " + std::to_string(i));
      if (b.kind[i] == CLV_TXN_CANCELLATION) b.flags[i] |= CLV_ROW_DROP | CLV_ROW_CANCELLED;
      if (b.kind[i] != CLV_TXN_RETURN) continue;
      b.flags[i] |= CLV_ROW_DROP | CLV_ROW_NETTED;
      for (std::size_t j = 0; j < i; ++j) {  // batches are per customer and small
        if (b.customer[j] == b.customer[i] && b.reference[j] == b.reference[i] &&
            b.kind[j] == CLV_TXN_PURCHASE) {
          b.amount[j] = b.amount[j] > b.amount[i] ? b.amount[j] - b.amount[i] : 0.0;
          b.flags[j] |= CLV_ROW_ADJUSTED;
          b.merged_into[i] = static_cast<int64_t>(j);
          break;
        }
      }
    }
  }

  // Hook 2: one row of covariates per incident, finite values only.
  std::vector<std::string> covariate_names() const { return {"severity", "unresolved"}; }
  void incident_covariates(const clv_incident_batch& b, std::span<double> out) const {
    for (std::size_t i = 0; i < b.count; ++i) {
      out[i * 2] = b.severity[i] / 5.0;
      out[i * 2 + 1] = b.outcome[i] == CLV_OUTCOME_RESOLVED ? 0.0 : 1.0;
    }
  }

  // Hook 3: subscriptions are contractual and billed monthly.
  clv_sector_economics economics() const {
    clv_sector_economics e{};
    e.struct_size = sizeof e;
    e.time_unit = CLV_UNIT_MONTH;
    e.default_model = CLV_MODEL_SBG;
    e.contractual = 1;
    e.discrete = 1;
    e.default_margin = 0.40;
    e.cost_to_serve = 2.0;
    e.annual_discount_rate = 0.10;
    e.referral_value = 25.0;
    return e;
  }

  // Hook 4: what-if levers (schema in the SDK README).
  std::string levers_json() const {
    return R"([{"id": "pause_instead_of_cancel", "label": "Offer a pause instead of cancelling",
      "parameters": [{"name": "saved_share", "unit": "fraction", "default": 0.2, "min": 0, "max": 0.8}],
      "effects": [{"target": "dropout_rate", "operation": "reduce", "parameter": "saved_share"}]}])";
  }
};

}  // namespace

CLV_SDK_EXPORT_SECTOR(ExampleSector, "example", "Example subscription box", "0.1.0")
