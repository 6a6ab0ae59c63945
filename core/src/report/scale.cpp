#include "report/scale.hpp"

#include <algorithm>
#include <cmath>

namespace clv::report {

namespace {

// The smallest 1, 2, 5 x 10^k not below `raw`.
double nice_step(double raw) {
  const double exponent = std::floor(std::log10(raw));
  const double base = std::pow(10.0, exponent);
  const double fraction = raw / base;
  double nice = 10.0;
  if (fraction <= 1.0) {
    nice = 1.0;
  } else if (fraction <= 2.0) {
    nice = 2.0;
  } else if (fraction <= 5.0) {
    nice = 5.0;
  }
  return nice * base;
}

}  // namespace

Ticks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0.0;
    hi = 1.0;
  }
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
    // A single value: show it in the middle of a unit-sized window
    // (or a window proportional to its magnitude).
    const double half = std::fabs(lo) > 0 ? std::fabs(lo) * 0.5 : 0.5;
    if (lo >= 0 && lo - half < 0) {
      lo = 0.0;
      hi = hi + half;
    } else {
      lo -= half;
      hi += half;
    }
  }
  target = std::max(2, target);
  const double step = nice_step((hi - lo) / target);
  Ticks ticks;
  ticks.step = step;
  ticks.lo = std::floor(lo / step + 1e-9) * step;
  ticks.hi = std::ceil(hi / step - 1e-9) * step;
  const int count = static_cast<int>(std::lround((ticks.hi - ticks.lo) / step));
  ticks.values.reserve(count + 1);
  for (int i = 0; i <= count; ++i) {
    double v = ticks.lo + i * step;
    if (std::fabs(v) < step * 1e-9) v = 0.0;  // no "-0" or 1e-17 labels
    ticks.values.push_back(v);
  }
  return ticks;
}

LinearScale::LinearScale(double d0, double d1, double r0, double r1)
    : d0_(d0), d1_(d1), r0_(r0), r1_(r1) {}

double LinearScale::operator()(double value) const {
  const double width = d1_ - d0_;
  if (!std::isfinite(value) || !std::isfinite(width) || width == 0.0) return (r0_ + r1_) / 2;
  return r0_ + (value - d0_) / width * (r1_ - r0_);
}

}  // namespace clv::report
