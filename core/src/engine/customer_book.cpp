#include "engine/customer_book.hpp"

#include <algorithm>

namespace clv {

void add_purchase_day(std::vector<PurchaseDay>& days, int32_t day, int64_t amount_minor) {
  // CRM feeds are nearly in time order: the common case appends.
  if (days.empty() || days.back().day < day) {
    days.push_back({day, amount_minor});
    return;
  }
  auto it = std::lower_bound(days.begin(), days.end(), day,
                             [](const PurchaseDay& p, int32_t d) { return p.day < d; });
  if (it != days.end() && it->day == day) {
    it->amount_minor += amount_minor;
  } else {
    days.insert(it, {day, amount_minor});
  }
}

DaySummary summarize_days(const std::vector<PurchaseDay>& days, int64_t observation_end_day) {
  DaySummary s;
  if (days.empty()) return s;
  // Only purchase days up to the calibration end count.
  auto end = std::upper_bound(days.begin(), days.end(), observation_end_day,
                              [](int64_t d, const PurchaseDay& p) { return d < p.day; });
  if (end == days.begin()) return s;
  const size_t n = static_cast<size_t>(end - days.begin());
  s.x = static_cast<double>(n - 1);
  s.t_x_days = static_cast<double>(days[n - 1].day - days[0].day);
  s.T_days = static_cast<double>(observation_end_day - days[0].day);
  int64_t repeat_minor = 0, total_minor = days[0].amount_minor;
  for (size_t i = 1; i < n; ++i) {
    repeat_minor += days[i].amount_minor;
    total_minor += days[i].amount_minor;
  }
  s.monetary = n > 1 ? static_cast<double>(repeat_minor) / 100.0 / static_cast<double>(n - 1) : 0;
  s.total_value = static_cast<double>(total_minor) / 100.0;
  return s;
}

size_t CustomerBook::add(std::string external_id, int64_t row_id) {
  const size_t index = customers_.size();
  index_.insert(external_id, static_cast<int64_t>(index));
  customers_.push_back(CustomerHistory{std::move(external_id), row_id, {}, 0});
  return index;
}

}  // namespace clv
