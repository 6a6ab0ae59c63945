// Incident and staff levers act on a customer's incident records; the
// customer's raw covariates are rebuilt from the edited records with the
// fit's builder and standardized with the fit's scaling. Levers that leave
// an outcome to chance (an open incident resolved with probability 1 - u, a
// thinned incident kept with probability f) give several edited histories
// with their probabilities: up to 2^10 are enumerated exactly, beyond that
// 256 seeded samples stand in for them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clv/churn.hpp"
#include "clv/scenario.hpp"

namespace clv {

// One possible edited history of a customer: its probability and its
// standardized covariates.
struct CovariateVariant {
  double weight = 1.0;
  std::vector<double> z;
};

// The records after the levers, as weighted alternatives (weights sum to 1).
struct RecordVariant {
  double weight = 1.0;
  std::vector<IncidentObservation> records;
};
std::vector<RecordVariant> apply_record_levers(const std::vector<IncidentObservation>& records,
                                               double T, const IncidentRules& rules,
                                               const IncidentLevers* incidents,
                                               const std::vector<StaffChange>& staff,
                                               uint64_t seed);

class CovariateScenario {
 public:
  // `targeted[i]` says whether customer i is targeted. Customers whose
  // covariates do not move keep no variants (changed(i) is false).
  CovariateScenario(const CovariateWhatIf& run, const Scenario& scenario,
                    const std::vector<char>& targeted, size_t scenario_index);

  bool active() const { return active_; }  // the scenario pulls incident or staff levers
  bool changed(size_t customer) const { return !variants_[customer].empty(); }
  const std::vector<CovariateVariant>& variants(size_t customer) const {
    return variants_[customer];
  }
  // Record -> raw covariate -> standardized -> rate lines for the output.
  std::vector<std::string> chain() const { return chain_; }

 private:
  bool active_ = false;
  std::vector<std::vector<CovariateVariant>> variants_;
  std::vector<std::string> chain_;
};

}  // namespace clv
