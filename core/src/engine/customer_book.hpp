// The in-memory purchase history behind incremental scoring: per customer the
// distinct purchase days with their total spend, kept sorted so transactions
// may arrive in any order. Summaries follow the conventions of
// core/src/summary/README.md (purchase days, first day excluded from spend).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/id_index.hpp"

namespace clv {

struct PurchaseDay {
  int32_t day;    // UTC day number
  double amount;  // total purchase spend of that day, major units of its currency
};

// Adds one purchase to sorted purchase days (same day: amounts add up).
void add_purchase_day(std::vector<PurchaseDay>& days, int32_t day, double amount);

// Major units of a stored amount: its currency's ISO 4217 decimals, the
// rule the batch summary applies (500 JPY is 500, 5125 KWD minor is 5.125).
double major_units(int64_t amount_minor, std::string_view currency);

// Not clv::CustomerPurchases (clv/churn.hpp): one name, one type.
struct CustomerPurchases {
  std::string external_id;
  int64_t row_id = 0;  // customers.id
  std::vector<PurchaseDay> days;
  size_t incidents = 0;

  std::string sector;  // customers.sector, empty when unknown
  void add_purchase(int32_t day, double amount) { add_purchase_day(days, day, amount); }
};

// x, t_x, T in days and mean repeat-day spend in major units.
struct DaySummary {
  double x = 0, t_x_days = 0, T_days = 0, monetary = 0, total_value = 0;
};
DaySummary summarize_days(const std::vector<PurchaseDay>& days, int64_t observation_end_day);

// Who a fit at `observation_end_day` sees. A customer is scored once it has a
// purchase on or before the end; the fit's likelihood is informed only by
// customers whose first purchase is before the end (T > 0): one first seen on
// the end day has T = 0 and adds nothing, one first seen later is not in the
// data at all. /v1/health and clv_stats report both figures from here.
inline bool has_purchase_by(const CustomerPurchases& c, int64_t observation_end_day) {
  return !c.days.empty() && c.days.front().day <= observation_end_day;
}
inline bool informs_fit(const CustomerPurchases& c, int64_t observation_end_day) {
  return !c.days.empty() && c.days.front().day < observation_end_day;
}
struct FitPopulation {
  size_t with_purchases = 0;  // any purchase, whenever
  size_t scorable = 0;        // a purchase on or before the observation end
  size_t in_fit = 0;          // first purchase before the observation end
};
FitPopulation fit_population(const std::vector<CustomerPurchases>& customers,
                             int64_t observation_end_day);

// Transparent hashing so lookups by string_view allocate nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class CustomerBook {
 public:
  // Index of the customer, or -1.
  int64_t find(std::string_view external_id) const { return index_.find(external_id); }
  // Starts loading what find(external_id) reads: a batch calls this a few
  // records ahead to hide the cache miss of each lookup.
  void prefetch(std::string_view external_id) const { index_.prefetch(external_id); }
  size_t add(std::string external_id, int64_t row_id, std::string sector = {});
  CustomerPurchases& at(size_t index) { return customers_[index]; }
  const CustomerPurchases& at(size_t index) const { return customers_[index]; }
  size_t size() const { return customers_.size(); }
  const std::vector<CustomerPurchases>& all() const { return customers_; }

 private:
  std::vector<CustomerPurchases> customers_;
  IdIndex index_;  // external id -> index in customers_
};

}  // namespace clv
