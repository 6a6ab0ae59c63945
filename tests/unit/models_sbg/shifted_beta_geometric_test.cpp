// sBG: Fader & Hardie (2007) regular / high-end fits, exact gradient,
// survival identities, DERL closed form vs direct sum, recovery.
#include "models/shifted_beta_geometric.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/mle_fitter.hpp"

namespace clv {
namespace {

const std::vector<double> kRegular{1000, 869, 743, 653, 593, 551, 517, 491};
const std::vector<double> kHighEnd{1000, 631, 468, 382, 326, 289, 262, 241};

void expect_fit(const std::vector<double>& survivors, double alpha, double beta) {
  SbgModel model(sbg_data_from_survivors(survivors));
  const FitResult fit = maximize_likelihood(model, FitOptions{}, "sbg");
  ASSERT_TRUE(fit.converged);
  EXPECT_NEAR(fit.params[0], alpha, 0.005 * alpha);
  EXPECT_NEAR(fit.params[1], beta, 0.005 * beta);
  EXPECT_EQ(fit.n_customers, 1000.0);
}

TEST(Sbg, RegularCustomersPublishedFit) {
  expect_fit(kRegular, 0.668, 3.806);
}
TEST(Sbg, HighEndCustomersPublishedFit) {
  expect_fit(kHighEnd, 0.704, 1.182);
}

TEST(Sbg, CustomerRowsAggregateToTheSameLikelihood) {
  std::vector<std::pair<int, bool>> customers;
  for (size_t t = 1; t < kRegular.size(); ++t) {
    for (int i = 0; i < kRegular[t - 1] - kRegular[t]; ++i) customers.push_back({int(t), true});
  }
  for (int i = 0; i < kRegular.back(); ++i) customers.push_back({7, false});
  customers.push_back({0, false});  // active, not yet one period old: no information
  const SbgParams p{0.668, 3.806};
  EXPECT_NEAR(sbg_log_likelihood(p, sbg_data_from_customers(customers)),
              sbg_log_likelihood(p, sbg_data_from_survivors(kRegular)), 1e-9);
}

TEST(Sbg, GradientMatchesFiniteDifferences) {
  const SbgData data = sbg_data_from_survivors(kHighEnd);
  const SbgParams p{0.9, 2.5};
  double grad[2];
  sbg_log_likelihood(p, data, grad);
  const double h = 1e-6;
  const double fd_a = (sbg_log_likelihood({p.alpha * std::exp(h), p.beta}, data) -
                       sbg_log_likelihood({p.alpha * std::exp(-h), p.beta}, data)) /
                      (2 * h);
  const double fd_b = (sbg_log_likelihood({p.alpha, p.beta * std::exp(h)}, data) -
                       sbg_log_likelihood({p.alpha, p.beta * std::exp(-h)}, data)) /
                      (2 * h);
  EXPECT_NEAR(grad[0], fd_a, 1e-6 * std::abs(fd_a));
  EXPECT_NEAR(grad[1], fd_b, 1e-6 * std::abs(fd_b));
}

TEST(Sbg, SurvivalRetentionAndChurnAgree) {
  const SbgParams p{0.704, 1.182};
  EXPECT_DOUBLE_EQ(sbg_survival(p, 0), 1.0);
  EXPECT_NEAR(sbg_churn_probability(p, 1), p.alpha / (p.alpha + p.beta), 1e-15);
  double s = 1.0;
  for (int t = 1; t <= 50; ++t) {
    s -= sbg_churn_probability(p, t);
    EXPECT_NEAR(sbg_survival(p, t), s, 1e-12);
    EXPECT_NEAR(sbg_retention_rate(p, t), sbg_survival(p, t) / sbg_survival(p, t - 1), 1e-12);
  }
  // Heterogeneity makes retention rise with tenure.
  EXPECT_LT(sbg_retention_rate(p, 1), sbg_retention_rate(p, 10));
}

TEST(Sbg, DerlClosedFormMatchesDirectSum) {
  const SbgParams p{0.668, 3.806};
  for (int renewals : {0, 1, 4, 200}) {
    const double d = 0.1, n = renewals + 1.0;
    double sum = 0.0;
    for (int t = renewals + 1; t < renewals + 3000; ++t) {
      sum += sbg_survival(p, t) / sbg_survival(p, renewals) * std::pow(1 + d, -(t - n));
    }
    EXPECT_NEAR(sbg_derl(p, renewals, d), sum, 1e-9 * sum) << renewals;
  }
  EXPECT_THROW(sbg_derl(p, 1, 0.0), Error);
}

TEST(Sbg, SimulationRecoversParameters) {
  const SbgParams truth{0.8, 2.5};
  SbgModel model(simulate_sbg(truth, 20000, 10, 3));
  const FitResult fit = maximize_likelihood(model, FitOptions{}, "sbg");
  ASSERT_TRUE(fit.converged);
  EXPECT_NEAR(fit.params[0], truth.alpha, 3 * fit.std_errors[0]);
  EXPECT_NEAR(fit.params[1], truth.beta, 3 * fit.std_errors[1]);
}

TEST(Sbg, BadInputIsRejected) {
  EXPECT_THROW(sbg_data_from_survivors({1000}), Error);
  EXPECT_THROW(sbg_data_from_survivors({1000, 1200}), Error);
  EXPECT_THROW(sbg_data_from_customers({{0, true}}), Error);
  EXPECT_THROW(SbgModel(SbgData{{0.0}, {0.0}}), Error);
  // Extreme parameters stay finite.
  for (const SbgParams p : {SbgParams{1e-3, 1e3}, SbgParams{1e3, 1e-3}}) {
    double grad[2];
    EXPECT_TRUE(std::isfinite(sbg_log_likelihood(p, sbg_data_from_survivors(kRegular), grad)));
    EXPECT_TRUE(std::isfinite(grad[0]) && std::isfinite(grad[1]));
    EXPECT_TRUE(std::isfinite(sbg_derl(p, 1000, 0.1)));
  }
}

}  // namespace
}  // namespace clv
