// The per-customer summary every model is fitted on: repeat purchase count x,
// recency t_x, age T and mean repeat spend, plus optional holdout columns.
// Stored as struct-of-arrays so fitting and scoring stream through memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clv/time_unit.hpp"

namespace clv {

// The observation window of a summary. Days are days since 1970-01-01 (UTC).
// Both ends are inclusive: a purchase on the calibration-end day belongs to
// calibration; the holdout is (calibration_end, holdout_end].
struct SummaryPeriod {
  int64_t calibration_end_day = 0;
  std::optional<int64_t> holdout_end_day;
  TimeUnit unit = TimeUnit::week();
};

// Customer ids stored once each in an arena of fixed-size blocks: no per-id
// allocation and no copy of the whole arena when it grows.
class CustomerIds {
 public:
  static constexpr size_t kMaxIdBytes = 65535;

  size_t size() const { return starts_.size(); }
  std::string_view operator[](size_t i) const;
  // Appends `id` (at most kMaxIdBytes) and returns its index.
  uint32_t add(std::string_view id);
  // Makes room for `count` ids without reallocating the index.
  void reserve(size_t count) { starts_.reserve(count); }
  // Bytes held by the arena and the index (for memory accounting).
  size_t allocated_bytes() const;

 private:
  // Cache hints for the summary's pipeline (compiler-specific, so private).
  friend struct CustomerIdsPrefetch;
  static constexpr unsigned kBlockShift = 21;  // 2 MiB blocks: one huge page each
  static constexpr size_t kBlockBytes = size_t{1} << kBlockShift;
  struct BlockDeleter {
    void operator()(char* block) const;
  };
  std::vector<std::unique_ptr<char, BlockDeleter>> blocks_;
  size_t used_in_last_block_ = kBlockBytes;
  static char* allocate_block();
  std::vector<uint32_t> starts_;  // global offset of each id's 2-byte length prefix
};

// One row that could not be used, so that nothing is silently lost.
struct RejectedRow {
  uint64_t line = 0;   // 1-based line in the source file (0 for the database)
  std::string reason;  // what is wrong and what would fix it
  std::string text;    // the raw row (truncated to 200 bytes)
};

// What happened to every input row.
struct SummaryDiagnostics {
  uint64_t rows_read = 0;                        // data rows seen (header excluded)
  uint64_t rows_used = 0;                        // purchases inside the observation window
  uint64_t rows_not_purchase = 0;                // returns, refunds, cancellations (excluded)
  uint64_t rows_after_end = 0;                   // purchases after the last observed day
  uint64_t rows_rejected = 0;                    // malformed rows (see first_rejects)
  uint64_t customers_first_seen_in_holdout = 0;  // excluded from the summary
  uint64_t customers_out_of_order = 0;           // recomputed in a second pass
  std::vector<RejectedRow> first_rejects;        // at most kMaxKeptRejects
  static constexpr size_t kMaxKeptRejects = 100;
};

struct CustomerSummary {
  SummaryPeriod period;
  std::string source;  // file path or "sqlite:<path>"
  CustomerIds ids;
  std::vector<double> frequency;  // x: distinct purchase days minus one
  std::vector<double> recency;    // t_x: last minus first purchase day, in units
  std::vector<double> T;          // calibration end minus first purchase day, in units
  // Mean spend per repeat purchase day (major units), 0 if x = 0; empty when
  // the source has no amounts.
  std::vector<double> monetary_value;
  // Filled only with a holdout period.
  std::vector<double> frequency_holdout;       // distinct purchase days in the holdout
  std::vector<double> monetary_value_holdout;  // mean spend per holdout purchase day, 0 if none
                                               // (empty when the source has no amounts)
  double duration_holdout = 0;                 // holdout length in units
  SummaryDiagnostics diagnostics;

  size_t size() const { return frequency.size(); }
  bool has_holdout() const { return period.holdout_end_day.has_value(); }
};

}  // namespace clv
