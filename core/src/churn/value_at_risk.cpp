// The at-risk list: customers still likely alive, likely to churn soon and
// worth keeping, ranked by value at risk (not by churn risk alone, which
// ranks customers already gone first).
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/rfm_data.hpp"
#include "models/fit_progress.hpp"
#include "models/mle_fitter.hpp"
#include "models/pareto_nbd.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

double value_at_risk(const ChurnPrediction& p, double spend_per_purchase, double horizon) {
  const double kept = p.purchase_rate_if_alive * horizon * spend_per_purchase;
  const double v = p.p_alive * p.risk_if_alive * kept;
  return std::isfinite(v) ? std::max(0.0, v) : 0.0;
}

std::vector<size_t> at_risk_order(const std::vector<double>& var,
                                  const std::vector<ChurnPrediction>& predictions, size_t top) {
  if (var.size() != predictions.size()) {
    throw Error::invalid_argument(
        fmt::format("{} values at risk for {} predictions", var.size(), predictions.size()));
  }
  std::vector<size_t> order(var.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (var[a] != var[b]) return var[a] > var[b];
    return predictions[a].risk_if_alive > predictions[b].risk_if_alive;
  });
  order.resize(std::min(top, order.size()));
  return order;
}

std::vector<double> spend_per_purchase(const std::vector<double>& x,
                                       const std::vector<double>& monetary, std::string* note) {
  const size_t n = x.size();
  if (monetary.size() != n) {
    if (note) *note = "no spend data: value at risk is in purchases";
    return std::vector<double>(n, 1.0);
  }
  RfmData repeat;
  double sum = 0, count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (x[i] > 0 && monetary[i] > 0 && std::isfinite(monetary[i])) {
      repeat.x.push_back(x[i]);
      repeat.monetary.push_back(monetary[i]);
      repeat.t_x.push_back(0.0);
      repeat.T.push_back(0.0);
      sum += monetary[i] * x[i];
      count += x[i];
    }
  }
  if (count == 0) {
    if (note) *note = "no repeat purchase with a spend: value at risk is in purchases";
    return std::vector<double>(n, 1.0);
  }
  const double mean = sum / count;
  std::vector<double> out(n, mean);
  if (repeat.x.size() >= 20) {
    try {
      const FitResult gg = fit_model("gg", repeat);
      const double p = gg.params[0], q = gg.params[1], g = gg.params[2];
      if (gg.converged && q > 1) {
        // E[Z | zbar, x] = (q-1)/(px+q-1) * p*g/(q-1) + px/(px+q-1) * zbar.
        for (size_t i = 0; i < n; ++i) {
          const double m = x[i] > 0 && monetary[i] > 0 ? monetary[i] : 0.0;
          const double xi = m > 0 ? x[i] : 0.0;
          out[i] = (p * g + p * xi * m) / (p * xi + q - 1.0);
        }
        if (note)
          *note = fmt::format("spend per purchase: Gamma-Gamma p={:.3g} q={:.3g} gamma={:.3g}", p,
                              q, g);
        return out;
      }
    } catch (const Error&) {
      // Falls back to the mean below.
    }
  }
  if (note) *note = fmt::format("spend per purchase: the repeat buyers' mean {:.2f}", mean);
  return out;
}

CovariateParetoNbd plain_churn_model(const std::vector<double>& x, const std::vector<double>& t_x,
                                     const std::vector<double>& T,
                                     const CovariateFitOptions& options) {
  FitOptions fit_options;
  fit_options.max_iterations = options.max_iterations;
  fit_options.gradient_tolerance = options.gradient_tolerance;
  fit_options.threads = options.threads;
  fit_options.progress = options.progress;
  FitProgressScope progress(fit_options);
  ParetoNbdModel plain(collapse_rfm(x, t_x, T), options.threads);
  CovariateParetoNbd m;
  m.fit = maximize_likelihood(plain, fit_options, "pnbd");
  m.baseline = m.fit;
  m.r = m.fit.params[0];
  m.alpha = m.fit.params[1];
  m.s = m.fit.params[2];
  m.beta = m.fit.params[3];
  progress.finish();
  return m;
}

}  // namespace clv
