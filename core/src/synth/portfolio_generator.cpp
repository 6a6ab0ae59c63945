// The generative model (data/README.md has the full description):
// customers arrive uniformly over the acquisition window and follow a
// Pareto/NBD process in continuous time whose purchase rate and dropout
// hazard are scaled by exp(effects' z(t)), where z(t) are the customer's
// incident covariates. z only changes when an incident opens or closes, so
// the hazard is piecewise constant and, by memorylessness, the competing
// exponential clocks can simply be redrawn at every change.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "clv/error.hpp"
#include "clv/portfolio_generator.hpp"
#include "domain/calendar.hpp"
#include "synth/generator_config.hpp"
#include "synth/random_source.hpp"
#include "synth/sector_profile.hpp"

namespace clv {
namespace synth {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr uint64_t kStaffStream = 0xFFFF'FFFF'0000'0001ull;

double clamp_score(double v) {
  return std::round(std::clamp(v, 0.0, 10.0) * 10) / 10;
}
double logistic(double x) {
  return 1 / (1 + std::exp(-x));
}
int64_t to_seconds(double day) {
  return std::llround(day * kSecondsPerDay);
}
int64_t to_minor(double amount) {
  return std::max<int64_t>(1, std::llround(amount * 100));
}

// Each sector gets its own streams, so that the same seed does not give
// every sector the same acquisition dates and staff.
uint64_t sector_seed(const GeneratorConfig& config) {
  uint64_t state =
      config.seed ^ (0xA0761D6478BD642Full * (static_cast<uint64_t>(config.sector) + 1));
  return splitmix64(state);
}

struct Staff {
  std::vector<SyntheticEmployee> all;
  std::vector<std::vector<size_t>> by_location;
};

// Traits = 5 + location culture + role habit + individual noise, so that
// locations and roles differ systematically (as the issue asks) while each
// employee is still an individual.
Staff make_staff(const GeneratorConfig& config, const SectorProfile& profile) {
  RandomSource rng(sector_seed(config), kStaffStream);
  constexpr int kTraits = 6;
  std::vector<std::array<double, kTraits>> location_offset(profile.locations.size());
  std::vector<std::array<double, kTraits>> role_offset(profile.roles.size());
  for (auto& o : location_offset)
    for (auto& v : o) v = rng.normal(0, 1.0);
  for (auto& o : role_offset)
    for (auto& v : o) v = rng.normal(0, 0.7);
  Staff staff;
  staff.by_location.resize(profile.locations.size());
  const int64_t n = employee_count(config);
  staff.all.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const size_t location = static_cast<size_t>(i) % profile.locations.size();
    const size_t role = rng.pick(profile.roles);
    std::array<double, kTraits> t{};
    for (int k = 0; k < kTraits; ++k)
      t[k] =
          clamp_score(5 + location_offset[location][k] + role_offset[role][k] + rng.normal(0, 1.6));
    staff.all.push_back({.index = i + 1,
                         .role = profile.roles[role].name,
                         .location = profile.locations[location].name,
                         .trust = t[0],
                         .tact = t[1],
                         .empathy = t[2],
                         .conformity = t[3],
                         .focus = t[4],
                         .flexibility = t[5]});
    staff.by_location[location].push_back(static_cast<size_t>(i));
  }
  return staff;
}

// The customer's incident covariates z(t); see CovariateEffects.
struct IncidentCovariates {
  int unresolved = 0;
  double ratio_sum = 0;
  int resolved = 0;
  double satisfaction_sum = 0;
  int surveys = 0;
  double empathy_sum = 0, tact_sum = 0;
  int handled = 0;

  double linear(const CovariateEffects& e) const {
    double v = e.unresolved_incidents * unresolved;
    if (resolved > 0) v += e.resolution_vs_sla * (ratio_sum / resolved - 1);
    if (surveys > 0) v += e.satisfaction * (satisfaction_sum / surveys - 3);
    if (handled > 0)
      v += e.empathy * (empathy_sum / handled - 5) + e.tact * (tact_sum / handled - 5);
    // Bounded so that a strong effect on many open incidents cannot make a
    // rate infinite (or so large that one customer never finishes).
    return std::clamp(v, -30.0, 8.0);
  }
};

// A future moment at which z(t) changes.
struct CovariateChange {
  enum Kind { kOpen, kResolve, kUnresolvedSurvey } kind;
  double day;
  double ratio = 0;      // resolution time / SLA (kResolve)
  int satisfaction = 0;  // 0 = survey not answered
  double empathy = 0, tact = 0;

