#include "engine/customer_book.hpp"

#include <algorithm>

#include "ingest/money.hpp"

namespace clv {

void add_purchase_day(std::vector<PurchaseDay>& days, int32_t day, double amount) {
  // CRM feeds are nearly in time order: the common case appends.
  if (days.empty() || days.back().day < day) {
    days.push_back({day, amount});
    return;
  }
  auto it = std::lower_bound(days.begin(), days.end(), day,
                             [](const PurchaseDay& p, int32_t d) { return p.day < d; });
  if (it != days.end() && it->day == day) {
    it->amount += amount;
  } else {
    days.insert(it, {day, amount});
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
  double repeat = 0;
  for (size_t i = 1; i < n; ++i) repeat += days[i].amount;
  s.monetary = n > 1 ? repeat / static_cast<double>(n - 1) : 0;
  s.total_value = days[0].amount + repeat;
  return s;
}

FitPopulation fit_population(const std::vector<CustomerPurchases>& customers,
                             int64_t observation_end_day) {
  FitPopulation out;
  for (const CustomerPurchases& c : customers) {
    out.with_purchases += c.days.empty() ? 0 : 1;
    out.scorable += has_purchase_by(c, observation_end_day) ? 1 : 0;
    out.in_fit += informs_fit(c, observation_end_day) ? 1 : 0;
  }
  return out;
}

double major_units(int64_t amount_minor, std::string_view currency) {
  static constexpr double kScale[] = {1.0, 0.1, 0.01, 0.001, 0.0001};
  return static_cast<double>(amount_minor) * kScale[currency_exponent(currency)];
}

size_t CustomerBook::add(std::string external_id, int64_t row_id, std::string sector) {
  const size_t index = customers_.size();
  index_.insert(external_id, static_cast<int64_t>(index));
  customers_.push_back(CustomerPurchases{std::move(external_id), row_id, {}, 0, std::move(sector)});
  return index;
}

}  // namespace clv
