// Pareto/NBD: published CDNOW fit, exact gradient, stability against an
// independent quadrature of the likelihood's death-time integral, and
// prediction identities checked against simulation and closed forms.
#include "models/pareto_nbd.hpp"

#include <cmath>
#include <numeric>

#include <gtest/gtest.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "clv/error.hpp"
#include "models/mle_fitter.hpp"
#include "unit/models_pnbd/cdnow_rows.hpp"

namespace clv {
namespace {

const ParetoNbdParams kCdnow{0.553, 10.578, 0.606, 11.669};

// Independent reference: L = Gamma(r+x) alpha^r beta^s / Gamma(r) *
//   [(alpha+T)^-(r+x) (beta+T)^-s + s int_{t_x}^T (alpha+u)^-(r+x) (beta+u)^-(s+1) du],
// the integral by Gauss-Kronrod on a scaled variable, all in log space.
double reference_log_likelihood(const ParetoNbdParams& p, double x, double t_x, double T) {
  const double rx = p.r + x;
  const double head =
      std::lgamma(rx) - std::lgamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta);
  const double log_alive = -rx * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
  if (t_x >= T) return head + log_alive;
  const double log_peak = -rx * std::log(p.alpha + t_x) - (p.s + 1) * std::log(p.beta + t_x);
  // u = t_x + w * width: the integrand decays on the scale of `width`.
  const double width = 1.0 / (rx / (p.alpha + t_x) + (p.s + 1) / (p.beta + t_x));
  auto f = [&](double w) {
    const double u = t_x + w * width;
    return std::exp(-rx * std::log(p.alpha + u) - (p.s + 1) * std::log(p.beta + u) - log_peak);
  };
  const double w_end = (T - t_x) / width;
  double integral = 0.0;
  for (double a = 0.0, b = std::min(1.0, w_end); a < w_end; a = b, b = std::min(b * 4, w_end)) {
    integral += boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, a, b, 12, 1e-13);
  }
  const double log_died = std::log(p.s) + log_peak + std::log(integral) + std::log(width);
  const double m = std::max(log_alive, log_died);
  return head + m + std::log(std::exp(log_alive - m) + std::exp(log_died - m));
}

TEST(ParetoNbd, CdnowLogLikelihoodAtPublishedParameters) {
  const auto rows = testing_support::load_cdnow_rows();
  ASSERT_EQ(rows.size(), 2357u);
  double ll = 0.0;
  for (const auto& w : rows) ll += pnbd_log_likelihood(kCdnow, w.x, w.t_x, w.T);
  EXPECT_NEAR(ll, -9595.0, 0.1);
  ParetoNbdModel model(rows);
  Eigen::VectorXd theta(4);
  theta << std::log(kCdnow.r), std::log(kCdnow.alpha), std::log(kCdnow.s), std::log(kCdnow.beta);
  EXPECT_NEAR(model.log_likelihood(theta, nullptr), ll, 1e-8);
  EXPECT_LT(model.n_rows(), 2357u);  // identical customers were collapsed
  EXPECT_EQ(model.n_customers(), 2357.0);
  // Published parameters are rounded to 3-4 s.f.: the gradient must be small
  // on the scale of what that rounding can produce (|dLL/dlog p| * 5e-4 << 0.1).
  Eigen::VectorXd grad(4);
  model.log_likelihood(theta, &grad);
  EXPECT_LT(grad.cwiseAbs().maxCoeff(), 20.0) << grad.transpose();
}

TEST(ParetoNbd, CdnowMaximumLikelihoodReproducesPublishedFit) {
  ParetoNbdModel model(testing_support::load_cdnow_rows());
  const FitResult fit = maximize_likelihood(model, FitOptions{}, "pnbd");
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.log_likelihood, -9595.0, 0.1);
  EXPECT_EQ(fit.param_names, (std::vector<std::string>{"r", "alpha", "s", "beta"}));
  const double published[4] = {kCdnow.r, kCdnow.alpha, kCdnow.s, kCdnow.beta};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(fit.params[i], published[i], 0.005 * published[i]) << "param " << i;
  }
}

