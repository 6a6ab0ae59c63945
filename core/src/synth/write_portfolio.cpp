// write_portfolio and truth_json: the files a user or a recovery test reads.
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/portfolio_generator.hpp"
#include "domain/calendar.hpp"
#include "synth/csv_portfolio_writer.hpp"
#include "synth/generator_config.hpp"
#include "synth/sector_profile.hpp"

namespace clv {
namespace {

nlohmann::json effects_json(const CovariateEffects& e) {
  return {{"unresolved_incidents", e.unresolved_incidents},
          {"resolution_vs_sla", e.resolution_vs_sla},
          {"satisfaction", e.satisfaction},
          {"empathy", e.empathy},
          {"tact", e.tact}};
}

}  // namespace

std::string truth_json(const GeneratorConfig& c, const PortfolioCounts& counts) {
  using nlohmann::json;
  const auto& profile = synth::sector_profile(c.sector);
  const double end_day = static_cast<double>(c.start_day) + c.years * synth::kDaysPerYear;
  json truth = {
      {"generator", "clv generate (core/src/synth), model in data/README.md"},
      {"sector", sector_name(c.sector)},
      {"seed", c.seed},
      {"customers", c.customers},
      {"time_unit", "day"},
      {"window",
       {{"start", format_date(c.start_day)},
        {"end", format_timestamp(std::llround(end_day * kSecondsPerDay))},
        {"years", c.years},
        {"acquisition_share", c.acquisition_share}}},
      {"pareto_nbd",
       {{"r", c.process.r},
        {"alpha", c.process.alpha},
        {"s", c.process.s},
        {"beta", c.process.beta},
        {"note",
         "lambda ~ Gamma(r, rate alpha), mu ~ Gamma(s, rate beta), per day; the first purchase at "
         "acquisition is the trial, later purchase events are repeats"}}},
      {"gamma_gamma",
       {{"p", c.spend.p},
        {"q", c.spend.q},
        {"gamma", c.spend.gamma},
        {"note", "value of a purchase event (a whole stay in hospitality) in major units"}}},
      {"covariates",
       {{"definitions",
         {{"unresolved_incidents", "incidents opened and not yet resolved (count)"},
          {"resolution_vs_sla", "mean over resolved incidents of resolution time / SLA, minus 1"},
          {"satisfaction", "mean answered survey score (1-5) minus 3"},
          {"empathy", "mean empathy of the handling employees minus 5"},
          {"tact", "mean tact of the handling employees minus 5"}}},
        {"timing",
         "an incident counts from opened_at; it updates resolution/satisfaction at resolved_at, "
         "or (unresolved) its survey 2 x SLA after opening"},
        {"dropout_gamma", effects_json(c.dropout_effects)},
        {"purchase_delta", effects_json(c.purchase_effects)},
        {"hazard", "mu * exp(gamma . z(t)); purchase rate lambda * exp(delta . z(t))"}}},
      {"incidents",
       {{"probability_per_purchase_event", profile.incident_probability * c.incident_rate_scale},
        {"sla_hours", c.sla_hours},
        {"resolved_probability",
         "logistic(1.6 + 0.25(conformity-5) + 0.2(focus-5) + 0.15(flexibility-5) - "
         "0.35(severity-3))"},
        {"resolution_time_over_sla",
         "0.7 exp(-0.08(focus-5) - 0.05(flexibility-5) + 0.2(severity-3) + N(0, 0.6^2))"},
        {"satisfaction",
         "round(3.4 + 0.3(empathy-5) + 0.15(tact-5) + 0.1(trust-5) - 0.5 clamp(ratio-1, -1, 3) + "
         "N(0, 0.8^2)) in 1..5 if resolved; 1.9 + the same trait terms if unresolved; answered "
         "with probability 0.65 / 0.5"},
        {"compensation",
         "with probability logistic(-1.5 + 0.3(flexibility-5) + 0.5(severity-3)), "
         "scale x severity x U(0.5, 1.5); no effect on dropout"},
        {"compensation_scale", profile.compensation_scale}}},
      {"employees",
       {{"count", counts.employees},
        {"traits", "clamp(5 + location N(0,1) + role N(0,0.7) + individual N(0,1.6^2), 0, 10)"}}},
      {"counts",
       {{"customers", counts.customers},
        {"transactions", counts.transactions},
        {"incidents", counts.incidents},
        {"unresolved_incidents", counts.unresolved_incidents},
        {"dropouts_in_window", counts.dropouts}}},
  };
  // Categories with their own resolution target (the sector plugin's); the
  // rest use sla_hours.
  for (const auto& kind : profile.incident_kinds) {
    if (kind.sla_hours > 0)
      truth["incidents"]["sla_hours_by_category"][std::string(kind.category)] = kind.sla_hours;
  }
  if (c.return_probability > 0) truth["return_probability"] = c.return_probability;
  if (c.seasonality > 0)
    truth["seasonality"] = {{"amplitude", c.seasonality},
                            {"rate", "lambda x (1 + amplitude cos(2 pi (day - 196) / 365.25))"}};
  if (c.sector == Sector::kFinancial)
    truth["contractual"] = {
        {"monthly_fee", {{"card", 4.90}, {"loan", 15.00}, {"savings", 2.00}}},
        {"renewal_period_days", synth::kDaysPerMonth},
        {"renewals_csv",
         "active = customers of the acquisition-month cohort that paid the k-th fee; monthly churn "
         "probability 1 - exp(-mu x 30.44 days), i.e. close to but not exactly sBG"}};
  return truth.dump(2) + "\n";
}

PortfolioCounts write_portfolio(const GeneratorConfig& config, const std::filesystem::path& dir) {
  synth::validate_config(config);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw Error::io(
        fmt::format("cannot create output directory {}: {}", dir.string(), ec.message()));
  synth::CsvPortfolioWriter writer(config, dir);
  const PortfolioCounts counts = generate_portfolio(config, writer);
  writer.finish();
  std::ofstream truth(dir / "truth.json", std::ios::binary);
  truth << truth_json(config, counts);
  if (!truth.flush())
    throw Error::io(fmt::format("cannot write {}", (dir / "truth.json").string()));
  return counts;
}

}  // namespace clv
