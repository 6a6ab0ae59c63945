// Static vocabulary and rates that give each sector its flavour: segments,
// regions with their currency, locations, staff roles, product categories,
// channels and incident kinds. Names are string literals, so records can
// hold string_views into these tables for the whole program.
#pragma once

#include <span>
#include <string_view>

#include "clv/portfolio_generator.hpp"

namespace clv::synth {

struct Weighted {
  std::string_view name;
  double weight;
};

struct Region {
  std::string_view name;
  std::string_view currency;
  double weight;
};

struct Location {
  std::string_view name;
  int region;  // index into SectorProfile::regions
};

struct ProductCategory {
  std::string_view name;
  double weight;
  double incident_odds;  // multiplies the sector's per-purchase incident probability
  double return_odds;    // multiplies the return / cancellation probability
};

struct IncidentKind {
  std::string_view category;
  double weight;
  int base_severity;  // 1..5, before noise
  // The category's resolution target; 0 = the sector's GeneratorConfig::sla_hours.
  // Set to the sector plugin's SLA where the plugin's differ by category, so
  // that truth.json's resolution_vs_sla is the covariate the engine builds.
  double sla_hours = 0;
};

struct SectorProfile {
  std::span<const Weighted> segments;
  std::span<const Region> regions;
  std::span<const Location> locations;
  std::span<const Weighted> roles;
  std::span<const ProductCategory> categories;
  std::span<const Weighted> channels;
  std::span<const IncidentKind> incident_kinds;
  std::span<const Weighted> incident_channels;
  double incident_probability;  // per purchase event (per fee for financial)
  double compensation_scale;    // major units per severity point
};

const SectorProfile& sector_profile(Sector sector);

}  // namespace clv::synth