  void apply(IncidentCovariates& z) const {
    switch (kind) {
      case kOpen:
        ++z.unresolved;
        z.empathy_sum += empathy;
        z.tact_sum += tact;
        ++z.handled;
        break;
      case kResolve:
        --z.unresolved;
        z.ratio_sum += ratio;
        ++z.resolved;
        break;
      case kUnresolvedSurvey:
        break;
    }
    if (kind != kOpen && satisfaction > 0) {
      z.satisfaction_sum += satisfaction;
      ++z.surveys;
    }
  }
};

class CustomerSimulation {
 public:
  CustomerSimulation(const GeneratorConfig& config, const SectorProfile& profile,
                     const Staff& staff, PortfolioSink& sink, PortfolioCounts& counts)
      : config_(config),
        profile_(profile),
        staff_(staff),
        sink_(sink),
        counts_(counts),
        seed_(sector_seed(config)),
        start_(static_cast<double>(config.start_day)),
        end_(start_ + config.years * kDaysPerYear) {}

  void run(int64_t index) {
    RandomSource rng(seed_, static_cast<uint64_t>(index));
    rng_ = &rng;
    transactions_.clear();
    incidents_.clear();
    changes_.clear();
    z_ = {};
    customer_ = index;

    const double acquired =
        start_ + rng.uniform() * config_.acquisition_share * config_.years * kDaysPerYear;
    const auto& p = config_.process;
    const double lambda = rng.gamma(p.r, p.alpha);
    const double mu = rng.gamma(p.s, p.beta);
    spend_rate_ = rng.gamma(config_.spend.q, config_.spend.gamma);
    const size_t segment = rng.pick(profile_.segments);
    region_ = rng.pick(profile_.regions);
    home_ = home_location(rng);
    preferred_channel_ = rng.pick(profile_.channels);
    product_ = rng.pick(profile_.categories);

    const bool contractual = config_.sector == Sector::kFinancial;
    double next_fee = kInfinity;
    if (contractual) {
      fee_event(acquired);
      next_fee = acquired + kDaysPerMonth;
    } else {
      purchase_event(acquired);
    }

    const double season_max = 1 + config_.seasonality;
    std::optional<double> dropout;
    double t = acquired;
    while (true) {
      const double purchase_rate =
          lambda * std::exp(z_.linear(config_.purchase_effects)) * season_max;
      const double dropout_rate = mu * std::exp(z_.linear(config_.dropout_effects));
      auto change = std::min_element(changes_.begin(), changes_.end(),
                                     [](const auto& a, const auto& b) { return a.day < b.day; });
      const double change_day = change == changes_.end() ? kInfinity : change->day;
      const double next_scheduled = std::min({change_day, next_fee, end_});
      const double total = purchase_rate + dropout_rate;
      const double candidate = t + rng.exponential(total);
      if (candidate >= next_scheduled) {
        t = next_scheduled;
        if (t >= end_) break;
        if (change_day <= next_fee) {
          change->apply(z_);
          changes_.erase(change);
        } else {
          fee_event(next_fee);
          next_fee += kDaysPerMonth;
        }
        continue;
      }
      t = candidate;
      if (rng.uniform() * total < dropout_rate) {
        dropout = t;
        break;
      }
      if (config_.seasonality > 0 && rng.uniform() * season_max >= seasonal_factor(t)) continue;
      purchase_event(t);
    }

    SyntheticCustomer customer{.index = index,
                               .segment = profile_.segments[segment].name,
                               .region = profile_.regions[region_].name,
                               .acquired_at = to_seconds(acquired),
                               .purchase_rate = lambda,
                               .dropout_rate = mu,
                               .dropout_at = std::nullopt};
    if (dropout) {
      customer.dropout_at = to_seconds(*dropout);
      ++counts_.dropouts;
    }
    sink_.customer(customer);
    ++counts_.customers;
    std::stable_sort(transactions_.begin(), transactions_.end(),
                     [](const auto& a, const auto& b) { return a.timestamp < b.timestamp; });
    for (const auto& tx : transactions_) sink_.transaction(tx);
    counts_.transactions += static_cast<int64_t>(transactions_.size());
    std::stable_sort(incidents_.begin(), incidents_.end(),
                     [](const auto& a, const auto& b) { return a.opened_at < b.opened_at; });
    for (const auto& incident : incidents_) {
      sink_.incident(incident);
      if (incident.outcome == "unresolved") ++counts_.unresolved_incidents;
    }
    counts_.incidents += static_cast<int64_t>(incidents_.size());
  }

