// covariate_effects(): intervals, p-values and the verdict an owner reads.
// The verdict must agree with the 90% interval printed beside it.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/churn.hpp"

namespace clv {
namespace {

// One dropout covariate per z statistic (gamma / se), purchase effects zero.
CovariateParetoNbd model_with_dropout_z(const std::vector<double>& z) {
  CovariateParetoNbd m;
  m.r = 0.5, m.alpha = 10, m.s = 0.6, m.beta = 12;
  const size_t k = z.size();
  for (size_t j = 0; j < k; ++j) {
    m.scaling.names.push_back(std::string(1, static_cast<char>('a' + j)));
    m.scaling.mean.push_back(0.0);
    m.scaling.scale.push_back(2.0);
  }
  m.gamma_purchase.assign(k, 0.0);
  m.fit.std_errors.assign(4 + 2 * k, 0.1);
  for (size_t j = 0; j < k; ++j) m.gamma_dropout.push_back(0.1 * z[j]);  // se 0.1
  m.fit.params.assign(4 + 2 * k, 0.0);
  return m;
}

TEST(CovariateEffects, VerdictAgreesWithTheNinetyPercentIntervalShown) {
  // z = 2.5: p 0.012; z = 1.8: p 0.072 (90% excludes 0, 95% does not); z = 1.2: p 0.23.
  const auto effects = covariate_effects(model_with_dropout_z({2.5, 1.8, 1.2, -1.8}));
  std::vector<const CovariateEffect*> dropout;
  for (const auto& e : effects)
    if (e.process == "dropout") dropout.push_back(&e);
  ASSERT_EQ(dropout.size(), 4u);
  EXPECT_NEAR(dropout[0]->p_value, 2 * (1 - 0.5 * std::erfc(-2.5 / std::sqrt(2.0))), 1e-6);
  EXPECT_EQ(dropout[0]->verdict, "clear");
  EXPECT_EQ(dropout[1]->verdict, "likely");
  EXPECT_EQ(dropout[2]->verdict, "unclear");
  EXPECT_EQ(dropout[3]->verdict, "likely");
  for (const CovariateEffect* e : dropout) {
    const bool interval_excludes_zero = e->lower90 > 0 || e->upper90 < 0;
    EXPECT_EQ(interval_excludes_zero, e->verdict != "unclear") << e->covariate << " " << e->words;
    EXPECT_NEAR(e->gamma_per_unit, e->gamma / 2.0, 1e-12);
  }
  EXPECT_NE(dropout[0]->words.find("clearly more churn"), std::string::npos) << dropout[0]->words;
  EXPECT_NE(dropout[3]->words.find("likely less churn"), std::string::npos) << dropout[3]->words;
}

TEST(CovariateEffects, WithoutAStandardErrorTheVerdictIsUnknown) {
  CovariateParetoNbd m = model_with_dropout_z({3.0});
  m.fit.std_errors.assign(m.fit.std_errors.size(), std::nan(""));
  for (const auto& e : covariate_effects(m)) {
    EXPECT_EQ(e.verdict, "unknown");
    EXPECT_NE(e.words.find("do not rely"), std::string::npos);
  }
}

}  // namespace
}  // namespace clv
