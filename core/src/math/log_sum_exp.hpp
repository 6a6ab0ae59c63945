// log(exp(a) + exp(b)) and log(exp(a) - exp(b)) without overflow, for
// likelihoods whose terms are only representable on the log scale.
#pragma once

#include <cmath>
#include <limits>

#include "math/dual.hpp"

namespace clv::math {

template <class T>
T log_add_exp(const T& a, const T& b) {
  using std::exp;
  using std::log1p;
  if (value_of(a) == -std::numeric_limits<double>::infinity()) return b;
  if (value_of(b) == -std::numeric_limits<double>::infinity()) return a;
  return value_of(a) >= value_of(b) ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

// Requires a >= b; returns -inf when they are equal.
template <class T>
T log_sub_exp(const T& a, const T& b) {
  using std::expm1;
  using std::log;
  if (value_of(b) == -std::numeric_limits<double>::infinity()) return a;
  return a + log(-expm1(b - a));
}

// lgamma-based log Beta function.
template <class T>
T log_beta(const T& a, const T& b) {
  using std::lgamma;
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

}  // namespace clv::math
