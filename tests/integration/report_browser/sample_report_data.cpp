#include "sample_report_data.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace clv::testing {

namespace {

// BG/NBD on CDNOW (weeks): Fader, Hardie & Lee (2005), table 1.
constexpr double kR = 0.243, kAlpha = 4.414, kA = 0.793, kB = 2.426;
constexpr int kCustomers = 2357;
constexpr double kCalibrationWeeks = 39, kTotalWeeks = 78;

struct Customer {
  double birth = 0;                  // week of the first purchase
  std::vector<double> repeat_times;  // absolute weeks
};

double gamma_draw(std::mt19937_64& rng, double shape, double scale) {
  return std::gamma_distribution<double>(shape, scale)(rng);
}

Customer simulate_customer(std::mt19937_64& rng) {
  Customer c;
  c.birth = std::uniform_real_distribution<double>(0, 12)(rng);
  const double lambda = gamma_draw(rng, kR, 1.0 / kAlpha);
  const double x = gamma_draw(rng, kA, 1.0), y = gamma_draw(rng, kB, 1.0);
  const double p = x / (x + y);
  std::exponential_distribution<double> gap(std::max(lambda, 1e-12));
  std::bernoulli_distribution dies(p);
  double t = c.birth;
  while (true) {
    t += gap(rng);
    if (t > kTotalWeeks) break;
    c.repeat_times.push_back(t);
    if (dies(rng)) break;  // BG/NBD: may become inactive after each purchase
  }
  return c;
}

// P(alive | x, t_x, T) for BG/NBD (Fader, Hardie & Lee 2005, eq. 8 form).
double p_alive(double x, double t_x, double T) {
  if (x == 0) return 1.0;
  return 1.0 / (1.0 + kA / (kB + x - 1) * std::pow((kAlpha + T) / (kAlpha + t_x), kR + x));
}

// Gauss hypergeometric 2F1(a, b; c; z) by its power series, |z| < 1.
double hyp2f1(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  for (int n = 0; n < 20000; ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (std::fabs(term) < 1e-14 * std::fabs(sum)) break;
  }
  return sum;
}

// E[X(t)]: expected repeat purchases in (0, t] for a new customer (eq. 7).
double expected_purchases(double t) {
  if (t <= 0) return 0.0;
  return (kA + kB - 1) / (kA - 1) *
         (1 - std::pow(kAlpha / (kAlpha + t), kR) * hyp2f1(kR, kB, kA + kB - 1, t / (kAlpha + t)));
}

// E[Y(t) | x, t_x, T]: expected purchases in the next t (eq. 10).
double conditional_expected_purchases(double t, double x, double t_x, double T) {
  const double head = (kA + kB + x - 1) / (kA - 1);
  const double body = 1 - std::pow((kAlpha + T) / (kAlpha + T + t), kR + x) *
                              hyp2f1(kR + x, kB + x, kA + kB + x - 1, t / (kAlpha + T + t));
  return head * body * p_alive(x, t_x, T);
}

struct CalibrationSummary {
  int x = 0;
  double t_x = 0, T = 0;
  int holdout = 0;
};

CalibrationSummary summarize(const Customer& c) {
  CalibrationSummary s;
  s.T = kCalibrationWeeks - c.birth;
  for (double t : c.repeat_times) {
    if (t <= kCalibrationWeeks) {
      ++s.x;
      s.t_x = t - c.birth;
    } else {
      ++s.holdout;
    }
  }
  return s;
}

}  // namespace

