// BG/BB: the published donations fit, exact gradient, prediction identities
// (population averages, closed-form vs summed DERT) and simulation recovery.
#include "models/bg_bb.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/mle_fitter.hpp"

namespace clv {
namespace {

const BgBbParams kDonations{1.204, 0.750, 0.657, 2.783};

std::vector<BgBbRow> load_donations() {
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) + "/donations/donations.csv");
  std::vector<BgBbRow> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    BgBbRow w;
    char comma;
    std::stringstream(line) >> w.x >> comma >> w.t_x >> comma >> w.n >> comma >> w.weight;
    rows.push_back(w);
  }
  return rows;
}

TEST(BgBb, DonationsLogLikelihoodAtPublishedParameters) {
  const auto rows = load_donations();
  ASSERT_EQ(rows.size(), 22u);
  BgBbModel model(rows);
  EXPECT_EQ(model.n_customers(), 11104.0);
  Eigen::VectorXd theta(4);
  theta << std::log(kDonations.alpha), std::log(kDonations.beta), std::log(kDonations.gamma),
      std::log(kDonations.delta);
  EXPECT_NEAR(model.log_likelihood(theta, nullptr), -33225.6, 0.1);
}

TEST(BgBb, DonationsFitReproducesPublishedEstimates) {
  BgBbModel model(load_donations());
  const FitResult fit = maximize_likelihood(model, FitOptions{}, "bgbb");
  ASSERT_TRUE(fit.converged);
  EXPECT_NEAR(fit.log_likelihood, -33225.6, 0.1);
  const double published[4] = {kDonations.alpha, kDonations.beta, kDonations.gamma,
                               kDonations.delta};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(fit.params[i], published[i], 0.005 * published[i]) << fit.param_names[i];
  }
}

TEST(BgBb, GradientMatchesFiniteDifferences) {
  const double rows[][3] = {{0, 0, 6}, {3, 5, 6}, {6, 6, 6}, {2, 10, 40}, {1, 1, 200}};
  for (const auto& w : rows) {
    double grad[4];
    bgbb_log_likelihood(kDonations, w[0], w[1], w[2], grad);
    for (int i = 0; i < 4; ++i) {
      const double h = 1e-6;
      BgBbParams up = kDonations, down = kDonations;
      double* pu[4] = {&up.alpha, &up.beta, &up.gamma, &up.delta};
      double* pd[4] = {&down.alpha, &down.beta, &down.gamma, &down.delta};
      *pu[i] *= std::exp(h);
      *pd[i] *= std::exp(-h);
      const double fd = (bgbb_log_likelihood(up, w[0], w[1], w[2]) -
                         bgbb_log_likelihood(down, w[0], w[1], w[2])) /
                        (2 * h);
      EXPECT_NEAR(grad[i], fd, 1e-6 * std::max(1.0, std::abs(fd)));
    }
  }
}

