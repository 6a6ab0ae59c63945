// Chebyshev interpolation of a smooth function of time T >= 0 in the variable
// u = log(shift + T), for sums over a million customers of a function that
// costs a hypergeometric series or a quadrature per call (the fit check's
// E[X(T)] and P(X(T) = 0)).
//
// The count models' functions of T are analytic except at T = -shift (for
// shift the smallest of the scale parameters alpha, beta) and at negative
// T beyond it; in u those points are at u = -infinity or Im u = pi, so the
// function of u is analytic in the strip |Im u| < pi and its Chebyshev
// coefficients fall geometrically (about 1e-14 within 40 nodes for T over
// [0, 1000] and shift ~ 1). The interpolant is only accepted after it has
// been checked against the function itself at the points halfway between the
// nodes (and at both ends), with the node count doubled until it passes;
// `build` returns false when it never does or the function is not finite
// somewhere, and the caller then evaluates the function directly.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace clv::math {

class LogChebyshev {
 public:
  // Interpolates f on [lo, hi] (0 <= lo <= hi, shift + lo > 0). Accepted when
  // |p(T) - f(T)| <= rel_tol |f(T)| + abs_floor * max|f| at every check
  // point; the node count doubles from 16 up to max_nodes.
  template <class F>
  bool build(F&& f, double shift, double lo, double hi, double rel_tol = 1e-12,
             double abs_floor = 1e-14, int max_nodes = 256) {
    coeffs_.clear();
    if (!(shift + lo > 0) || !(hi >= lo) || !std::isfinite(hi) || !std::isfinite(shift)) {
      return false;
    }
    shift_ = shift;
    u_lo_ = std::log(shift + lo);
    const double u_hi = std::log(shift + hi);
    half_ = 0.5 * (u_hi - u_lo_);
    if (!(half_ > 0)) {  // a single point: the constant
      const double v = f(lo);
      if (!std::isfinite(v)) return false;
      coeffs_.assign(1, v);
      half_ = 1.0;
      return true;
    }
    mid_ = u_lo_ + half_;
    const auto time_of = [&](double y) {
      // Clamp: rounding in exp/log must not step outside [lo, hi].
      return std::clamp(std::exp(mid_ + half_ * y) - shift, lo, hi);
    };
    for (int n = 16; n <= max_nodes; n *= 2) {
      std::vector<double> values(static_cast<size_t>(n));
      double scale = 0;
      for (int j = 0; j < n; ++j) {
        const double y = std::cos(std::numbers::pi * (j + 0.5) / n);
        values[static_cast<size_t>(j)] = f(time_of(y));
        if (!std::isfinite(values[static_cast<size_t>(j)])) return false;
        scale = std::max(scale, std::abs(values[static_cast<size_t>(j)]));
      }
      coeffs_.assign(static_cast<size_t>(n), 0.0);
      for (int k = 0; k < n; ++k) {
        double s = 0;
        for (int j = 0; j < n; ++j) {
          s += values[static_cast<size_t>(j)] * std::cos(std::numbers::pi * k * (j + 0.5) / n);
        }
        coeffs_[static_cast<size_t>(k)] = (k == 0 ? 1.0 : 2.0) * s / n;
      }
      // Check halfway between the nodes, at both ends included.
      bool ok = true;
      for (int j = 0; j <= n && ok; ++j) {
        const double y = std::cos(std::numbers::pi * j / n);
        const double T = time_of(y);
        const double exact = f(T);
        if (!std::isfinite(exact)) return false;
        scale = std::max(scale, std::abs(exact));
        ok = std::abs((*this)(T)-exact) <= rel_tol * std::abs(exact) + abs_floor * scale;
      }
      if (ok) return true;
    }
    coeffs_.clear();
    return false;
  }

  bool ready() const { return !coeffs_.empty(); }
  int nodes() const { return static_cast<int>(coeffs_.size()); }

  // The interpolant at T (inside the built range).
  double operator()(double T) const { return at_u(std::log(shift_ + T)); }

  // The interpolant at u = log(shift + T): callers with several interpolants
  // on the same shift and range take the log once.
  double at_u(double u) const {
    const double y = (u - mid_) / half_;
    const double y2 = 2.0 * y;
    double b1 = 0, b2 = 0;
    for (size_t k = coeffs_.size(); k-- > 1;) {
      const double b0 = coeffs_[k] + y2 * b1 - b2;
      b2 = b1;
      b1 = b0;
    }
    return coeffs_[0] + y * b1 - b2;
  }

  double shift() const { return shift_; }

 private:
  std::vector<double> coeffs_;
  double shift_ = 1, u_lo_ = 0, mid_ = 0, half_ = 1;
};

}  // namespace clv::math
