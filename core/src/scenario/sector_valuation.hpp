// A sector's economics as the per-customer constants of the one CLV formula
// (models/clv_valuation.hpp: value_from_terms), for callers that score one
// customer at a time (the Engine, so the C API and HTTP).
#pragma once

#include "clv/sector_economics.hpp"
#include "clv/time_unit.hpp"
#include "models/clv_valuation.hpp"

namespace clv {

// Error::invalid_argument for a horizon or margin the formula refuses.
PreparedValuation sector_valuation(const SectorEconomicsUsed& economics, const TimeUnit& unit,
                                   double horizon);

}  // namespace clv
