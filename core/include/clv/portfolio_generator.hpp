// Synthetic sector portfolios (customers, transactions, incidents, staff)
// drawn from a documented generative model with known ground truth, so that
// demos have realistic data and model fits can be checked for recovery.
// The model is described in data/README.md; every parameter used is written
// to truth.json next to the CSV files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace clv {

enum class Sector { kRetail, kHospitality, kHealthcare, kTravel, kFinancial };

std::string_view sector_name(Sector sector);
// Throws Error::invalid_argument naming the valid sectors.
Sector sector_from_name(std::string_view name);
std::span<const Sector> all_sectors();

// Pareto/NBD heterogeneity, rates per day: purchase rate lambda ~ Gamma(r,
// rate alpha), dropout hazard mu ~ Gamma(s, rate beta).
struct ParetoNbdTruth {
  double r = 0;
  double alpha = 0;
  double s = 0;
  double beta = 0;
};

// Gamma-Gamma spend: value of one purchase ~ Gamma(p, rate nu) with
// nu ~ Gamma(q, rate gamma); amounts in major currency units.
struct SpendTruth {
  double p = 0;
  double q = 0;
  double gamma = 0;
};

// Coefficients on the time-varying incident covariates z(t) of a customer
// (all zero until the first incident):
//   unresolved_incidents  count of incidents opened and not (yet) resolved
//   resolution_vs_sla     mean over resolved incidents of resolution time / SLA, minus 1
//   satisfaction          mean survey score so far minus 3
//   empathy, tact         mean trait of the employees who handled the incidents, minus 5
//   Each coefficient must lie in [-5, 5]; the linear predictor is capped at [-30, 8].
struct CovariateEffects {
  double unresolved_incidents = 0;
  double resolution_vs_sla = 0;
  double satisfaction = 0;
  double empathy = 0;
  double tact = 0;
};

struct GeneratorConfig {
  Sector sector = Sector::kRetail;
  int64_t customers = 2000;
  uint64_t seed = 1;
  int64_t start_day = 19723;       // days since 1970-01-01 (2024-01-01)
  double years = 3.0;              // observation window length
  double acquisition_share = 0.6;  // customers arrive uniformly over this share of the window
  ParetoNbdTruth process;
  SpendTruth spend;
  CovariateEffects dropout_effects;   // gamma: hazard mu * exp(gamma' z(t))
  CovariateEffects purchase_effects;  // delta: rate lambda * exp(delta' z(t))
  double incident_rate_scale = 1.0;   // multiplies the sector's per-transaction incident odds
  double sla_hours = 48;              // the sector's resolution target
  double return_probability = 0;      // retail returns / travel cancellations per purchase
  double seasonality = 0;             // travel: relative amplitude of the yearly cycle
  int64_t employees = 0;              // 0 = about one per 50 customers, at least 12
};

// The sector's defaults (see data/README.md for the reasoning behind them).
GeneratorConfig default_generator_config(Sector sector);

struct SyntheticEmployee {
  int64_t index = 0;  // written as E0001...
  std::string_view role;
  std::string_view location;
  double trust = 0, tact = 0, empathy = 0, conformity = 0, focus = 0, flexibility = 0;
};

struct SyntheticCustomer {
  int64_t index = 0;  // written as C0000001...
  std::string_view segment;
  std::string_view region;
  int64_t acquired_at = 0;  // UTC seconds
  // Ground truth, not part of the CSV.
  double purchase_rate = 0;           // lambda per day
  double dropout_rate = 0;            // mu per day (before covariates)
  std::optional<int64_t> dropout_at;  // UTC seconds, when it fell before the window end
};

struct SyntheticTransaction {
  // Written as T000000001...; a return, cancellation or refund is written as
  // the id of the purchase it undoes (`references`) plus -R, -X or -F.
  int64_t index = 0;
  int64_t customer = 0;
  int64_t timestamp = 0;
  int64_t amount_minor = 0;  // always positive; kind says what it is
  std::string_view currency;
  std::string_view kind;  // purchase, return, refund, cancellation
  int64_t quantity = 1;
  std::string_view category;
  std::string_view channel;
  std::string_view location;
  int64_t references = -1;  // index of the purchase a return/refund/cancellation undoes
};

struct SyntheticIncident {
  int64_t index = 0;  // written as I00000001...
  int64_t customer = 0;
  int64_t opened_at = 0;
  std::optional<int64_t> resolved_at;  // empty when unresolved or still open at the window end
  int severity = 1;                    // 1..5
  std::string_view category;
  std::string_view channel;
  std::string_view outcome;         // resolved, unresolved, open
  std::optional<int> satisfaction;  // 1..5 when the survey was answered
  int64_t employee = 0;
  int64_t compensation_minor = 0;
};

// Receives the portfolio as it is generated: employees first, then each
// customer followed by its transactions and incidents in time order.
class PortfolioSink {
 public:
  virtual ~PortfolioSink() = default;
  virtual void employee(const SyntheticEmployee& e) = 0;
  virtual void customer(const SyntheticCustomer& c) = 0;
  virtual void transaction(const SyntheticTransaction& t) = 0;
  virtual void incident(const SyntheticIncident& i) = 0;
};

struct PortfolioCounts {
  int64_t customers = 0;
  int64_t employees = 0;
  int64_t transactions = 0;
  int64_t incidents = 0;
  int64_t unresolved_incidents = 0;
  int64_t dropouts = 0;  // customers whose dropout fell inside the window
};

// Generates deterministically from config.seed. Throws Error::invalid_argument
// for a config that cannot be simulated (non-positive parameters, ...).
PortfolioCounts generate_portfolio(const GeneratorConfig& config, PortfolioSink& sink);

// Writes customers.csv, transactions.csv, incidents.csv, employees.csv and
// truth.json (and renewals.csv for the contractual financial sector) into
// `dir`, creating it. Throws Error::io when a file cannot be written.
PortfolioCounts write_portfolio(const GeneratorConfig& config, const std::filesystem::path& dir);

// The ground truth as JSON text (config plus the resulting counts).
std::string truth_json(const GeneratorConfig& config, const PortfolioCounts& counts);

}  // namespace clv
