// CLVTools' apparel data with its static covariates (Gender, Channel): the
// covariate Pareto/NBD must fit with finite estimates and standard errors.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "clv/churn.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

const std::string kApparel = std::string(CLV_SHARED_DATA_DIR) + "/apparel/";

// Id -> (Gender, Channel).
std::map<std::string, std::pair<double, double>> read_static_covariates() {
  std::ifstream in(kApparel + "apparelStaticCov.csv");
  std::map<std::string, std::pair<double, double>> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string id, gender, channel;
    std::getline(row, id, ',');
    std::getline(row, gender, ',');
    std::getline(row, channel, ',');
    out[id] = {std::stod(gender), std::stod(channel)};
  }
  return out;
}

TEST(ApparelStaticCovariates, FitsWithFiniteEstimatesAndStandardErrors) {
  const auto covariates = read_static_covariates();
  ASSERT_EQ(covariates.size(), 600u);
  TransactionFileFormat format;
  format.field_map = {{"customer_id", "Id"}, {"timestamp", "Date"}, {"amount", "Price"}};
  SummaryPeriod period;
  period.calibration_end_day = days_from_civil(2006, 12, 31);  // 104 weeks of calibration
  period.holdout_end_day = days_from_civil(2010, 12, 26);
  const CustomerSummary s =
      summarize_transaction_file(kApparel + "apparelTrans.csv", format, period);
  ASSERT_EQ(s.size(), 600u);
  CovariateMatrix raw{{"Gender", "Channel"}, {}};
  std::vector<CustomerHistory> customers;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto& [gender, channel] = covariates.at(std::string(s.ids[i]));
    raw.values.push_back(gender);
    raw.values.push_back(channel);
    customers.push_back({s.frequency[i], s.recency[i], s.T[i], {gender, channel}});
  }
  const CovariateParetoNbd m = fit_covariate_pnbd(s.frequency, s.recency, s.T, raw);
  ASSERT_TRUE(m.fit.converged);
  ASSERT_EQ(m.fit.params.size(), 8u);
  for (size_t i = 0; i < m.fit.params.size(); ++i) {
    EXPECT_TRUE(std::isfinite(m.fit.params[i])) << m.fit.param_names[i];
    EXPECT_TRUE(std::isfinite(m.fit.std_errors[i]) && m.fit.std_errors[i] > 0)
        << m.fit.param_names[i];
    std::printf("  %-18s %10.4f (se %.4f)\n", m.fit.param_names[i].c_str(), m.fit.params[i],
                m.fit.std_errors[i]);
  }
  std::printf("  LL %.3f vs %.3f without covariates (r %.4f alpha %.4f s %.4f beta %.4f)\n",
              m.fit.log_likelihood, m.baseline.log_likelihood, m.baseline.params[0],
              m.baseline.params[1], m.baseline.params[2], m.baseline.params[3]);
  // Nested models: adding covariates cannot lower the maximized likelihood.
  EXPECT_GE(m.fit.log_likelihood, m.baseline.log_likelihood - 1e-6);

  const ChurnValidation v = validate_churn(m, customers, s.frequency_holdout, s.duration_holdout);
  std::printf("  holdout %.1f weeks: AUC %.3f, MAE %.4f (covariates) vs %.4f (none)\n",
              s.duration_holdout, v.auc, v.mae_with_covariates, v.mae_without_covariates);
  EXPECT_GT(v.auc, 0.5);
  EXPECT_TRUE(std::isfinite(v.mae_with_covariates));
}

}  // namespace
}  // namespace clv
