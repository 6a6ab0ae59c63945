// The analytic Hessian of the BG/NBD and MBG/NBD likelihoods (used for
// Newton steps and standard errors) against central differences of the
// analytic gradient, on continuous-time data with almost one row per customer.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "models/bg_nbd.hpp"
#include "models/rfm_rows.hpp"

namespace clv {
namespace {

TEST(BgNbdHessian, MatchesGradientDifferences) {
  std::vector<double> T(3000);
  for (size_t i = 0; i < T.size(); ++i) T[i] = 26.0 + 13.0 * static_cast<double>(i) / T.size();
  const BgNbdParams truth{0.243, 4.414, 0.793, 2.426};
  for (BgNbdVariant v : {BgNbdVariant::kBgNbd, BgNbdVariant::kMbgNbd}) {
    const SimulatedRfm sim = simulate_bgnbd(truth, v, T, 42);
    BgNbdLikelihood model(collapse_rfm(sim.x, sim.t_x, sim.T), v, 1);
    ASSERT_TRUE(model.has_hessian());
    Eigen::VectorXd theta(4);
    theta << std::log(0.3), std::log(5.0), std::log(0.6), std::log(3.1);
    Eigen::MatrixXd h;
    ASSERT_TRUE(model.hessian(theta, h));
    for (int j = 0; j < 4; ++j) {
      const double step = 1e-5;
      Eigen::VectorXd up = theta, down = theta, g_up(4), g_down(4);
      up[j] += step;
      down[j] -= step;
      model.log_likelihood(up, &g_up);
      model.log_likelihood(down, &g_down);
      const Eigen::VectorXd column = (g_up - g_down) / (2 * step);
      for (int i = 0; i < 4; ++i) {
        EXPECT_NEAR(h(i, j), column[i], 1e-6 * std::max(1.0, std::abs(column[i])))
            << "variant " << static_cast<int>(v) << " entry " << i << "," << j;
      }
    }
  }
}

}  // namespace
}  // namespace clv
