// Customer summaries (x, t_x, T) collapsed into distinct weighted rows, the
// form every count model's likelihood is evaluated on. Customers acquired on
// the same day with the same history become one row, which is what makes a
// 10M-customer fit cheap.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace clv {

struct RfmRows {
  std::vector<double> x;       // repeat transactions in the calibration period
  std::vector<double> t_x;     // time of the last repeat transaction (0 if x = 0)
  std::vector<double> T;       // time from first transaction to the end of calibration
  std::vector<double> weight;  // customers sharing this (x, t_x, T)

  size_t size() const { return x.size(); }
  double total_weight() const;
};

// Checks every customer (finite, x >= 0 whole, 0 <= t_x <= T, t_x = 0 when
// x = 0, weight >= 0) and throws Error::invalid_argument naming the first bad
// row (0-based index) otherwise. `weight` may be empty (all 1).
void validate_rfm(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
                  std::span<const double> weight);

// Validates, then merges identical (x, t_x, T) into one row whose weight is
// the sum; rows of weight 0 are dropped. Order: first appearance.
RfmRows collapse_rfm(std::span<const double> x, std::span<const double> t_x,
                     std::span<const double> T, std::span<const double> weight = {});

}  // namespace clv
