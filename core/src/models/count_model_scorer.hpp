// What scoring needs from a fitted purchase-count model. The alive-conditional
// quantities depend on (x, T) only, never on t_x, so a scorer of millions of
// customers computes them once per distinct (x, T) and multiplies by the
// per-customer P(alive).
#pragma once

namespace clv {

class CountModelScorer {
 public:
  virtual ~CountModelScorer() = default;
  virtual double p_alive(double x, double t_x, double T) const = 0;
  // Expected purchases in (T, T + t] for a customer alive at T.
  virtual double expected_purchases_if_alive(double x, double T, double t) const = 0;
  // integral_0^H e^(-delta s) dE[purchases in (T, T + s] | alive at T].
  virtual double discounted_purchases_if_alive(double x, double T, double horizon,
                                               double delta) const = 0;
  // A customer acquired at time 0: E[X(t)] and P(X(t) = k) over (0, t].
  virtual double expected_purchases_new(double t) const = 0;
  virtual double probability_of_purchases(double t, int k) const = 0;
};

}  // namespace clv
