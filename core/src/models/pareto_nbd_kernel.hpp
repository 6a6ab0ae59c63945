// One Pareto/NBD customer's log-likelihood with its analytic gradient with
// respect to that customer's own (r, alpha, s, beta), in plain doubles.
//
// Models whose parameters reach a customer only through those four
// quantities (static covariates scale alpha and beta per customer) evaluate
// this once per row and chain-rule to their own parameters, instead of
// carrying dual numbers over every parameter through the 2F1 series. The
// plain Pareto/NBD fit (models/pareto_nbd.cpp) computes the same quantity
// with Dual<4> and could share this kernel.
//
// The died-in-(t_x, T] term needs the tail integral
//   I(t) = int_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du,
// a Gauss hypergeometric function of z = |alpha-beta| / (max(alpha,beta)+t).
// For z <= 1/2 it is summed as a series (Euler-transformed, all terms
// positive, ratio < z); for z > 1/2 (a trial point with extreme rates, or a
// customer whose rates differ by orders of magnitude) the part of the
// integral up to where z falls to 1/2 is done by Gauss-Legendre quadrature in
// log time, so no case needs thousands of series terms.
#pragma once

namespace clv::pnbd_kernel {

// Value and derivatives with respect to the natural (r, alpha, s, beta).
struct LogValueGrad {
  double value = 0.0;
  double d[4] = {0.0, 0.0, 0.0, 0.0};
};

// log I(t) for x purchases (see above).
LogValueGrad log_tail(double r, double alpha, double s, double beta, double x, double t);

// Terms of the row log-likelihood that depend only on r and x, so callers can
// compute them once per distinct x: lgamma(r+x) - lgamma(r) and its r-derivative.
struct CountTerms {
  double log_gamma_ratio = 0.0;
  double digamma_diff = 0.0;
};
CountTerms count_terms(double r, double x);

// Log-likelihood of one customer (x repeat purchases, the last at t_x,
// observed for T). When grad is non-null it receives the derivatives with
// respect to (log r, log alpha, log s, log beta). Returns -inf when the value
// is not representable (never NaN).
double row_log_likelihood(double r, double alpha, double s, double beta, double x, double t_x,
                          double T, const CountTerms& counts, double* grad);

}  // namespace clv::pnbd_kernel