ReportData sample_report_data() {
  std::mt19937_64 rng(20051);
  std::vector<Customer> observed(kCustomers);
  for (auto& c : observed) c = simulate_customer(rng);

  ReportData d;
  d.metadata.title = "CDNOW sample: customer lifetime value report";
  d.metadata.model = "bgnbd";
  d.metadata.param_names = {"r", "alpha", "a", "b"};
  d.metadata.params = {kR, kAlpha, kA, kB};
  d.metadata.time_unit = TimeUnit::week();
  d.metadata.generated_at = "2026-11-23 21:00 UTC";
  d.metadata.data_source = "simulated from published CDNOW BG/NBD parameters";

  PurchasesOverTime purchases;
  purchases.calibration_end = kCalibrationWeeks;
  for (int week = 0; week <= static_cast<int>(kTotalWeeks); ++week) {
    double actual = 0, fitted = 0;
    for (const auto& c : observed)
      actual += std::count_if(c.repeat_times.begin(), c.repeat_times.end(),
                              [&](double t) { return t <= week; });
    for (const auto& c : observed) fitted += expected_purchases(week - c.birth);
    purchases.period.push_back(week);
    purchases.actual.push_back(actual);
    purchases.fitted.push_back(fitted);
  }
  d.purchases = purchases;

  constexpr int kMaxFrequency = 7;
  std::vector<double> actual_sum(kMaxFrequency + 1), actual_n(kMaxFrequency + 1);
  std::vector<double> model_sum(kMaxFrequency + 1), model_n(kMaxFrequency + 1);
  for (const auto& c : observed) {
    const auto s = summarize(c);
    const int bucket = std::min(s.x, kMaxFrequency);
    actual_sum[bucket] += s.holdout;
    actual_n[bucket] += 1;
  }
  for (const auto& c : observed) {
    const auto s = summarize(c);
    const int bucket = std::min(s.x, kMaxFrequency);
    model_sum[bucket] +=
        conditional_expected_purchases(kTotalWeeks - kCalibrationWeeks, s.x, s.t_x, s.T);
    model_n[bucket] += 1;
  }
  CalibrationHoldout calibration;
  for (int f = 0; f <= kMaxFrequency; ++f) {
    calibration.frequency_labels.push_back(f == kMaxFrequency ? fmt::format("{}+", f)
                                                              : std::to_string(f));
    calibration.actual_holdout.push_back(actual_n[f] > 0 ? actual_sum[f] / actual_n[f] : 0.0);
    calibration.predicted_holdout.push_back(model_n[f] > 0 ? model_sum[f] / model_n[f] : 0.0);
  }
  d.calibration = calibration;

  AliveHeatMap alive;
  for (int x = 0; x <= 12; ++x) alive.frequency_labels.push_back(std::to_string(x));
  std::vector<double> recencies;
  for (int t = 0; t <= 39; t += 3) {
    recencies.push_back(t);
    alive.recency_labels.push_back(std::to_string(t));
  }
  for (int x = 0; x <= 12; ++x) {
    for (double t_x : recencies) alive.probability.push_back(p_alive(x, t_x, kCalibrationWeeks));
  }
  d.alive = alive;

  // CLV: expected purchases in the next 52 weeks times a gamma-distributed
  // average order value (undiscounted, for illustration).
  ClvDistribution clv;
  clv.currency = "$";
  double lapsed_by_segment[3] = {0, 0, 0}, n_by_segment[3] = {0, 0, 0};
  for (const auto& c : observed) {
    const auto s = summarize(c);
    const double order_value = gamma_draw(rng, 6.25, 35.0 / 6.25);
    clv.clv.push_back(order_value * conditional_expected_purchases(52, s.x, s.t_x, s.T));
    const int segment = s.x == 0 ? 0 : (s.x <= 3 ? 1 : 2);
    lapsed_by_segment[segment] += s.holdout == 0 ? 1 : 0;
    n_by_segment[segment] += 1;
  }
  d.clv = clv;

  ChurnRisk churn;
  const char* names[3] = {"one-time buyers", "occasional (1-3)", "regular (4+)"};
  for (int s = 0; s < 3; ++s) {
    // Observed churn proxy: the share that made no purchase in the holdout.
    const double risk = n_by_segment[s] > 0 ? lapsed_by_segment[s] / n_by_segment[s] : 0.0;
    churn.segments.push_back({names[s], risk, n_by_segment[s]});
  }
  // Drivers and scenarios are illustrative: the churn and what-if engines
  // that produce them are not wired in yet.
  churn.drivers = {{"service incidents (per year)", 0.38},
                   {"days since last purchase", 0.21},
                   {"late deliveries", 0.12},
                   {"tenure (years)", -0.27},
                   {"loyalty member", -0.18},
                   {"discount share", 0.05}};
  churn.effect_label = "change in log-odds of churn";
  d.churn = churn;

  ScenarioComparison scenarios;
  scenarios.value_label = "change in total CLV ($)";
  scenarios.scenarios = {{"win-back email to at-risk", 18400, 9100, 27600},
                         {"loyalty tier for regulars", 9600, -2100, 21500},
                         {"faster incident resolution", 12800, 4300, 20900},
                         {"5% price increase", -7300, -15800, -900},
                         {"free shipping over $50", 2100, -6400, 10800}};
  d.scenarios = scenarios;

  double total = 0;
  for (double v : d.clv->clv) total += v;
  d.summary = {{"customers", fmt::format("{}", kCustomers)},
               {"calibration period", "39 weeks"},
               {"holdout period", "39 weeks"},
               {"repeat purchases (calibration)", fmt::format("{:.0f}", purchases.actual[39])},
               {"expected CLV, next 52 weeks (total)", fmt::format("${:.0f}", total)}};
  return d;
}

}  // namespace clv::testing
