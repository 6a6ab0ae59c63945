// Summaries of a per-customer value distribution used by the CLV section:
// histogram bins and concentration (share of total value held by the top
// fraction of customers).
#pragma once

#include <vector>

namespace clv::report {

struct HistogramBins {
  double lo = 0.0;
  double width = 1.0;
  std::vector<double> counts;  // bin i covers [lo + i*width, lo + (i+1)*width)
  double clipped_above = 0.0;  // the cut above which values went to the last bin
  double clipped_count = 0.0;  // how many values were above the cut
};

// Bins with a nice width covering [min, q] where q is the `clip_quantile`
// quantile; values above q are counted in the last bin so that one whale
// does not squash the rest of the distribution into a single bar.
HistogramBins histogram_bins(const std::vector<double>& values, int target_bins,
                             double clip_quantile);

// Share of the total held by the top `fraction` of values (0 < fraction <= 1),
// interpolating within a customer at the boundary. Returns 0 when the total
// is not positive.
double top_share(const std::vector<double>& sorted_descending, double total, double fraction);

// Concentration curve: for fraction f in points[i].first (0..1) of customers
// ranked by value (highest first), points[i].second is their share of the
// total. At most `max_points` + 1 points, always including 0 and 1.
std::vector<std::pair<double, double>> concentration_curve(
    const std::vector<double>& sorted_descending, double total, int max_points);

}  // namespace clv::report
