// Maximum-likelihood fitting of any LikelihoodModel: L-BFGS on the log scale
// of the parameters, deterministic restarts, Hessian-based standard errors and
// information criteria.
#pragma once

#include <string>

#include "clv/fit_result.hpp"
#include "models/likelihood_model.hpp"

namespace clv {

// Fits `model` and returns a converged result. Throws Error::not_converged
// (with the gradient norm, the parameters reached and what to try) when no
// start reaches the gradient tolerance or the Hessian at the optimum is not
// negative definite, and Error::invalid_argument for bad options.
FitResult maximize_likelihood(const LikelihoodModel& model, const FitOptions& options,
                              std::string model_name);

// Same search, but never throws for non-convergence: the best point found is
// returned with converged=false and `diagnostics` (when non-null) says why.
// Standard errors are 0 (never NaN) when the Hessian is unusable.
FitResult try_maximize_likelihood(const LikelihoodModel& model, const FitOptions& options,
                                  std::string model_name, std::string* diagnostics);

}  // namespace clv
