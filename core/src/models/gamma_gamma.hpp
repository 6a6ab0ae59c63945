// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): each
// transaction value z ~ Gamma(p, nu) with the customer's nu ~ Gamma(q, gamma);
// fitted on the mean spend mbar of the x > 0 repeat transactions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/likelihood_model.hpp"

namespace clv {

struct GammaGammaParams {
  double p = 0, q = 0, gamma = 0;
};

class GammaGammaLikelihood : public LikelihoodModel {
 public:
  // Customers with x = 0 carry no spend information and are left out (that is
  // the model's definition, counted in skipped_customers()); x > 0 with a
  // mean spend <= 0 or non-finite is an Error::invalid_argument naming the row.
  GammaGammaLikelihood(std::span<const double> x, std::span<const double> mean_spend,
                       std::span<const double> weight = {});

  const std::vector<std::string>& param_names() const override;
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return x_.size(); }
  double skipped_customers() const { return skipped_; }

 private:
  std::vector<double> x_, log_x_, m_, log_m_, w_;
  double n_customers_ = 0, skipped_ = 0, mean_spend_ = 0;
};

// E[M | x, mbar] = (p (gamma + x mbar)) / (p x + q - 1); with x = 0 the
// population mean p gamma / (q - 1). Throws Error::invalid_argument if q <= 1
// (the mean spend is infinite).
double gg_conditional_expected_spend(const GammaGammaParams& g, double x, double mean_spend);

// Mean spend of x transactions per customer (fixed seed) for simulation tests.
std::vector<double> simulate_gamma_gamma(const GammaGammaParams& g, std::span<const double> x,
                                         uint64_t seed);

}  // namespace clv