 private:
  size_t home_location(RandomSource& rng) const {
    std::array<size_t, 16> in_region{};
    size_t n = 0;
    for (size_t i = 0; i < profile_.locations.size() && n < in_region.size(); ++i)
      if (static_cast<size_t>(profile_.locations[i].region) == region_) in_region[n++] = i;
    return n > 0 ? in_region[rng.below(n)] : rng.below(profile_.locations.size());
  }

  // Yearly cycle peaking mid-July; its mean over a year is 1, so the
  // long-run purchase rate stays lambda.
  double seasonal_factor(double day) const {
    constexpr double kPeakDayOfYear = 196;
    const double phase = std::fmod(day, kDaysPerYear) - kPeakDayOfYear;
    return 1 + config_.seasonality * std::cos(2 * std::numbers::pi * phase / kDaysPerYear);
  }

  std::string_view currency() const { return profile_.regions[region_].currency; }
  double purchase_value() { return rng_->gamma(config_.spend.p, spend_rate_); }

  int64_t add_transaction(double day, double amount, std::string_view kind, int64_t quantity,
                          std::string_view category, std::string_view channel,
                          std::string_view location, int64_t references = -1) {
    const int64_t index = references >= 0 ? references : ++next_transaction_;
    transactions_.push_back({.index = index,
                             .customer = customer_,
                             .timestamp = to_seconds(day),
                             .amount_minor = to_minor(amount),
                             .currency = currency(),
                             .kind = kind,
                             .quantity = quantity,
                             .category = category,
                             .channel = channel,
                             .location = location,
                             .references = references});
    return index;
  }

  void maybe_incident(double day, double spread_days, double odds) {
    const double probability =
        std::min(0.9, profile_.incident_probability * odds * config_.incident_rate_scale);
    if (rng_->bernoulli(probability)) open_incident(day + rng_->uniform(0, spread_days));
  }

