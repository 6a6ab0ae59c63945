#include "report/distribution_stats.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "report/scale.hpp"

namespace clv::report {

HistogramBins histogram_bins(const std::vector<double>& values, int target_bins,
                             double clip_quantile) {
  HistogramBins bins;
  if (values.empty()) return bins;
  std::vector<double> sorted = values;
  // Callers often hold the values ranked already (the CLV section does);
  // reversing is O(n) where sorting a million values is not.
  if (std::is_sorted(sorted.begin(), sorted.end(), std::greater<double>())) {
    std::reverse(sorted.begin(), sorted.end());
  } else if (!std::is_sorted(sorted.begin(), sorted.end())) {
    std::sort(sorted.begin(), sorted.end());
  }
  const double lo = sorted.front();
  double hi = sorted.back();
  if (clip_quantile > 0 && clip_quantile < 1) {
    const size_t q_index =
        static_cast<size_t>(std::floor(clip_quantile * static_cast<double>(sorted.size() - 1)));
    hi = sorted[q_index];
  }
  if (hi <= lo) hi = sorted.back();  // a tiny tail: show everything
  const Ticks ticks = nice_ticks(lo, hi, std::max(1, target_bins));
  bins.lo = ticks.lo;
  bins.width = ticks.step;
  const size_t n_bins =
      std::max<size_t>(1, static_cast<size_t>(std::lround((ticks.hi - ticks.lo) / ticks.step)));
  bins.counts.assign(n_bins, 0.0);
  bins.clipped_above = ticks.hi;
  for (double v : sorted) {
    double pos = std::floor((v - bins.lo) / bins.width);
    if (v > ticks.hi) bins.clipped_count += 1;
    pos = std::clamp(pos, 0.0, static_cast<double>(n_bins - 1));
    bins.counts[static_cast<size_t>(pos)] += 1;
  }
  return bins;
}

double top_share(const std::vector<double>& sorted_descending, double total, double fraction) {
  if (!(total > 0) || sorted_descending.empty()) return 0.0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const double k = fraction * static_cast<double>(sorted_descending.size());
  const size_t whole = static_cast<size_t>(std::floor(k));
  double sum = 0.0;
  for (size_t i = 0; i < whole && i < sorted_descending.size(); ++i) sum += sorted_descending[i];
  if (whole < sorted_descending.size())
    sum += (k - static_cast<double>(whole)) * sorted_descending[whole];
  return sum / total;
}

std::vector<std::pair<double, double>> concentration_curve(
    const std::vector<double>& sorted_descending, double total, int max_points) {
  std::vector<std::pair<double, double>> curve;
  const size_t n = sorted_descending.size();
  if (n == 0 || !(total > 0)) return curve;
  const size_t steps = std::min(n, static_cast<size_t>(std::max(1, max_points)));
  curve.reserve(steps + 1);
  curve.emplace_back(0.0, 0.0);
  double cumulative = 0.0;
  size_t consumed = 0;
  for (size_t s = 1; s <= steps; ++s) {
    // Customers up to the s-th of `steps` equal slices.
    const size_t upto = (n * s) / steps;
    for (; consumed < upto; ++consumed) cumulative += sorted_descending[consumed];
    curve.emplace_back(static_cast<double>(upto) / static_cast<double>(n), cumulative / total);
  }
  return curve;
}

}  // namespace clv::report
