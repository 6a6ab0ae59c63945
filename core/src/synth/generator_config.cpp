// Sector names and the default generative parameters per sector. Rates are
// per day; the comments give the implied yearly figures the numbers were
// chosen for (see data/README.md).
#include <array>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/portfolio_generator.hpp"
#include "synth/generator_config.hpp"

namespace clv {
namespace {

constexpr std::array<Sector, 5> kSectors{Sector::kRetail, Sector::kHospitality, Sector::kHealthcare,
                                         Sector::kTravel, Sector::kFinancial};
constexpr std::array<std::string_view, 5> kNames{"retail", "hospitality", "healthcare", "travel",
                                                 "financial"};

// Shared incident effects: an unresolved incident multiplies the dropout
// hazard by e^0.7 ~ 2, each point of empathy above 5 lowers it by ~11%.
CovariateEffects default_dropout_effects() {
  return {.unresolved_incidents = 0.7,
          .resolution_vs_sla = 0.3,
          .satisfaction = -0.25,
          .empathy = -0.12,
          .tact = -0.05};
}

// While incidents stay open customers buy less; happy customers slightly more.
CovariateEffects default_purchase_effects() {
  return {.unresolved_incidents = -0.3, .satisfaction = 0.1};
}

}  // namespace

std::string_view sector_name(Sector sector) {
  return kNames[static_cast<size_t>(sector)];
}

std::span<const Sector> all_sectors() {
  return kSectors;
}

Sector sector_from_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return kSectors[i];
  throw Error::invalid_argument(fmt::format(
      "unknown sector '{}'; use one of retail, hospitality, healthcare, travel, financial", name));
}

GeneratorConfig default_generator_config(Sector sector) {
  GeneratorConfig c;
  c.sector = sector;
  c.dropout_effects = default_dropout_effects();
  c.purchase_effects = default_purchase_effects();
  switch (sector) {
    case Sector::kRetail:  // ~4.6 purchases/yr, mean lifetime ~2.7 yr, ~EUR 80 a basket
      c.process = {.r = 0.75, .alpha = 60, .s = 1.3, .beta = 900};
      c.spend = {.p = 6, .q = 4, .gamma = 40};
      c.sla_hours = 48;
      c.return_probability = 0.08;
      break;
    case Sector::kHospitality:  // ~1.2 stays/yr, ~EUR 400 a stay
      c.process = {.r = 0.6, .alpha = 180, .s = 1.2, .beta = 1100};
      c.spend = {.p = 4, .q = 5, .gamma = 400};
      c.sla_hours = 24;
      break;
    case Sector::kHealthcare:  // ~2.9 visits/yr, loyal patients
      c.process = {.r = 1.2, .alpha = 150, .s = 1.5, .beta = 2500};
      c.spend = {.p = 3, .q = 4, .gamma = 120};
      c.sla_hours = 72;
      break;
    case Sector::kTravel:  // ~0.9 bookings/yr, summer peak, 7% cancelled
      c.process = {.r = 0.5, .alpha = 200, .s = 1.2, .beta = 900};
      c.spend = {.p = 3, .q = 5, .gamma = 1200};
      c.sla_hours = 72;
      c.return_probability = 0.07;
      c.seasonality = 0.5;
      break;
    case Sector::kFinancial:  // monthly fees plus ~1 add-on product/yr
      c.process = {.r = 0.4, .alpha = 150, .s = 1.4, .beta = 2000};
      c.spend = {.p = 2, .q = 4, .gamma = 150};
      c.sla_hours = 120;
      break;
  }
  return c;
}

namespace synth {

void validate_config(const GeneratorConfig& c) {
  auto positive = [](double v, std::string_view what) {
    if (!(v > 0) || !std::isfinite(v))
      throw Error::invalid_argument(
          fmt::format("generator parameter {} must be a positive finite number, got {}", what, v));
  };
  if (c.customers < 1)
    throw Error::invalid_argument(
        fmt::format("--customers must be at least 1, got {}", c.customers));
  positive(c.years, "years");
  positive(c.acquisition_share, "acquisition_share");
  if (c.acquisition_share > 1) throw Error::invalid_argument("acquisition_share must be in (0, 1]");
  positive(c.process.r, "r");
  positive(c.process.alpha, "alpha");
  positive(c.process.s, "s");
  positive(c.process.beta, "beta");
  positive(c.spend.p, "spend p");
  positive(c.spend.q, "spend q");
  positive(c.spend.gamma, "spend gamma");
  positive(c.sla_hours, "sla_hours");
  if (c.incident_rate_scale < 0 || !std::isfinite(c.incident_rate_scale))
    throw Error::invalid_argument("incident_rate_scale must be >= 0");
  if (c.return_probability < 0 || c.return_probability > 1)
    throw Error::invalid_argument("return_probability must be in [0, 1]");
  if (c.seasonality < 0 || c.seasonality >= 1)
    throw Error::invalid_argument("seasonality must be in [0, 1)");
  if (c.employees < 0) throw Error::invalid_argument("employees must be >= 0");
  for (const auto* e : {&c.dropout_effects, &c.purchase_effects})
    for (double v :
         {e->unresolved_incidents, e->resolution_vs_sla, e->satisfaction, e->empathy, e->tact})
      if (!std::isfinite(v) || std::abs(v) > 5)
        throw Error::invalid_argument("covariate effects must be finite and within [-5, 5]");
}

int64_t employee_count(const GeneratorConfig& c) {
  return c.employees > 0 ? c.employees : std::max<int64_t>(12, c.customers / 50);
}

}  // namespace synth
}  // namespace clv
