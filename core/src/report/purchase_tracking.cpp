// The tracking plot's numbers (Fader, Hardie & Lee 2005, figure 2): actual
// repeat purchases per period against sum_i E[X(t - birth_i)]. Customers are
// born on whole days, so E[X] is needed only at whole-day ages: it is
// evaluated once per age and the per-period sums are plain multiply-adds.
#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/run_report.hpp"

namespace clv {

PurchasesOverTime track_purchases(const PurchaseHistory& h,
                                  const ExpectedRepeatPurchases& expected) {
  const double u = h.unit.days;
  if (!(u > 0) || !std::isfinite(u)) {
    throw Error::invalid_argument("purchase tracking: the time unit must be a positive length");
  }
  const size_t days = h.births.size();
  if (days == 0 || h.repeats.size() != days ||
      h.end_day - h.first_day + 1 != static_cast<int64_t>(days) ||
      h.calibration_end_day < h.first_day || h.calibration_end_day > h.end_day) {
    throw Error::invalid_argument(
        "purchase tracking: the history's day range does not match its counts; build it with "
        "read_purchase_history()");
  }
  // Ends (day offsets, inclusive) of each period; the last one is cut at end_day.
  std::vector<size_t> ends;
  for (int k = 1;; ++k) {
    const auto next_start = static_cast<size_t>(std::floor(k * u + 1e-9));
    if (next_start >= days) {
      ends.push_back(days - 1);
      break;
    }
    if (next_start > 0 && (ends.empty() || next_start - 1 > ends.back())) {
      ends.push_back(next_start - 1);
    }
  }
  // The calibration end is always a period end, so that no period mixes
  // calibration and holdout purchases (the period around it is split).
  const auto last_birth = static_cast<size_t>(h.calibration_end_day - h.first_day);
  const auto split = std::lower_bound(ends.begin(), ends.end(), last_birth);
  if (split == ends.end() || *split != last_birth) ends.insert(split, last_birth);
  // E[X(a / u)] at every whole-day age a; age 0 buys nothing.
  std::vector<double> at_age(days, 0.0);
  for (size_t a = 1; a < days; ++a) {
    const double t = static_cast<double>(a) / u;
    const double v = expected(t);
    if (!std::isfinite(v) || v < 0) {
      throw Error::invalid_argument(fmt::format(
          "purchase tracking: the model's expected repeat purchases at t = {} is {}; check the "
          "fitted parameters",
          t, v));
    }
    at_age[a] = v;
  }
  PurchasesOverTime out;
  out.cumulative = false;
  out.calibration_end = static_cast<double>(last_birth + 1) / u;
  double previous_expected = 0;
  size_t day = 0;
  for (size_t end : ends) {
    double cumulative = 0;
    for (size_t b = 0; b <= std::min(end, last_birth); ++b) {
      if (h.births[b] != 0) cumulative += h.births[b] * at_age[end - b];
    }
    double actual = 0;
    for (; day <= end; ++day) actual += h.repeats[day];
    out.period.push_back(static_cast<double>(end + 1) / u);
    out.actual.push_back(actual);
    out.fitted.push_back(cumulative - previous_expected);
    previous_expected = cumulative;
  }
  if (h.rows_rejected > 0) {
    out.note = fmt::format("{} malformed rows of {} were left out ({}).", h.rows_rejected, h.source,
                           h.first_reject);
  }
  return out;
}

}  // namespace clv
