// Holdout validation of churn risk: discrimination (AUC), calibration of the
// predicted probability of no holdout purchase, and purchase MAE against the
// same model without covariates.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {

double roc_auc(const std::vector<double>& score, const std::vector<bool>& label) {
  if (score.size() != label.size()) {
    throw Error::invalid_argument("roc_auc: scores and labels differ in length");
  }
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  // Mann-Whitney: sum of positive ranks, ties get their mean rank.
  double rank_sum = 0.0, positives = 0.0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) ++j;
    const double mean_rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t q = i; q < j; ++q) {
      if (label[order[q]]) rank_sum += mean_rank, positives += 1;
    }
    i = j;
  }
  const double negatives = static_cast<double>(score.size()) - positives;
  if (positives == 0 || negatives == 0) {
    throw Error::invalid_argument(
        "AUC needs both active and inactive customers in the holdout; use a longer holdout or "
        "more customers");
  }
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

ChurnValidation validate_churn(const CovariateParetoNbd& model,
                               const std::vector<CustomerHistory>& customers,
                               const std::vector<double>& holdout_purchases,
                               double holdout_length) {
  if (customers.size() != holdout_purchases.size()) {
    throw Error::invalid_argument(
        fmt::format("{} customers but {} holdout counts; give one count per customer",
                    customers.size(), holdout_purchases.size()));
  }
  const size_t n = customers.size();
  std::vector<double> risk(n), p_none(n);
  std::vector<bool> inactive(n);
  ChurnValidation out;
  const ParetoNbdParams plain{model.baseline.params.at(0), model.baseline.params.at(1),
                              model.baseline.params.at(2), model.baseline.params.at(3)};
  for (size_t i = 0; i < n; ++i) {
    const CustomerHistory& c = customers[i];
    const ChurnPrediction p = predict_churn(model, c, holdout_length);
    risk[i] = p.churn_risk;
    p_none[i] = p.p_no_purchase;
    inactive[i] = holdout_purchases[i] == 0;
    out.mae_with_covariates += std::abs(p.expected_purchases - holdout_purchases[i]);
    out.mae_without_covariates += std::abs(
        pnbd_conditional_expected(plain, c.x, c.t_x, c.T, holdout_length) - holdout_purchases[i]);
  }
  out.mae_with_covariates /= static_cast<double>(n);
  out.mae_without_covariates /= static_cast<double>(n);
  out.auc = roc_auc(risk, inactive);

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p_none[a] < p_none[b]; });
  const size_t bins = std::min<size_t>(10, n);
  for (size_t b = 0; b < bins; ++b) {
    CalibrationBin bin;
    for (size_t q = b * n / bins; q < (b + 1) * n / bins; ++q) {
      bin.predicted += p_none[order[q]];
      bin.observed += inactive[order[q]] ? 1.0 : 0.0;
      ++bin.customers;
    }
    if (bin.customers) {
      bin.predicted /= static_cast<double>(bin.customers);
      bin.observed /= static_cast<double>(bin.customers);
      out.calibration.push_back(bin);
    }
  }
  return out;
}

}  // namespace clv
