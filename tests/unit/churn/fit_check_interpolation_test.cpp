// The fit check's E[X(T)] and P(X(T) = 0) from Chebyshev interpolants in
// log(shift + T) (math/chebyshev.hpp) against the functions themselves over
// T in [0, 1000], and the fit check's totals against per-row evaluation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "clv/fit_check.hpp"
#include "math/chebyshev.hpp"
#include "models/bg_nbd.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

// T = 0 and 1000, `logs` + 1 log-spaced 1e-4 .. 1000 and `uniform` uniform on
// [0, 1000] (fewer for Pareto/NBD, whose P(X = 0) is an adaptive quadrature).
std::vector<double> stress_times(int logs, int uniform) {
  std::vector<double> t{0.0, 1000.0};
  for (int i = 0; i <= logs; ++i) t.push_back(1e-4 * std::pow(10.0, 7.0 * i / logs));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1000.0);
  for (int i = 0; i < uniform; ++i) t.push_back(u(rng));
  return t;
}

// Max relative error of the interpolant of f over [0, 1000]. Values below
// 1e-4 of the largest (E[X(T)] within ~1e-3 of T = 0, where 1 - 2F1 term
// itself keeps only absolute digits) are measured against 1e-4 of the
// largest, so there the bound 1e-9 means an absolute error below 1e-13 of it.
template <class F>
double max_relative_error(F f, double shift, int* nodes, int logs = 350, int uniform = 300) {
  math::LogChebyshev cheb;
  EXPECT_TRUE(cheb.build(f, shift, 0.0, 1000.0));
  if (!cheb.ready()) return INFINITY;
  *nodes = cheb.nodes();
  const std::vector<double> times = stress_times(logs, uniform);
  double scale = 0;
  for (double T : times) scale = std::max(scale, std::abs(f(T)));
  double worst = 0;
  for (double T : times) {
    const double exact = f(T), approx = cheb(T);
    EXPECT_TRUE(std::isfinite(approx)) << T;
    worst = std::max(worst, std::abs(approx - exact) / std::max(std::abs(exact), 1e-4 * scale));
  }
  return worst;
}

TEST(FitCheckInterpolation, BgNbdExpectedAndZeroShareMatchTheSeries) {
  // CDNOW's fit, extreme shapes, a ~ 1 (the integral path) and MBG/NBD.
  const BgNbdParams grid[] = {{0.243, 4.414, 0.793, 2.426}, {5.0, 0.05, 0.3, 20.0},
                              {0.05, 200.0, 4.0, 0.2},      {1.2, 1.0, 1.0004, 3.0},
                              {0.7, 12.0, 0.9, 0.9},        {30.0, 3.0, 15.0, 60.0}};
  for (const BgNbdParams& p : grid) {
    for (BgNbdVariant v : {BgNbdVariant::kBgNbd, BgNbdVariant::kMbgNbd}) {
      int nodes = 0;
      const double e = max_relative_error(
          [&](double T) { return bgnbd_expected_purchases(p, v, T); }, p.alpha, &nodes);
      EXPECT_LE(e, 1e-9) << "E[X(T)] r=" << p.r << " alpha=" << p.alpha << " a=" << p.a
                         << " b=" << p.b << " nodes " << nodes;
      const double z = max_relative_error(
          [&](double T) { return bgnbd_probability_of_purchases(p, v, T, 0); }, p.alpha, &nodes);
      EXPECT_LE(z, 1e-9) << "P(X=0) r=" << p.r << " alpha=" << p.alpha << " nodes " << nodes;
    }
  }
}

TEST(FitCheckInterpolation, ParetoNbdExpectedAndZeroShareMatchTheQuadrature) {
  const ParetoNbdParams grid[] = {{0.553, 10.58, 0.606, 11.67},
                                  {5.0, 0.05, 3.0, 400.0},
                                  {0.05, 300.0, 0.1, 0.05},
                                  {1.0, 1.0, 1.0, 1.0},
                                  {20.0, 2.0, 8.0, 30.0}};
  for (const ParetoNbdParams& p : grid) {
    const double shift = std::min(p.alpha, p.beta);
    int nodes = 0;
    const double e =
        max_relative_error([&](double T) { return pnbd_expected(p, T); }, shift, &nodes, 120, 100);
    EXPECT_LE(e, 1e-9) << "E[X(T)] r=" << p.r << " alpha=" << p.alpha << " s=" << p.s
                       << " beta=" << p.beta << " nodes " << nodes;
    const double z = max_relative_error([&](double T) { return pnbd_probability_of_n(p, T, 0); },
                                        shift, &nodes, 120, 100);
    EXPECT_LE(z, 1e-9) << "P(X=0) r=" << p.r << " alpha=" << p.alpha << " s=" << p.s
                       << " beta=" << p.beta << " nodes " << nodes;
  }
}

TEST(FitCheckInterpolation, ASinglePointIsItsValue) {
  math::LogChebyshev cheb;
  ASSERT_TRUE(cheb.build([](double T) { return 3.0 * T; }, 1.0, 5.0, 5.0));
  EXPECT_EQ(cheb(5.0), 15.0);
  // Not finite somewhere: refused, so the caller evaluates directly.
  EXPECT_FALSE(cheb.build([](double T) { return T > 1 ? NAN : T; }, 1.0, 0.0, 10.0));
  EXPECT_FALSE(cheb.ready());
}

// check_fit's totals (interpolated above 4096 rows) against the per-row sums.
TEST(FitCheckInterpolation, TotalsEqualPerRowEvaluation) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> age(0.0, 1000.0), frac(0.0, 1.0);
  RfmData data;
  for (int i = 0; i < 30000; ++i) {
    const double T = i == 0 ? 0.0 : age(rng);
    const double x = std::floor(frac(rng) * 6.0) * (i % 3 == 0 ? 0.0 : 1.0);
    data.x.push_back(x);
    data.t_x.push_back(x > 0 ? T * frac(rng) : 0.0);
    data.T.push_back(T);
  }
  for (const char* model : {"bgnbd", "mbgnbd", "pnbd"}) {
    FitResult fit;
    fit.model = model;
    fit.params = {0.243, 4.414, 0.793, 2.426};
    const FitCheck check = check_fit(fit, data);
    ASSERT_TRUE(check.supported);
    double expected = 0, zero = 0;
    const BgNbdVariant v = fit.model == "mbgnbd" ? BgNbdVariant::kMbgNbd : BgNbdVariant::kBgNbd;
    const BgNbdParams bp{0.243, 4.414, 0.793, 2.426};
    const ParetoNbdParams pp{0.243, 4.414, 0.793, 2.426};
    for (double T : data.T) {
      expected += fit.model == "pnbd" ? pnbd_expected(pp, T) : bgnbd_expected_purchases(bp, v, T);
      zero += fit.model == "pnbd" ? pnbd_probability_of_n(pp, T, 0)
                                  : bgnbd_probability_of_purchases(bp, v, T, 0);
    }
    EXPECT_NEAR(check.expected_repeat, expected, 1e-9 * expected) << model;
    EXPECT_NEAR(check.expected_zero_share, zero / data.size(), 1e-9 * zero / data.size()) << model;
  }
}

}  // namespace
}  // namespace clv