TEST(BgBb, LikelihoodsOfAllPatternsSumToOne) {
  // For n opportunities the patterns (x, t_x) are exhaustive; their
  // probabilities times the number of sequences per pattern C(t_x - 1, x - 1) sum to 1.
  const int n = 8;
  double total = std::exp(bgbb_log_likelihood(kDonations, 0, 0, n));
  for (int t_x = 1; t_x <= n; ++t_x) {
    for (int x = 1; x <= t_x; ++x) {
      const double sequences =
          std::exp(std::lgamma(t_x) - std::lgamma(x) - std::lgamma(t_x - x + 1));
      total += sequences * std::exp(bgbb_log_likelihood(kDonations, x, t_x, n));
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(BgBb, PredictionsAverageToUnconditionalQuantities) {
  const int n = 6, future = 5;
  const auto sim = simulate_bgbb(kDonations, std::vector<int>(200000, n), 11);
  BgBbModel model(sim);  // collapses to a few dozen patterns
  double alive = 0.0, cond = 0.0, total_x = 0.0;
  for (const auto& w : model.rows()) {
    alive += w.weight * bgbb_p_alive(kDonations, w.x, w.t_x, w.n);
    cond += w.weight * bgbb_conditional_expected(kDonations, w.x, w.t_x, w.n, future);
    total_x += w.weight * w.x;
  }
  const double N = model.n_customers();
  // Unconditional survival to opportunity n + 1: B(gamma, delta + n + 1) / B(gamma, delta).
  const double survival =
      std::exp(std::lgamma(kDonations.delta + n + 1) -
               std::lgamma(kDonations.gamma + kDonations.delta + n + 1) +
               std::lgamma(kDonations.gamma + kDonations.delta) - std::lgamma(kDonations.delta));
  // Law of total expectation; tolerances are ~4 sampling SEs for N = 200k.
  EXPECT_NEAR(alive / N, survival, 0.004);
  EXPECT_NEAR(cond / N, bgbb_expected(kDonations, n + future) - bgbb_expected(kDonations, n),
              0.012);
  EXPECT_NEAR(total_x / N, bgbb_expected(kDonations, n), 0.01);
}

TEST(BgBb, DertClosedFormMatchesLongSum) {
  for (const auto& w : std::vector<std::array<double, 3>>{{0, 0, 6}, {4, 6, 6}, {2, 3, 6}}) {
    const double closed = bgbb_dert(kDonations, w[0], w[1], w[2], 0.1);
    const double summed = bgbb_dert(kDonations, w[0], w[1], w[2], 0.1, 2000);
    EXPECT_NEAR(closed, summed, 1e-10 * summed);
    EXPECT_NEAR(bgbb_dert(kDonations, w[0], w[1], w[2], 0.0, 5),
                bgbb_conditional_expected(kDonations, w[0], w[1], w[2], 5), 1e-12);
  }
  EXPECT_THROW(bgbb_dert(kDonations, 1, 1, 6, 0.0), Error);
  // Scorer split: P(alive) * alive-conditional part = conditional quantities.
  for (const auto& w : std::vector<std::array<double, 3>>{{0, 0, 6}, {4, 6, 6}, {2, 3, 6}}) {
    const double pa = bgbb_p_alive(kDonations, w[0], w[1], w[2]);
    EXPECT_NEAR(pa * bgbb_expected_if_alive(kDonations, w[0], w[2], 5.5),
                bgbb_conditional_expected(kDonations, w[0], w[1], w[2], 5), 1e-12);
    EXPECT_NEAR(pa * bgbb_discounted_if_alive(kDonations, w[0], w[2], 30, std::log1p(0.1)),
                bgbb_dert(kDonations, w[0], w[1], w[2], 0.1, 30), 1e-12);
  }
}

TEST(BgBb, SimulationRecoversParameters) {
  const BgBbParams truth{1.5, 0.9, 0.5, 2.0};
  std::vector<int> n;
  for (int i = 0; i < 30000; ++i) n.push_back(6 + i % 5);
  BgBbModel model(simulate_bgbb(truth, n, 5));
  const FitResult fit = maximize_likelihood(model, FitOptions{}, "bgbb");
  ASSERT_TRUE(fit.converged);
  const double t[4] = {truth.alpha, truth.beta, truth.gamma, truth.delta};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(fit.params[i], t[i], 3 * fit.std_errors[i]) << fit.param_names[i];
  }
}

TEST(BgBb, StressAndBadInput) {
  const BgBbParams extreme[] = {kDonations, {1e-3, 50, 40, 1e-3}, {300, 0.01, 0.01, 300}};
  for (const auto& p : extreme) {
    for (const auto& w : std::vector<std::array<double, 3>>{
             {0, 0, 1000}, {1000, 1000, 1000}, {500, 999, 1000}, {1, 1, 1}}) {
      double grad[4];
      EXPECT_TRUE(std::isfinite(bgbb_log_likelihood(p, w[0], w[1], w[2], grad)));
      for (double g : grad) EXPECT_TRUE(std::isfinite(g));
      const double pa = bgbb_p_alive(p, w[0], w[1], w[2]);
      EXPECT_TRUE(pa >= 0.0 && pa <= 1.0) << pa;
      EXPECT_TRUE(std::isfinite(bgbb_dert(p, w[0], w[1], w[2], 0.1)));
    }
  }
  EXPECT_THROW(BgBbModel(std::vector<BgBbRow>{{3, 2, 6, 1}}), Error);  // x > t_x
  EXPECT_THROW(BgBbModel(std::vector<BgBbRow>{{1, 7, 6, 1}}), Error);  // t_x > n
  EXPECT_THROW(BgBbModel(std::vector<BgBbRow>{{1, 1, 6, 0}}), Error);  // zero weight
  EXPECT_THROW(BgBbModel(std::vector<BgBbRow>{}), Error);
}

}  // namespace
}  // namespace clv