  void purchase_event(double day) {
    auto& rng = *rng_;
    const double value = purchase_value();
    const auto home = profile_.locations[home_].name;
    switch (config_.sector) {
      case Sector::kRetail: {
        const auto& category = profile_.categories[rng.pick(profile_.categories)];
        const auto channel = profile_.channels[rng.pick(profile_.channels)].name;
        const auto location = channel == "online" ? std::string_view("online") : home;
        const int64_t quantity = 1 + rng.poisson(0.6);
        const int64_t id =
            add_transaction(day, value, "purchase", quantity, category.name, channel, location);
        if (rng.bernoulli(std::min(1.0, config_.return_probability * category.return_odds))) {
          const double returned_day = day + rng.uniform(2, 30);
          const int64_t returned =
              1 + static_cast<int64_t>(rng.below(static_cast<size_t>(quantity)));
          if (returned_day < end_)
            add_transaction(returned_day,
                            value * static_cast<double>(returned) / static_cast<double>(quantity),
                            "return", returned, category.name, channel, location, id);
        }
        maybe_incident(day, 3, category.incident_odds);
        break;
      }
      case Sector::kHospitality: {
        // A stay: one room line per night plus restaurant, spa and minibar
        // lines; the stay's value is split over the lines by weight.
        const auto property = rng.bernoulli(0.7)
                                  ? home
                                  : profile_.locations[rng.below(profile_.locations.size())].name;
        const auto channel = profile_.channels[rng.pick(profile_.channels)].name;
        const int64_t nights = 1 + std::min<int64_t>(6, rng.poisson(1.2));
        struct Line {
          int category;
          double weight;
          int64_t night;
        };
        std::array<Line, 20> lines{};
        size_t n = 0;
        for (int64_t k = 0; k < nights; ++k) {
          lines[n++] = {0, profile_.categories[0].weight, k};
          if (rng.bernoulli(0.5)) lines[n++] = {1, profile_.categories[1].weight, k};
        }
        if (rng.bernoulli(0.2))
          lines[n++] = {2, profile_.categories[2].weight,
                        static_cast<int64_t>(rng.below(static_cast<size_t>(nights)))};
        if (rng.bernoulli(0.3)) lines[n++] = {3, profile_.categories[3].weight, nights - 1};
        double total = 0;
        for (size_t i = 0; i < n; ++i) total += lines[i].weight;
        for (size_t i = 0; i < n; ++i) {
          const double line_day = day + static_cast<double>(lines[i].night);
          if (line_day >= end_) continue;
          add_transaction(line_day, value * lines[i].weight / total, "purchase", 1,
                          profile_.categories[static_cast<size_t>(lines[i].category)].name, channel,
                          property);
        }
        maybe_incident(day, static_cast<double>(nights), 1.0);
        break;
      }
      case Sector::kHealthcare: {
        const auto& line = profile_.categories[rng.pick(profile_.categories)];
        const auto clinic = rng.bernoulli(0.85)
                                ? home
                                : profile_.locations[rng.below(profile_.locations.size())].name;
        add_transaction(day, value, "purchase", 1, line.name,
                        profile_.channels[preferred_channel_].name, clinic);
        maybe_incident(day, 2, line.incident_odds);
        break;
      }
      case Sector::kTravel: {
        const size_t c = rng.pick(profile_.categories);
        const auto& category = profile_.categories[c];
        const auto channel = profile_.channels[rng.pick(profile_.channels)].name;
        const int64_t travellers = 1 + rng.poisson(0.7);
        const int64_t id =
            add_transaction(day, value, "purchase", travellers, category.name, channel, home);
        if (rng.bernoulli(std::min(1.0, config_.return_probability * category.return_odds))) {
          // Cancellation undoes the booking; the refund is what the fare
          // rules give back (flights least, hotels in full).
          constexpr std::array<double, 3> kRefundShare{0.6, 1.0, 0.85};
          const double cancelled = day + rng.uniform(1, 40);
          const double refunded = cancelled + rng.uniform(1, 10);
          if (cancelled < end_)
            add_transaction(cancelled, value, "cancellation", travellers, category.name, channel,
                            home, id);
          if (refunded < end_)
            add_transaction(refunded, value * kRefundShare[c], "refund", travellers, category.name,
                            channel, home, id);
        }
        maybe_incident(day, 14, category.incident_odds);
        break;
      }
      case Sector::kFinancial: {
        // An add-on product (cross-sell) bought on top of the account.
        const auto& product = profile_.categories[rng.pick(profile_.categories)];
        add_transaction(day, value, "purchase", 1, product.name,
                        profile_.channels[preferred_channel_].name, home);
        maybe_incident(day, 5, product.incident_odds * 4);
        break;
      }
    }
  }

  // Financial: the monthly account fee, charged while the customer stays.
  void fee_event(double day) {
    constexpr std::array<double, 3> kMonthlyFee{4.90, 15.00, 2.00};  // card, loan, savings
    const auto& product = profile_.categories[product_];
    add_transaction(day, kMonthlyFee[product_], "purchase", 1, product.name,
                    profile_.channels[preferred_channel_].name, profile_.locations[home_].name);
    maybe_incident(day, 20, product.incident_odds);
  }

