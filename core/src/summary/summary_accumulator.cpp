#include "summary/summary_accumulator.hpp"

#include <limits>

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/error.hpp"

namespace clv {

void validate_period(const SummaryPeriod& period) {
  constexpr int64_t kMaxDay = std::numeric_limits<int32_t>::max() / 2;
  if (period.calibration_end_day < -kMaxDay || period.calibration_end_day > kMaxDay) {
    throw Error::invalid_argument("calibration end date is out of range");
  }
  if (period.holdout_end_day) {
    if (*period.holdout_end_day - period.calibration_end_day > 65535) {
      throw Error::invalid_argument("the holdout period is limited to 65535 days (179 years)");
    }
    if (*period.holdout_end_day <= period.calibration_end_day ||
        *period.holdout_end_day > kMaxDay) {
      throw Error::invalid_argument(fmt::format("holdout end {} must be after calibration end {}",
                                                format_date(*period.holdout_end_day),
                                                format_date(period.calibration_end_day)));
    }
  }
  if (!(period.unit.days > 0)) throw Error::invalid_argument("time unit must be positive");
}

SummaryAccumulator::SummaryAccumulator(const SummaryPeriod& period) : period_(period) {
  validate_period(period);
  cal_end_ = static_cast<int32_t>(period.calibration_end_day);
  last_day_ = static_cast<int32_t>(period.holdout_end_day.value_or(period.calibration_end_day));
}

void SummaryAccumulator::add_customer() {
  if (count_ == std::numeric_limits<uint32_t>::max()) {
    throw Error::invalid_argument("more than 4 billion customers in one summary");
  }
  if ((count_ & (kChunkSize - 1)) == 0) {
    chunks_.emplace_back(kChunkSize);
  }
  const auto index = static_cast<uint32_t>(count_++);
  reset(index);
}

void SummaryAccumulator::reset(uint32_t index) {
  state(index) = State{0, 0, 0, 0, 0, 0, 0.0, 0.0};
}

// Calibration days are counted in 31 bits: more than 2^31 distinct days cannot
// occur within the int32 day range we accept.

bool SummaryAccumulator::add(uint32_t index, int32_t day, double amount) {
  State& s = state(index);
  if (s.out_of_order) return false;
  if (s.cal_days == 0 && s.hold_days == 0) {
    s.first_day = day;
    if (day <= cal_end_) {
      s.cal_days = 1;
      s.last_cal_day = day;
    } else {
      s.hold_days = 1;
      s.last_hold_offset = static_cast<uint16_t>(day - cal_end_);
      s.hold_spend = amount;
    }
    return true;
  }
  if (day <= cal_end_) {
    if (s.hold_days > 0 || day < s.last_cal_day) {
      s.out_of_order = 1;
      return false;
    }
    if (day > s.last_cal_day) {
      ++s.cal_days;
      s.last_cal_day = day;
    }
    // The first purchase day's spend is excluded from zbar (Fader-Hardie).
    if (day != s.first_day) s.repeat_spend += amount;
  } else {
    const auto offset = static_cast<uint16_t>(day - cal_end_);  // day <= holdout end
    if (s.hold_days > 0 && offset < s.last_hold_offset) {
      s.out_of_order = 1;
      return false;
    }
    if (s.hold_days == 0 || offset > s.last_hold_offset) {
      ++s.hold_days;
      s.last_hold_offset = offset;
    }
    s.hold_spend += amount;
  }
  return true;
}

CustomerSummary SummaryAccumulator::finish(CustomerIds ids, SummaryDiagnostics diagnostics,
                                           std::string source) {
  CustomerSummary out;
  out.period = period_;
  out.source = std::move(source);
  const double unit = period_.unit.days;
  const bool holdout = period_.holdout_end_day.has_value();
  // Reserved capacity is only touched page by page, so resident memory grows
  // as the state chunks below are freed.
  out.frequency.reserve(count_);
  out.recency.reserve(count_);
  out.T.reserve(count_);
  out.monetary_value.reserve(count_);
  if (holdout) {
    out.frequency_holdout.reserve(count_);
    out.monetary_value_holdout.reserve(count_);
    out.duration_holdout =
        static_cast<double>(*period_.holdout_end_day - period_.calibration_end_day) / unit;
  }
  bool any_excluded = false;
  for (size_t i = 0; i < count_; ++i) {
    if (state(static_cast<uint32_t>(i)).cal_days == 0) {
      any_excluded = true;
      ++diagnostics.customers_first_seen_in_holdout;
    }
  }
  CustomerIds kept;
  for (size_t i = 0; i < count_; ++i) {
    const State& s = state(static_cast<uint32_t>(i));
    if (s.cal_days > 0) {
      const int32_t x = static_cast<int32_t>(s.cal_days) - 1;
      out.frequency.push_back(x);
      out.recency.push_back((s.last_cal_day - s.first_day) / unit);
      out.T.push_back((cal_end_ - s.first_day) / unit);
      out.monetary_value.push_back(x > 0 ? s.repeat_spend / x : 0.0);
      if (holdout) {
        out.frequency_holdout.push_back(s.hold_days);
        out.monetary_value_holdout.push_back(s.hold_days > 0 ? s.hold_spend / s.hold_days : 0.0);
      }
      if (any_excluded) kept.add(ids[i]);
    }
    if (((i + 1) & (kChunkSize - 1)) == 0) chunks_[i >> kChunkShift].release();
  }
  chunks_.clear();
  count_ = 0;
  out.ids = any_excluded ? std::move(kept) : std::move(ids);
  out.diagnostics = std::move(diagnostics);
  return out;
}

}  // namespace clv