TEST(ParetoNbd, GradientMatchesFiniteDifferences) {
  const ParetoNbdParams cases[] = {
      kCdnow, {0.9, 3.0, 1.4, 15.0}, {2.0, 20.0, 0.3, 1.5}, {0.5, 7.0, 0.8, 7.0}};
  const double rows[][3] = {{0, 0, 38.86}, {2, 30.43, 38.86}, {14, 5.0, 30.0}, {300, 50, 52}};
  for (const auto& p : cases) {
    for (const auto& w : rows) {
      double grad[4];
      const double ll = pnbd_log_likelihood(p, w[0], w[1], w[2], grad);
      EXPECT_NEAR(ll, pnbd_log_likelihood(p, w[0], w[1], w[2]), 1e-12);
      for (int i = 0; i < 4; ++i) {
        const double h = 1e-6;
        ParetoNbdParams up = p, down = p;
        double* pu[4] = {&up.r, &up.alpha, &up.s, &up.beta};
        double* pd[4] = {&down.r, &down.alpha, &down.s, &down.beta};
        *pu[i] *= std::exp(h);
        *pd[i] *= std::exp(-h);
        const double fd = (pnbd_log_likelihood(up, w[0], w[1], w[2]) -
                           pnbd_log_likelihood(down, w[0], w[1], w[2])) /
                          (2 * h);
        EXPECT_NEAR(grad[i], fd, 1e-6 * std::max(1.0, std::abs(fd)))
            << "param " << i << " x=" << w[0];
      }
    }
  }
}

TEST(ParetoNbd, StressCasesAreFiniteAndMatchQuadrature) {
  const ParetoNbdParams params[] = {
      kCdnow,
      {0.553, 11.669, 0.606, 11.669},                // alpha == beta exactly
      {0.553, 11.669 * (1 + 1e-12), 0.606, 11.669},  // alpha ~ beta
      {0.553, 11.669 * (1 - 1e-9), 0.606, 11.669},
      {1e-3, 500.0, 50.0, 0.5},   // extreme, alpha >> beta
      {30.0, 0.05, 0.01, 500.0},  // extreme, alpha << beta
  };
  const double rows[][3] = {{5000, 999, 1000}, {5000, 1000, 1000}, {0, 0, 1000},
                            {1, 0.0001, 1000}, {3, 2.0, 2.0},      {40, 0.5, 600}};
  for (const auto& p : params) {
    for (const auto& w : rows) {
      const double ll = pnbd_log_likelihood(p, w[0], w[1], w[2]);
      ASSERT_TRUE(std::isfinite(ll)) << p.alpha << " " << w[0];
      EXPECT_NEAR(ll, reference_log_likelihood(p, w[0], w[1], w[2]),
                  std::max(1e-9 * std::abs(ll), 1e-12))
          << "alpha=" << p.alpha << " beta=" << p.beta << " x=" << w[0] << " t_x=" << w[1];
      double grad[4];
      pnbd_log_likelihood(p, w[0], w[1], w[2], grad);
      for (double g : grad) EXPECT_TRUE(std::isfinite(g));
      const double pa = pnbd_p_alive(p, w[0], w[1], w[2]);
      EXPECT_TRUE(pa >= 0.0 && pa <= 1.0);
      EXPECT_TRUE(std::isfinite(pnbd_conditional_expected(p, w[0], w[1], w[2], 52.0)));
    }
  }
  // Continuity across the alpha = beta switch of representation.
  const double at = pnbd_log_likelihood(params[1], 7, 20, 39);
  EXPECT_NEAR(pnbd_log_likelihood(params[2], 7, 20, 39), at, 1e-9);
  EXPECT_NEAR(pnbd_log_likelihood(params[3], 7, 20, 39), at, 1e-7);
}

TEST(ParetoNbd, PAliveIsOneAfterAPurchaseAtTAndFallsWithInactivity) {
  EXPECT_DOUBLE_EQ(pnbd_p_alive(kCdnow, 3, 38.86, 38.86), 1.0);
  double previous = 1.0;
  for (double t_x : {38.0, 30.0, 20.0, 10.0, 1.0}) {
    const double pa = pnbd_p_alive(kCdnow, 3, t_x, 38.86);
    EXPECT_LT(pa, previous);
    previous = pa;
  }
}

// Law of total expectation on a simulated cohort: the average P(alive) must be
// the unconditional survival (beta/(beta+T))^s and the average conditional
// expectation E[X(T+t)] - E[X(T)].
TEST(ParetoNbd, PredictionsAverageToUnconditionalQuantities) {
  const double T = 39.0, t = 52.0;
  const auto rows = simulate_pnbd(kCdnow, std::vector<double>(100000, T), 7);
  double sum_alive = 0.0, sum_cond = 0.0, sum_x = 0.0, sum_x2 = 0.0;
  for (const auto& w : rows) {
    sum_alive += pnbd_p_alive(kCdnow, w.x, w.t_x, w.T);
    sum_cond += pnbd_conditional_expected(kCdnow, w.x, w.t_x, w.T, t);
    sum_x += w.x;
    sum_x2 += w.x * w.x;
  }
  const double n = rows.size();
  const double mean_x = sum_x / n, sd_x = std::sqrt(sum_x2 / n - mean_x * mean_x);
  EXPECT_NEAR(mean_x, pnbd_expected(kCdnow, T), 3 * sd_x / std::sqrt(n));
  EXPECT_NEAR(sum_alive / n, std::pow(kCdnow.beta / (kCdnow.beta + T), kCdnow.s), 0.01);
  EXPECT_NEAR(sum_cond / n, pnbd_expected(kCdnow, T + t) - pnbd_expected(kCdnow, T),
              0.02 * pnbd_expected(kCdnow, t));
}

