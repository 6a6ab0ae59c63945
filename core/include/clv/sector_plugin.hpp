// A loaded sector plugin as the engine sees it: the four hook points
// (normalize at import, incident covariates, economics, what-if levers) over
// project types only. A SectorPlugin is a cheap handle; every copy keeps the
// plugin's library loaded, so nothing a plugin created outlives its code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "clv/time_unit.hpp"

namespace clv {

// Mirrors clv_transaction_kind of the plugin ABI.
enum class TransactionKind : int32_t { kPurchase = 0, kReturn = 1, kCancellation = 2, kCharge = 3 };

// Mirrors clv_payer_class of the plugin ABI.
enum class PayerClass : int32_t {
  kUnknown = 0,
  kSelf = 1,
  kEmployer = 2,
  kInsurer = 3,
  kGovernment = 4,
  kAgency = 5,
  kOther = 6,
};

// Bits of TransactionBatch::flags, set by a plugin's normalize step.
namespace row_flag {
inline constexpr uint32_t kDrop = 1u << 0;
inline constexpr uint32_t kNetted = 1u << 1;
inline constexpr uint32_t kMerged = 1u << 2;
inline constexpr uint32_t kCancelled = 1u << 3;
inline constexpr uint32_t kFlagged = 1u << 4;
inline constexpr uint32_t kAdjusted = 1u << 5;
}  // namespace row_flag

// Imported transactions as struct-of-arrays. The importer fills the input
// columns (one customer's rows never straddle two batches, rows sorted by
// customer then time); normalize_transactions() fills the output columns.
struct TransactionBatch {
  // Inputs.
  std::vector<int64_t> customer;          // dense customer index
  std::vector<int64_t> timestamp;         // UTC epoch seconds
  std::vector<int32_t> kind;              // TransactionKind values (int32_t: shared with the C ABI)
  std::vector<int64_t> reference;         // order/folio/booking/claim id, -1 if none
  std::vector<int32_t> payer_label;       // index into payer_labels, -1 if none
  std::vector<std::string> payer_labels;  // distinct raw payer texts
  std::vector<double> amount;             // in/out: the plugin may net or merge
  std::vector<int64_t> location;          // site id (same text within a customer = same id), -1
  // 1 when `reference` came from the data; 0 when none or implied by the
  // host from the transaction id (no folio groups the row).
  std::vector<uint8_t> reference_given;
  // Outputs.
  std::vector<int32_t> payer_class;  // PayerClass values
  std::vector<uint32_t> flags;
  std::vector<int64_t> merged_into;  // row a merged/netted row went into, -1 otherwise

  std::size_t size() const { return customer.size(); }
  void reserve(std::size_t n);
  void clear();  // keeps payer_labels so the dictionary survives batches
  // `reference_from_data` false: `reference_id` was implied by the caller
  // (e.g. a purchase's own transaction id), not read from the data.
  void add(int64_t customer_index, int64_t time, TransactionKind k, double money,
           int64_t reference_id = -1, int32_t payer = -1, int64_t location_id = -1,
           bool reference_from_data = true);
  // Removes rows flagged kDrop (after the caller has reported them).
  void erase_dropped();
};

// What one normalize call did, so that no row disappears unaccounted.
struct NormalizeReport {
  std::size_t rows = 0;
  std::size_t kept = 0;
  std::size_t dropped = 0;
  std::size_t netted = 0;
  std::size_t merged = 0;
  std::size_t cancelled = 0;
  std::size_t flagged = 0;
  std::size_t adjusted = 0;
};

// Behaviour profile of the employee who handled an incident, each in [0, 1].
struct EmployeeProfile {
  double trust = 0.5;
  double tact = 0.5;
  double empathy = 0.5;
  double conformity = 0.5;
  double focus = 0.5;
  double flexibility = 0.5;
};

enum class IncidentOutcome : int32_t {
  kUnresolved = 0,
  kResolved = 1,
  kPartial = 2,
  kEscalated = 3
};

// Service incidents as struct-of-arrays.
struct IncidentBatch {
  std::vector<int64_t> customer;
  std::vector<int64_t> opened_at;    // UTC epoch seconds
  std::vector<int64_t> resolved_at;  // -1 while open
  std::vector<int32_t> severity;     // 1..5
  std::vector<int32_t> category;     // index into category_names
  std::vector<int32_t> outcome;      // IncidentOutcome values
  std::vector<double> satisfaction;  // [0, 1], NaN if not asked
  std::vector<int64_t> employee;     // index into employees, -1 if unknown
  std::vector<std::string> category_names;
  std::vector<EmployeeProfile> employees;

