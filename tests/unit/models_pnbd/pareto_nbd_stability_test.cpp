// Pareto/NBD quantities at parameter points whose 2F1 argument is within
// 1e-7 of 1 (a what-if parameter draw, or a fit on its way to a boundary):
// the plain series needed more than 2 million terms there and ended in an
// internal "log_hyp2f1 did not converge" error (issue 13, item 13).
#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

// P(alive) from its definition, the died part by adaptive quadrature.
double reference_p_alive(const ParetoNbdParams& p, double x, double t_x, double T) {
  const double alive = std::pow(p.alpha + T, -(p.r + x)) * std::pow(p.beta + T, -p.s);
  // In w = log(m + u), m = min(alpha, beta), the integrand is smooth even
  // when m is 1e-7 (it falls by orders of magnitude near u = 0 otherwise).
  const double m = std::min(p.alpha, p.beta);
  auto g = [&](double w) {
    const double u = std::exp(w) - m;
    return std::pow(p.alpha + u, -(p.r + x)) * std::pow(p.beta + u, -(p.s + 1.0)) * std::exp(w);
  };
  const double died = p.s * boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
                                g, std::log(m + t_x), std::log(m + T), 15, 1e-14);
  return alive / (alive + died);
}

TEST(ParetoNbdStability, PAliveNearZEqualOneIsFiniteAndExact) {
  const std::vector<ParetoNbdParams> points = {{0.5, 1e-6, 0.8, 10.0},
                                               {0.5, 10.0, 0.8, 1e-6},
                                               {2.0, 1e-5, 0.05, 50.0},
                                               {0.3, 40.0, 3.0, 1e-7}};
  const double rows[][3] = {{0, 0, 30}, {0, 0, 0.5}, {3, 0.2, 30}, {1, 1e-6, 5}};
  for (const auto& p : points) {
    for (const auto& w : rows) {
      double value = -1;
      ASSERT_NO_THROW(value = pnbd_p_alive(p, w[0], w[1], w[2]))
          << "alpha=" << p.alpha << " beta=" << p.beta;
      const double ref = reference_p_alive(p, w[0], w[1], w[2]);
      EXPECT_TRUE(std::isfinite(value) && value >= 0 && value <= 1) << value;
      EXPECT_NEAR(value, ref, 1e-9 * std::max(ref, 1e-300) + 1e-12)
          << "alpha=" << p.alpha << " beta=" << p.beta << " x=" << w[0] << " T=" << w[2];
    }
  }
}

TEST(ParetoNbdStability, ScoringAndTheFitModelEvaluateEveryPoint) {
  const ParetoNbdParams p{0.5, 1e-6, 0.8, 10.0};
  const std::vector<PnbdRow> rows = {{0, 0, 30, 1}, {2, 5, 30, 1}, {0, 0, 0, 1}};
  std::vector<PnbdScore> scores;
  ASSERT_NO_THROW(scores = pnbd_score(p, rows, 52, 0.0));
  for (const auto& s : scores) {
    EXPECT_TRUE(std::isfinite(s.p_alive) && std::isfinite(s.expected_purchases));
  }
  EXPECT_EQ(scores[2].p_alive, 1.0);  // T = 0: nothing observed, scored from the prior
  ParetoNbdModel model(rows, 1);
  EXPECT_EQ(model.n_customers(), 2.0);  // the T = 0 customer carries no information
  Eigen::VectorXd theta(4), grad(4);
  theta << std::log(p.r), std::log(p.alpha), std::log(p.s), std::log(p.beta);
  const double ll = model.log_likelihood(theta, &grad);
  EXPECT_TRUE(std::isfinite(ll));
  EXPECT_TRUE(grad.allFinite());
}

}  // namespace
}  // namespace clv
