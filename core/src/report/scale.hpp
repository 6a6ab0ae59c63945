// Axis arithmetic: "nice" tick positions (1, 2, 5 x 10^k steps, as in
// Heckbert's "Nice numbers for graph labels") and a linear mapping from data
// to pixels. Both accept degenerate input (empty, equal or non-finite
// bounds) and still return a usable, finite axis.
#pragma once

#include <vector>

namespace clv::report {

struct Ticks {
  double lo = 0.0;    // first tick, <= the data minimum
  double hi = 1.0;    // last tick, >= the data maximum
  double step = 0.2;  // distance between ticks
  std::vector<double> values;
};

// About `target` ticks covering [lo, hi]. Equal bounds are widened around the
// value; non-finite bounds fall back to [0, 1].
Ticks nice_ticks(double lo, double hi, int target = 5);

// Maps [d0, d1] onto [r0, r1]. A zero-width domain maps everything to the
// middle of the range instead of dividing by zero.
class LinearScale {
 public:
  LinearScale(double d0, double d1, double r0, double r1);
  double operator()(double value) const;

 private:
  double d0_, d1_, r0_, r1_;
};

}  // namespace clv::report
