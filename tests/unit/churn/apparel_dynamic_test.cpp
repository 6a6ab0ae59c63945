// CLVTools' apparel data with the weekly High.Season covariate (plus Gender
// and Channel, constant in time): the time-varying covariate Pareto/NBD must
// fit with finite estimates and standard errors.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "clv/churn.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

const std::string kApparel = std::string(CLV_SHARED_DATA_DIR) + "/apparel/";

int64_t day_of_text(const std::string& ymd) {
  return days_from_civil(std::stoi(ymd.substr(0, 4)),
                         static_cast<unsigned>(std::stoi(ymd.substr(5, 2))),
                         static_cast<unsigned>(std::stoi(ymd.substr(8, 2))));
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

TEST(ApparelDynamicCovariates, FitsWithFiniteEstimatesAndStandardErrors) {
  const int64_t calibration_end = days_from_civil(2006, 12, 31);  // 104 weeks
  std::map<int, std::set<int64_t>> purchase_days;
  for (const auto& row : read_csv(kApparel + "apparelTrans.csv")) {
    purchase_days[std::stoi(row[0])].insert(day_of_text(row[1]));
  }
  ASSERT_EQ(purchase_days.size(), 600u);
  std::map<int, CustomerCovariateSeries> series;
  std::map<int, int64_t> first_day;
  for (const auto& [id, days] : purchase_days) first_day[id] = *days.begin();
  for (const auto& row : read_csv(kApparel + "apparelDynCov.csv")) {
    const int id = std::stoi(row[0]);
    auto& c = series[id];
    c.period_start.push_back(static_cast<double>(day_of_text(row[1]) - first_day.at(id)) / 7.0);
    for (int j = 2; j < 5; ++j) c.values.push_back(std::stod(row[static_cast<size_t>(j)]));
  }
  std::vector<double> x, t_x, T;
  std::vector<CustomerCovariateSeries> all;
  for (const auto& [id, days] : purchase_days) {
    CustomerCovariateSeries c = series.at(id);
    for (int64_t d : days) {
      if (d > first_day[id] && d <= calibration_end) {
        c.purchase_times.push_back(static_cast<double>(d - first_day[id]) / 7.0);
      }
    }
    x.push_back(static_cast<double>(c.purchase_times.size()));
    t_x.push_back(c.purchase_times.empty() ? 0.0 : c.purchase_times.back());
    T.push_back(static_cast<double>(calibration_end - first_day[id]) / 7.0);
    all.push_back(std::move(c));
  }
  const CovariateParetoNbd m =
      fit_dynamic_pnbd(x, t_x, T, {"High.Season", "Gender", "Channel"}, all);
  ASSERT_TRUE(m.fit.converged);
  ASSERT_EQ(m.fit.params.size(), 10u);
  for (size_t i = 0; i < m.fit.params.size(); ++i) {
    EXPECT_TRUE(std::isfinite(m.fit.params[i])) << m.fit.param_names[i];
    EXPECT_TRUE(std::isfinite(m.fit.std_errors[i]) && m.fit.std_errors[i] > 0)
        << m.fit.param_names[i];
    std::printf("  %-22s %10.4f (se %.4f)\n", m.fit.param_names[i].c_str(), m.fit.params[i],
                m.fit.std_errors[i]);
  }
  std::printf("  LL %.3f vs %.3f without covariates\n", m.fit.log_likelihood,
              m.baseline.log_likelihood);
  EXPECT_GE(m.fit.log_likelihood, m.baseline.log_likelihood - 1e-6);
}

}  // namespace
}  // namespace clv