TEST(ParetoNbd, ProbabilityOfNSumsToOneWithTheRightMean) {
  const double t = 39.0;
  double total = 0.0, mean = 0.0;
  for (int k = 0; k < 400; ++k) {
    const double pk = pnbd_probability_of_n(kCdnow, t, k);
    ASSERT_TRUE(pk >= 0.0 && pk <= 1.0);
    total += pk;
    mean += k * pk;
  }
  EXPECT_NEAR(total, 1.0, 1e-8);
  EXPECT_NEAR(mean, pnbd_expected(kCdnow, t), 1e-4);
  // P(X(t)=0) closed form check: alive and no purchase + dead before any.
  EXPECT_GT(pnbd_probability_of_n(kCdnow, t, 0), 0.5);
}

TEST(ParetoNbd, DertMatchesClosedForms) {
  const double x = 2, t_x = 30.43, T = 38.86;
  // No discounting: DERT over H equals the conditional expectation over H.
  EXPECT_NEAR(pnbd_dert(kCdnow, x, t_x, T, 52.0, 0.0),
              pnbd_conditional_expected(kCdnow, x, t_x, T, 52.0), 1e-12);
  // Infinite horizon: int_0^inf e^{-d t} (B/(B+t))^s dt = B^s e^{dB} d^{s-1} Gamma(1-s, dB).
  const double delta = std::log(1.15) / 52.0, B = kCdnow.beta + T, s = kCdnow.s;
  const double closed = std::pow(B, s) * std::exp(delta * B) * std::pow(delta, s - 1) *
                        boost::math::tgamma(1 - s, delta * B);
  EXPECT_NEAR(pnbd_discounted_survival_integral(s, B, INFINITY, delta), closed, 1e-8 * closed);
  const auto scores = pnbd_score(kCdnow, {{x, t_x, T, 1}, {0, 0, T, 1}}, 520.0, delta);
  EXPECT_NEAR(scores[0].dert, pnbd_dert(kCdnow, x, t_x, T, 520.0, delta), 1e-12);
  EXPECT_NEAR(scores[0].expected_purchases, pnbd_conditional_expected(kCdnow, x, t_x, T, 520.0),
              1e-12);
  EXPECT_GT(scores[0].dert, scores[1].dert);
  EXPECT_THROW(pnbd_discounted_survival_integral(s, B, INFINITY, 0.0), Error);
}

// The model evaluates keys once and contracts per-key coefficients; its value
// and gradient must equal the plain per-row sums (value and Dual<4> gradient),
// on one thread and on two, at parameters with alpha > beta and alpha < beta.
TEST(ParetoNbd, ModelGradientEqualsSumOfRowGradients) {
  std::vector<double> T, T_daily;
  for (int i = 0; i < 9000; ++i) T.push_back(20.0 + i * 0.003);
  for (int i = 0; i < 9000; ++i) T_daily.push_back((91 + i % 365) / 7.0);
  std::vector<PnbdRow> rows = simulate_pnbd(kCdnow, T, 11);  // continuous: all distinct
  const std::vector<PnbdRow> daily = simulate_pnbd(kCdnow, T_daily, 12, 1.0 / 7.0);
  rows.insert(rows.end(), daily.begin(), daily.end());
  rows.push_back({3, 40, 40, 2});          // last purchase at T
  rows.push_back({2, 40 - 1e-13, 40, 1});  // t_x within rounding of T
  rows.push_back({4000, 700, 800, 1});     // x in the thousands, and tails of one x
  rows.push_back({4000, 790, 800, 1});     // far apart (the model's log-scale path)
  rows.push_back({4000, 20, 800, 1});
  rows.push_back({0, 0, 1e-3, 1});  // very short observation
  const ParetoNbdParams params[] = {kCdnow, {2.0, 3.0, 0.4, 30.0}, {0.3, 50.0, 2.5, 0.8}};
  for (const ParetoNbdParams& p : params) {
    double ll = 0.0, g[4] = {0, 0, 0, 0};
    for (const PnbdRow& w : rows) {
      double row_grad[4];
      ll += w.weight * pnbd_log_likelihood(p, w.x, w.t_x, w.T, row_grad);
      for (int j = 0; j < 4; ++j) g[j] += w.weight * row_grad[j];
    }
    Eigen::VectorXd theta(4);
    theta << std::log(p.r), std::log(p.alpha), std::log(p.s), std::log(p.beta);
    for (int threads : {1, 2}) {
      ParetoNbdModel model(rows, threads);
      ASSERT_GT(model.n_rows(), 8192u);  // enough rows to split across threads
      Eigen::VectorXd grad(4);
      EXPECT_NEAR(model.log_likelihood(theta, nullptr), ll, 1e-9 * std::abs(ll));
      EXPECT_NEAR(model.log_likelihood(theta, &grad), ll, 1e-9 * std::abs(ll));
      for (int j = 0; j < 4; ++j) {
        EXPECT_NEAR(grad[j], g[j], 1e-8 * (std::abs(g[j]) + std::abs(ll)))
            << "param " << j << " threads " << threads << " r=" << p.r;
      }
    }
  }
}