  std::size_t size() const { return customer.size(); }
  void add(int64_t customer_index, int64_t opened, int64_t resolved, int32_t severity_level,
           int32_t category_index, IncidentOutcome result, double satisfaction_score,
           int64_t employee_index = -1);
};

// One row of covariates per incident, row-major; names label the columns.
struct IncidentCovariateMatrix {
  std::vector<std::string> names;
  std::size_t rows = 0;
  std::vector<double> values;

  double at(std::size_t row, std::size_t column) const {
    return values[row * names.size() + column];
  }
  // Column index of `name`; throws Error::not_found.
  std::size_t column(const std::string& name) const;
};

enum class ModelKind : int32_t { kParetoNbd = 0, kBgNbd = 1, kMbgNbd = 2, kBgBb = 3, kSbg = 4 };

// "pareto_nbd", "bg_nbd", "mbg_nbd", "bg_bb", "sbg".
std::string model_kind_name(ModelKind kind);

struct SectorEconomics {
  TimeUnit time_unit;
  ModelKind default_model = ModelKind::kBgNbd;
  bool contractual = false;
  bool discrete = false;
  double default_margin = 0.0;
  double cost_to_serve = 0.0;  // per customer per time unit
  double annual_discount_rate = 0.0;
  double referral_value = 0.0;
};

// A what-if lever a sector offers, e.g. "resolve complaints during the stay".
struct LeverParameter {
  std::string name;
  std::string description;
  std::string unit;
  double default_value = 0.0;
  double min = 0.0;
  double max = 0.0;
};

// How applying a lever changes the engine's inputs: `target` is one of
// "covariate:<name>", "purchase_rate", "dropout_rate", "margin",
// "cost_to_serve"; `operation` is "scale" or "add"; the amount comes from
// `parameter` (scale by 1 - value for "reduce", see sdk/README.md).
struct LeverEffect {
  std::string target;
  std::string operation;
  std::string parameter;
};

struct Lever {
  std::string id;
  std::string label;
  std::string description;
  std::vector<LeverParameter> parameters;
  std::vector<LeverEffect> effects;
};

struct PluginInfo {
  std::string id;
  std::string display_name;
  std::string version;      // the plugin's own version
  std::string abi_version;  // "major.minor.patch" it was built against
  std::string description;  // from manifest.json
  std::string manifest_path;
  std::string library_path;
};

class SectorPlugin {
 public:
  struct Impl;
  explicit SectorPlugin(std::shared_ptr<Impl> impl);

  const PluginInfo& info() const;
  const std::string& id() const { return info().id; }

  // Hook 1. Maps payer labels, then lets the plugin net/merge/drop rows.
  // Fills payer_class, flags, merged_into; throws Error::plugin_error when
  // the plugin fails (naming the plugin and the call).
  NormalizeReport normalize_transactions(TransactionBatch& batch) const;

  // Hook 2. One row of covariates per incident.
  IncidentCovariateMatrix incident_covariates(const IncidentBatch& batch) const;
  const std::vector<std::string>& covariate_names() const;

  // Hook 3 and 4, read and validated when the plugin was loaded.
  const SectorEconomics& economics() const;
  const std::vector<Lever>& levers() const;
  const std::string& levers_json() const;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace clv
