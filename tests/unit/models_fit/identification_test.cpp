// A fit that meets its gradient tolerance can still leave a parameter
// unidentified (issue 13, item 16: a dropout coefficient at -16.8 with a
// standard error of 9,795): such parameters are named in a warning.
#include "models/identification.hpp"

#include <gtest/gtest.h>
#include <Eigen/LU>

namespace clv {
namespace {

TEST(Identification, HugeStandardErrorIsNamed) {
  const std::vector<std::string> names{"r", "alpha", "dropout:High.Season"};
  Eigen::VectorXd theta(3);
  theta << -0.6, 2.3, -16.8;
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(3, 3);
  cov.diagonal() << 0.01, 0.02, 9795.0 * 9795.0;
  const Eigen::MatrixXd info = cov.inverse();
  const auto warnings = identification_warnings(names, theta, info, cov);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("dropout:High.Season"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("9795"), std::string::npos) << warnings[0];
  cov(2, 2) = 0.3;
  EXPECT_TRUE(identification_warnings(names, theta, cov.inverse(), cov).empty());
}

TEST(Identification, SingularInformationNamesTheWeakestDirection) {
  const std::vector<std::string> names{"a", "b"};
  Eigen::VectorXd theta(2);
  theta << 0.1, 0.2;
  Eigen::MatrixXd info(2, 2);
  info << 4.0, 0.0, 0.0, 1e-14;  // b is not resolved at all
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(2, 2);
  cov.diagonal() << 0.25, 1.0;  // as if a regularised inverse hid it
  const auto warnings = identification_warnings(names, theta, info, cov);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("singular"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("parameter b"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace clv