  // The handling employee's traits shift the chance of resolution, the time
  // it takes and the satisfaction afterwards (coefficients in truth.json).
  void open_incident(double opened) {
    if (opened >= end_) return;
    auto& rng = *rng_;
    const auto& kind = profile_.incident_kinds[rng.pick(profile_.incident_kinds)];
    const int severity =
        std::clamp(kind.base_severity + static_cast<int>(std::lround(rng.normal(0, 0.8))), 1, 5);
    const auto& local = staff_.by_location[home_];
    const auto& e = local.empty() ? staff_.all[rng.below(staff_.all.size())]
                                  : staff_.all[local[rng.below(local.size())]];
    const double sla_days = (kind.sla_hours > 0 ? kind.sla_hours : config_.sla_hours) / 24;

    const bool resolved =
        rng.bernoulli(logistic(1.6 + 0.25 * (e.conformity - 5) + 0.2 * (e.focus - 5) +
                               0.15 * (e.flexibility - 5) - 0.35 * (severity - 3)));
    const double manner = 0.3 * (e.empathy - 5) + 0.15 * (e.tact - 5) + 0.1 * (e.trust - 5);
    double ratio = 0, closed = 0, latent = 0, response = 0;
    if (resolved) {
      ratio = 0.7 * std::exp(-0.08 * (e.focus - 5) - 0.05 * (e.flexibility - 5) +
                             0.2 * (severity - 3) + rng.normal(0, 0.6));
      closed = opened + ratio * sla_days;
      latent = 3.4 + manner - 0.5 * std::clamp(ratio - 1, -1.0, 3.0);
      response = 0.65;
    } else {
      closed = opened + 2 * sla_days;  // the survey goes out when the case is given up
      latent = 1.9 + manner;
      response = 0.5;
    }
    const int satisfaction =
        std::clamp(static_cast<int>(std::lround(latent + rng.normal(0, 0.8))), 1, 5);
    const bool answered = rng.bernoulli(response);
    const bool compensated =
        rng.bernoulli(logistic(-1.5 + 0.3 * (e.flexibility - 5) + 0.5 * (severity - 3)));
    const double compensation =
        compensated ? profile_.compensation_scale * severity * rng.uniform(0.5, 1.5) : 0;

    SyntheticIncident incident{
        .index = ++next_incident_,
        .customer = customer_,
        .opened_at = to_seconds(opened),
        .resolved_at = std::nullopt,
        .severity = severity,
        .category = kind.category,
        .channel = profile_.incident_channels[rng.pick(profile_.incident_channels)].name,
        .outcome = {},
        .satisfaction = std::nullopt,
        .employee = e.index,
        .compensation_minor = compensated ? to_minor(compensation) : 0};
    const bool closed_in_window = closed < end_;
    incident.outcome = !closed_in_window ? "open" : resolved ? "resolved" : "unresolved";
    if (closed_in_window && resolved)
      incident.resolved_at = std::max(incident.opened_at, to_seconds(closed));
    if (closed_in_window && answered) incident.satisfaction = satisfaction;
    incidents_.push_back(incident);

    changes_.push_back(
        {.kind = CovariateChange::kOpen, .day = opened, .empathy = e.empathy, .tact = e.tact});
    if (closed_in_window)
      changes_.push_back(
          {.kind = resolved ? CovariateChange::kResolve : CovariateChange::kUnresolvedSurvey,
           .day = closed,
           .ratio = ratio,
           .satisfaction = answered ? satisfaction : 0});
  }

  const GeneratorConfig& config_;
  const SectorProfile& profile_;
  const Staff& staff_;
  PortfolioSink& sink_;
  PortfolioCounts& counts_;
  const uint64_t seed_;
  const double start_, end_;

  RandomSource* rng_ = nullptr;
  int64_t customer_ = 0;
  int64_t next_transaction_ = 0;
  int64_t next_incident_ = 0;
  size_t region_ = 0, home_ = 0, preferred_channel_ = 0, product_ = 0;
  double spend_rate_ = 1;
  IncidentCovariates z_;
  std::vector<CovariateChange> changes_;
  std::vector<SyntheticTransaction> transactions_;
  std::vector<SyntheticIncident> incidents_;
};

}  // namespace
}  // namespace synth

PortfolioCounts generate_portfolio(const GeneratorConfig& config, PortfolioSink& sink) {
  synth::validate_config(config);
  const auto& profile = synth::sector_profile(config.sector);
  const auto staff = synth::make_staff(config, profile);
  PortfolioCounts counts;
  for (const auto& e : staff.all) sink.employee(e);
  counts.employees = static_cast<int64_t>(staff.all.size());
  synth::CustomerSimulation simulation(config, profile, staff, sink, counts);
  for (int64_t i = 1; i <= config.customers; ++i) simulation.run(i);
  return counts;
}

}  // namespace clv
