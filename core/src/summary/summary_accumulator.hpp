// Folds purchases into a few fields per customer, in time order per customer,
// and turns them into a CustomerSummary. Shared by the file and database
// sources so both follow exactly the same conventions.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "clv/customer_summary.hpp"
#include "summary/page_buffer.hpp"
#include "summary/prefetch.hpp"

namespace clv {

class SummaryAccumulator {
 public:
  explicit SummaryAccumulator(const SummaryPeriod& period);

  // The last day a purchase can count (holdout end, else calibration end).
  int64_t last_observed_day() const { return last_day_; }

  // Adds state for customer `index` (indices are dense and in order).
  void add_customer();
  size_t customers() const { return count_; }

  // Folds one purchase (day <= last_observed_day()). Returns false, and
  // ignores the customer from then on, when the purchase is earlier than one
  // already seen for that customer: such customers must be replayed in order
  // with reset() + add().
  bool add(uint32_t index, int32_t day, double amount);
  void reset(uint32_t index);
  void prefetch(uint32_t index) const { CLV_PREFETCH(&state(index)); }
  bool out_of_order(uint32_t index) const { return state(index).out_of_order != 0; }

  // Builds the summary, releasing the per-customer state chunk by chunk.
  CustomerSummary finish(CustomerIds ids, SummaryDiagnostics diagnostics, std::string source);

 private:
  struct State {  // 32 bytes: half a cache line per customer
    int32_t first_day;
    int32_t last_cal_day;
    uint32_t cal_days : 31;
    uint32_t out_of_order : 1;
    uint16_t last_hold_offset;  // last holdout day minus calibration end
    uint16_t hold_days;         // fits: the holdout is at most 65535 days
    double repeat_spend;        // spend on calibration days after the first
    double hold_spend;
  };
  static_assert(sizeof(State) == 32);
  static constexpr unsigned kChunkShift = 16;
  static constexpr size_t kChunkSize = size_t{1} << kChunkShift;

  State& state(uint32_t i) { return chunks_[i >> kChunkShift][i & (kChunkSize - 1)]; }
  const State& state(uint32_t i) const { return chunks_[i >> kChunkShift][i & (kChunkSize - 1)]; }

  SummaryPeriod period_;
  int32_t cal_end_;
  int32_t last_day_;
  size_t count_ = 0;
  // Fixed-size chunks: growing never copies, so peak memory stays ~32 B/customer.
  std::vector<PageBuffer<State>> chunks_;
};

// Checks a period (holdout after calibration, dates in range); throws
// Error::invalid_argument.
void validate_period(const SummaryPeriod& period);

}  // namespace clv
