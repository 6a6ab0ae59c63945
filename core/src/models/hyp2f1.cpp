#include "models/hyp2f1.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

constexpr int kMaxTerms = 2'000'000;

// Direct series for 0 <= z < 1 with a running log scale: terms may grow to
// 1e1000 before they decay when a and b are in the thousands.
LogValue series(double a, double b, double c, double z) {
  if (z == 0.0 || a == 0.0 || b == 0.0) return {0.0, 1};
  double log_scale = 0.0;  // sum and term are stored divided by exp(log_scale)
  double sum = 1.0, term = 1.0;
  for (int n = 0; n < kMaxTerms; ++n) {
    const double ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    if (ratio == 0.0) break;  // a or b a non-positive integer: a polynomial
    term *= ratio;
    sum += term;
    if (std::abs(term) > 1e250) {  // rescale before overflow
      const double s = std::log(std::abs(term));
      log_scale += s;
      term /= std::exp(s);
      sum /= std::exp(s);
    }
    // Stop once terms are negligible and shrinking (ratio < 1 from here on
    // because the ratio tends to z monotonically after the peak).
    if (std::abs(term) <= 1e-17 * std::abs(sum) && std::abs(ratio) < 1.0 && n > 2) {
      if (sum == 0.0) return {-std::numeric_limits<double>::infinity(), 0};
      return {log_scale + std::log(std::abs(sum)), sum > 0 ? 1 : -1};
    }
  }
  throw Error::internal(fmt::format("2F1({}, {}; {}; {}) series did not converge in {} terms", a, b,
                                    c, z, kMaxTerms));
}

// For 0 <= z < 1: the direct series or Euler's transformation
// (1-z)^(c-a-b) 2F1(c-a, c-b; c; z), whichever has smaller numerator
// parameters (fewer, smaller terms). BG/NBD's conditional expectation has
// a = r+x, b = b+x, so Euler's form has parameters independent of x.
LogValue unit_interval(double a, double b, double c, double z) {
  const double direct = std::abs(a * b), euler = std::abs((c - a) * (c - b));
  if (euler < direct) {
    LogValue v = series(c - a, c - b, c, z);
    v.log_abs += (c - a - b) * std::log1p(-z);
    return v;
  }
  return series(a, b, c, z);
}

}  // namespace

double LogValue::value() const {
  return sign == 0 ? 0.0 : sign * std::exp(log_abs);
}

LogValue log_hyp2f1(double a, double b, double c, double z) {
  if (!(z < 1.0) || !std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || std::isnan(z)) {
    throw Error::invalid_argument(
        fmt::format("2F1({}, {}; {}; {}) needs finite a, b, c and z < 1", a, b, c, z));
  }
  if (c <= 0 && c == std::floor(c)) {
    throw Error::invalid_argument(fmt::format("2F1 undefined for c = {}", c));
  }
  if (z >= 0.0) return unit_interval(a, b, c, z);
  // Pfaff: 2F1(a,b;c;z) = (1-z)^(-b) 2F1(c-a, b; c; z/(z-1)), z/(z-1) in (0, 1).
  // Choose the variant whose first parameter keeps the series shorter.
  const double w = z / (z - 1.0), log1mz = std::log1p(-z);
  if (std::abs(c - a) <= std::abs(c - b)) {
    LogValue v = unit_interval(c - a, b, c, w);
    v.log_abs -= b * log1mz;
    return v;
  }
  LogValue v = unit_interval(a, c - b, c, w);
  v.log_abs -= a * log1mz;
  return v;
}

}  // namespace clv
