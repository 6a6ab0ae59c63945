#include "models/mle_fitter.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"

namespace clv {
namespace {

// Normal(mu, sigma) with both parameters positive: the MLE and its standard
// errors are known in closed form, so the fitter can be checked exactly.
class NormalModel : public LikelihoodModel {
 public:
  explicit NormalModel(std::vector<double> y) : y_(std::move(y)) {}
  const std::vector<std::string>& param_names() const override { return names_; }
  Eigen::VectorXd start_params() const override { return Eigen::Vector2d(1.0, 1.0); }
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override {
    const double mu = std::exp(theta[0]), sigma = std::exp(theta[1]);
    double ll = 0, dmu = 0, dsigma = 0;
    for (double y : y_) {
      const double z = (y - mu) / sigma;
      ll += -0.5 * z * z - std::log(sigma) - 0.5 * std::log(2 * M_PI);
      dmu += z / sigma;
      dsigma += z * z / sigma - 1.0 / sigma;
    }
    if (grad) *grad = Eigen::Vector2d(dmu * mu, dsigma * sigma);
    return ll;
  }
  double n_customers() const override { return static_cast<double>(y_.size()); }
  size_t n_rows() const override { return y_.size(); }

 private:
  std::vector<double> y_;
  std::vector<std::string> names_{"mu", "sigma"};
};

// Exponential(rate) on weighted rows: LL = sum w (log rate - rate y).
class WeightedExponential : public LikelihoodModel {
 public:
  WeightedExponential(std::vector<double> y, std::vector<double> w, double start = 1.0)
      : y_(std::move(y)), w_(std::move(w)), start_(start) {}
  const std::vector<std::string>& param_names() const override { return names_; }
  Eigen::VectorXd start_params() const override { return Eigen::VectorXd::Constant(1, start_); }
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override {
    const double rate = std::exp(theta[0]);
    double ll = 0, d = 0;
    for (size_t i = 0; i < y_.size(); ++i) {
      ll += w_[i] * (theta[0] - rate * y_[i]);
      d += w_[i] * (1.0 - rate * y_[i]);
    }
    if (grad) *grad = Eigen::VectorXd::Constant(1, d);
    return ll;
  }
  double n_customers() const override {
    double n = 0;
    for (double w : w_) n += w;
    return n;
  }
  size_t n_rows() const override { return y_.size(); }

 private:
  std::vector<double> y_, w_;
  double start_;
  std::vector<std::string> names_{"rate"};
};

// LL increases forever as the parameter grows: no maximum exists.
class Unbounded : public LikelihoodModel {
 public:
  const std::vector<std::string>& param_names() const override { return names_; }
  Eigen::VectorXd start_params() const override { return Eigen::VectorXd::Constant(1, 1.0); }
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override {
    if (grad) *grad = Eigen::VectorXd::Constant(1, 1.0);
    return theta[0];
  }
  double n_customers() const override { return 10; }
  size_t n_rows() const override { return 1; }

 private:
  std::vector<std::string> names_{"theta"};
};

TEST(MleFitter, NormalMatchesClosedFormEstimatesAndStandardErrors) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> dist(5.0, 2.0);
  std::vector<double> y(2000);
  for (double& v : y) v = dist(rng);
  double mean = 0, ss = 0;
  for (double v : y) mean += v;
  mean /= y.size();
  for (double v : y) ss += (v - mean) * (v - mean);
  const double sigma = std::sqrt(ss / y.size());