TEST(ParetoNbd, SimulationRecoversParameters) {
  const ParetoNbdParams truth{0.8, 8.0, 0.9, 12.0};
  std::vector<double> lengths;
  for (int i = 0; i < 8000; ++i) lengths.push_back(26.0 + (i % 27));  // 27 weekly cohorts
  ParetoNbdModel model(simulate_pnbd(truth, lengths, 42));
  const FitResult fit = maximize_likelihood(model, FitOptions{}, "pnbd");
  ASSERT_TRUE(fit.converged);
  const double t[4] = {truth.r, truth.alpha, truth.s, truth.beta};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(fit.params[i], t[i], 3 * fit.std_errors[i]) << "param " << i;
  }
}

TEST(ParetoNbd, RejectsBadRows) {
  EXPECT_THROW(ParetoNbdModel(std::vector<PnbdRow>{}), Error);
  EXPECT_THROW(ParetoNbdModel(std::vector<PnbdRow>{{1, 5, 4, 1}}), Error);  // t_x > T
  EXPECT_THROW(ParetoNbdModel(std::vector<PnbdRow>{{0, 1, 4, 1}}),
               Error);  // t_x > 0 without repeats
  EXPECT_THROW(ParetoNbdModel(std::vector<PnbdRow>{{1.5, 1, 4, 1}}), Error);  // fractional x
  EXPECT_THROW(ParetoNbdModel(std::vector<PnbdRow>{{1, 1, NAN, 1}}), Error);
  // A single customer and all-zero customers still give finite values.
  ParetoNbdModel zeros(std::vector<PnbdRow>{{0, 0, 10, 5}, {0, 0, 20, 1}});
  Eigen::VectorXd theta = zeros.start_params().array().log(), grad(4);
  EXPECT_TRUE(std::isfinite(zeros.log_likelihood(theta, &grad)));
}

}  // namespace
}  // namespace clv

namespace clv {
namespace {

// Scoring memoises the 2F1 tails per (x, t) key; the result must equal the
// direct per-customer formulas, also for repeated keys and extreme rows.
TEST(ParetoNbdScoring, CachedScoresEqualDirectFormulas) {
  std::vector<double> T;
  for (int i = 0; i < 3000; ++i) T.push_back((91 + i % 365) / 7.0);
  std::vector<PnbdRow> rows = simulate_pnbd(kCdnow, T, 7, 1.0 / 7.0);
  rows.push_back({5000, 900, 1000, 1});  // x in the thousands, old customer
  rows.push_back({3, 40, 40, 1});        // last purchase at T
  rows.push_back({0, 0, 1000, 1});
  const double delta = std::log(1.1) / 52.0;
  const auto scores = pnbd_score(kCdnow, rows, 52.0, delta);
  ASSERT_EQ(scores.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const PnbdRow& w = rows[i];
    const double alive = pnbd_p_alive(kCdnow, w.x, w.t_x, w.T);
    ASSERT_NEAR(scores[i].p_alive, alive, 1e-13 + 1e-12 * alive) << i;
    ASSERT_NEAR(scores[i].expected_purchases,
                pnbd_conditional_expected(kCdnow, w.x, w.t_x, w.T, 52.0),
                1e-12 * (1 + scores[i].expected_purchases))
        << i;
    ASSERT_NEAR(scores[i].dert, pnbd_dert(kCdnow, w.x, w.t_x, w.T, 52.0, delta),
                1e-10 * (1 + scores[i].dert))
        << i;
  }
  EXPECT_EQ(scores[rows.size() - 2].p_alive, 1.0);
}

}  // namespace
}  // namespace clv
