// How dropout and purchase-rate levers enter each count model's parameters,
// and the survival term the scorers do not provide.
//
// Pareto/NBD (r, alpha, s, beta): lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta).
//   purchase rate x f  -> alpha / f;   dropout hazard x h -> beta / h (same s).
// BG/NBD, MBG/NBD (r, alpha, a, b): p ~ Beta(a, b) is the dropout chance per
//   purchase. Dropout happens at rate lambda * p, so a purchase-rate change
//   also speeds dropout, as the model says. A dropout hazard ratio h scales the
//   expected dropout odds E[p / (1 - p)] = a / (b - 1) exactly: a -> a * h.
#pragma once

#include <string>
#include <vector>

namespace clv {

class CountModelLevers {
 public:
  // Throws Error::invalid_argument for models what-if cannot move.
  explicit CountModelLevers(const std::string& model);

  const std::string& model() const { return model_; }
  // Parameters after the levers, and a description of what moved.
  std::vector<double> apply(std::vector<double> params, double purchase_rate_factor,
                            double dropout_hazard_ratio) const;
  std::string describe_purchase_rate(const std::vector<double>& before,
                                     const std::vector<double>& after) const;
  std::string describe_dropout(const std::vector<double>& before,
                               const std::vector<double>& after) const;

  // P(still alive at T + horizon | alive at T, x purchases in (0, T]).
  double survival_if_alive(const std::vector<double>& params, double x, double T,
                           double horizon) const;

 private:
  std::string model_;
  bool pareto_ = false;
  bool modified_ = false;  // MBG/NBD: a dropout chance at time 0 too
};

}  // namespace clv
