// Log of the Gaussian hypergeometric function 2F1(a, b; c; z) for the cases
// the buy-till-you-die models need: a, b, c > 0 and real 0 <= z < 1, with a
// or b in the thousands (x up to ~5000) and z close to 1.
//
// The defining series has only positive terms here, so it is summed directly
// (no cancellation). Terms may first grow enormously (2F1(x, x; x; 1/2) ~
// 2^x), so term and partial sum share a running scale that is renormalised
// before overflow; the result is returned as a logarithm. Summation stops
// when a geometric bound on the remaining tail is below 1e-17 of the sum.
// The function is a template so the same code yields exact derivatives with
// respect to a, b, c and z when called with math::Dual arguments.
#pragma once

#include <algorithm>
#include <cmath>

#include "clv/error.hpp"
#include "math/dual.hpp"

namespace clv::math {

// Upper bound on series terms; at 1 - z = 1e-5 the series needs ~4e6 terms; beyond that it throws.
inline constexpr long kHyp2f1MaxTerms = 2'000'000;

// The plain series (no transformation); see log_hyp2f1.
template <class T>
T log_hyp2f1_series(const T& a, const T& b, const T& c, const T& z) {
  using std::log;
  const double av = value_of(a), bv = value_of(b), cv = value_of(c), zv = value_of(z);
  if (!(av > 0.0 && bv > 0.0 && cv > 0.0 && zv >= 0.0 && zv < 1.0)) {
    throw Error::invalid_argument(
        "log_hyp2f1 needs a, b, c > 0 and 0 <= z < 1 (got a=" + std::to_string(av) +
        ", b=" + std::to_string(bv) + ", c=" + std::to_string(cv) + ", z=" + std::to_string(zv) +
        "); transform the arguments first");
  }
  T term(1.0);
  T sum(1.0);
  double log_scale = 0.0;  // true value = exp(log_scale) * sum
  for (long j = 0; j < kHyp2f1MaxTerms; ++j) {
    const double jd = static_cast<double>(j);
    const double ratio_v = (av + jd) * (bv + jd) / ((cv + jd) * (jd + 1.0)) * zv;
    term *= (a + jd) * (b + jd) / ((c + jd) * (jd + 1.0)) * z;
    sum += term;
    if (value_of(term) > 1e250) {  // renormalise before overflow
      const double s = value_of(term);
      term /= s;
      sum /= s;
      log_scale += std::log(s);
    }
    // Always include j = 1 so d/dz is exact at z = 0.
    if (j >= 1 && ratio_v < 1.0) {
      const double q = std::max(ratio_v, zv);
      const double tail = value_of(term) * q / (1.0 - q);
      if (tail <= 1e-17 * value_of(sum)) return log(sum) + log_scale;
    }
  }
  throw Error::internal("log_hyp2f1 did not converge in " + std::to_string(kHyp2f1MaxTerms) +
                        " terms (z=" + std::to_string(zv) + " too close to 1)");
}

// Applies Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z)
// when it keeps all terms positive and shrinks the early term ratios: e.g.
// the Pareto/NBD's 2F1(r+s+x, r+x; r+s+x+1; z) with x = 5000 then needs a
// handful of terms instead of ~x z / (1 - z).
template <class T>
T log_hyp2f1(const T& a, const T& b, const T& c, const T& z) {
  using std::log1p;
  const double ca = value_of(c) - value_of(a), cb = value_of(c) - value_of(b);
  if (ca > 0.0 && cb > 0.0 && ca * cb < value_of(a) * value_of(b) && value_of(z) >= 0.0 &&
      value_of(z) < 1.0) {
    return (c - a - b) * log1p(-z) + log_hyp2f1_series(c - a, c - b, c, z);
  }
  return log_hyp2f1_series(a, b, c, z);
}

// Convenience for callers that only need the value.
double log_hyp2f1_value(double a, double b, double c, double z);

}  // namespace clv::math
