// Forward-mode automatic differentiation with a fixed number of directions.
// Likelihoods are written once as templates and evaluated either on double
// (value only) or on Dual<N> (value plus exact gradient), so analytic
// gradients cannot drift from the function they differentiate.
#pragma once

#include <array>
#include <cmath>

#include <boost/math/special_functions/digamma.hpp>

namespace clv::math {

template <int N>
struct Dual {
  double v = 0.0;
  std::array<double, N> d{};

  Dual() = default;
  Dual(double value) : v(value) {}  // NOLINT: constants promote implicitly
  static Dual variable(double value, int index) {
    Dual x(value);
    x.d[index] = 1.0;
    return x;
  }

  Dual& operator+=(const Dual& o) {
    v += o.v;
    for (int i = 0; i < N; ++i) d[i] += o.d[i];
    return *this;
  }
  Dual& operator-=(const Dual& o) {
    v -= o.v;
    for (int i = 0; i < N; ++i) d[i] -= o.d[i];
    return *this;
  }
  Dual& operator*=(const Dual& o) {
    for (int i = 0; i < N; ++i) d[i] = d[i] * o.v + v * o.d[i];
    v *= o.v;
    return *this;
  }
  Dual& operator/=(const Dual& o) {
    const double inv = 1.0 / o.v;
    for (int i = 0; i < N; ++i) d[i] = (d[i] - v * inv * o.d[i]) * inv;
    v *= inv;
    return *this;
  }
  Dual& operator*=(double c) {
    v *= c;
    for (auto& x : d) x *= c;
    return *this;
  }
  Dual& operator/=(double c) { return *this *= (1.0 / c); }
};

template <int N>
Dual<N> operator+(Dual<N> a, const Dual<N>& b) {
  return a += b;
}
template <int N>
Dual<N> operator-(Dual<N> a, const Dual<N>& b) {
  return a -= b;
}
template <int N>
Dual<N> operator*(Dual<N> a, const Dual<N>& b) {
  return a *= b;
}
template <int N>
Dual<N> operator/(Dual<N> a, const Dual<N>& b) {
  return a /= b;
}
template <int N>
Dual<N> operator+(Dual<N> a, double b) {
  a.v += b;
  return a;
}
template <int N>
Dual<N> operator+(double b, Dual<N> a) {
  a.v += b;
  return a;
}
template <int N>
Dual<N> operator-(Dual<N> a, double b) {
  a.v -= b;
  return a;
}
template <int N>
Dual<N> operator-(double b, const Dual<N>& a) {
  return Dual<N>(b) - a;
}
template <int N>
Dual<N> operator*(Dual<N> a, double b) {
  return a *= b;
}
template <int N>
Dual<N> operator*(double b, Dual<N> a) {
  return a *= b;
}
template <int N>
Dual<N> operator/(Dual<N> a, double b) {
  return a /= b;
}
template <int N>
Dual<N> operator/(double b, const Dual<N>& a) {
  return Dual<N>(b) / a;
}
template <int N>
Dual<N> operator-(Dual<N> a) {
  return a *= -1.0;
}
template <int N>
bool operator<(const Dual<N>& a, const Dual<N>& b) {
  return a.v < b.v;
}

template <int N>
Dual<N> chain(const Dual<N>& x, double value, double derivative) {
  Dual<N> y(value);
  for (int i = 0; i < N; ++i) y.d[i] = derivative * x.d[i];
  return y;
}

template <int N>
Dual<N> log(const Dual<N>& x) {
  return chain(x, std::log(x.v), 1.0 / x.v);
}
template <int N>
Dual<N> log1p(const Dual<N>& x) {
  return chain(x, std::log1p(x.v), 1.0 / (1.0 + x.v));
}
template <int N>
Dual<N> exp(const Dual<N>& x) {
  const double e = std::exp(x.v);
  return chain(x, e, e);
}
template <int N>
Dual<N> expm1(const Dual<N>& x) {
  return chain(x, std::expm1(x.v), std::exp(x.v));
}
template <int N>
Dual<N> lgamma(const Dual<N>& x) {
  return chain(x, std::lgamma(x.v), boost::math::digamma(x.v));
}

// Uniform access to the value of a double or a Dual in templated code.
inline double value_of(double x) {
  return x;
}
template <int N>
double value_of(const Dual<N>& x) {
  return x.v;
}

}  // namespace clv::math