  const FitResult fit = maximize_likelihood(NormalModel(y), {}, "normal");
  ASSERT_TRUE(fit.converged);
  EXPECT_NEAR(fit.params[0], mean, 1e-6 * mean);
  EXPECT_NEAR(fit.params[1], sigma, 1e-6 * sigma);
  EXPECT_NEAR(fit.std_errors[0], sigma / std::sqrt(y.size()), 1e-4 * fit.std_errors[0]);
  EXPECT_NEAR(fit.std_errors[1], sigma / std::sqrt(2.0 * y.size()), 1e-4 * fit.std_errors[1]);
  // Off-diagonal: mu and sigma are independent for the normal.
  EXPECT_NEAR(fit.covariance[1], 0.0, 1e-3 * fit.std_errors[0] * fit.std_errors[1]);
  EXPECT_EQ(fit.param_names, (std::vector<std::string>{"mu", "sigma"}));
  const double ll = NormalModel(y).log_likelihood(
      Eigen::Vector2d(std::log(fit.params[0]), std::log(fit.params[1])), nullptr);
  EXPECT_DOUBLE_EQ(fit.log_likelihood, ll);
  EXPECT_NEAR(fit.aic, 4 - 2 * ll, 1e-9);
  EXPECT_NEAR(fit.bic, 2 * std::log(2000.0) - 2 * ll, 1e-9);
  EXPECT_EQ(fit.n_rows, 2000u);
  EXPECT_GT(fit.iterations, 0);
}

TEST(MleFitter, WeightedRowsEqualExpandedRows) {
  // Rows (y=1, w=3), (y=4, w=1) are the data 1,1,1,4: rate = 4 / 7.
  const FitResult fit = maximize_likelihood(WeightedExponential({1, 4}, {3, 1}), {}, "exp");
  EXPECT_NEAR(fit.params[0], 4.0 / 7.0, 1e-7);
  EXPECT_NEAR(fit.std_errors[0], (4.0 / 7.0) / 2.0, 1e-5);  // rate / sqrt(n)
  EXPECT_DOUBLE_EQ(fit.n_customers, 4.0);
  EXPECT_EQ(fit.n_rows, 2u);
}

TEST(MleFitter, FarStartStillConverges) {
  // Start at 1e6 times the answer: the deterministic restarts must recover.
  const FitResult fit =
      maximize_likelihood(WeightedExponential({1, 4}, {3, 1}, 1e6 * 4.0 / 7.0), {}, "exp");
  EXPECT_NEAR(fit.params[0], 4.0 / 7.0, 1e-6);
}

TEST(MleFitter, L2PenaltyShiftsTheOptimumAsTheFormulaSays) {
  // Maximizing 4 log(rate) - 7 rate - lambda log(rate)^2 : 4 - 7 rate - 2 lambda theta = 0.
  FitOptions options;
  options.l2_penalty = 0.5;
  const FitResult fit = maximize_likelihood(WeightedExponential({1, 4}, {3, 1}), options, "exp");
  const double rate = fit.params[0];
  EXPECT_NEAR(4 - 7 * rate - 2 * 0.5 * std::log(rate), 0.0, 1e-6);
  EXPECT_GT(rate, 4.0 / 7.0);  // pulled towards log(rate)=0, i.e. rate=1
}

TEST(MleFitter, UnboundedLikelihoodIsANotConvergedError) {
  try {
    maximize_likelihood(Unbounded(), {}, "unbounded");
    FAIL() << "expected not_converged";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotConverged);
    EXPECT_NE(std::string(e.what()).find("theta="), std::string::npos) << e.what();
  }
  std::string diagnostics;
  const FitResult fit = try_maximize_likelihood(Unbounded(), {}, "unbounded", &diagnostics);
  EXPECT_FALSE(fit.converged);
  EXPECT_FALSE(diagnostics.empty());
  for (double se : fit.std_errors) EXPECT_TRUE(std::isfinite(se));
}

TEST(MleFitter, RejectsBadOptions) {
  FitOptions options;
  options.start = {1.0, 2.0};
  EXPECT_THROW(maximize_likelihood(WeightedExponential({1}, {1}), options, "exp"), Error);
  options.start = {-1.0};
  EXPECT_THROW(maximize_likelihood(WeightedExponential({1}, {1}), options, "exp"), Error);
  options.start.clear();
  options.l2_penalty = -1;
  EXPECT_THROW(maximize_likelihood(WeightedExponential({1}, {1}), options, "exp"), Error);
  EXPECT_THROW(maximize_likelihood(WeightedExponential({}, {}), {}, "exp"), Error);
}

}  // namespace
}  // namespace clv
