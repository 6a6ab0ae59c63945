// Calibration/holdout check (FHL 2005, figure 4): customers grouped by their
// calibration frequency x, with the mean purchases they actually made in the
// holdout period next to the model's conditional expectation.
#pragma once

#include <span>
#include <vector>

#include "models/count_model_scorer.hpp"

namespace clv {

struct HoldoutGroup {
  int x = 0;             // calibration repeat purchases; the last group is "x or more"
  double customers = 0;  // number of customers in the group
  double actual = 0;     // mean holdout purchases
  double expected = 0;   // mean E[Y(holdout) | x, t_x, T]
};

// Groups 0, 1, ..., max_x - 1 and "max_x or more" (empty groups are kept
// with zeros so rows line up across models). `holdout` is the holdout length
// in the model's time unit.
std::vector<HoldoutGroup> compare_holdout(const CountModelScorer& model, std::span<const double> x,
                                          std::span<const double> t_x, std::span<const double> T,
                                          std::span<const double> holdout_purchases, double holdout,
                                          int max_x = 7);

}  // namespace clv
