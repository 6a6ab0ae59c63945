#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/time_unit.hpp"

namespace clv {

void require_same_unit(const TimeUnit& first, std::string_view first_what, const TimeUnit& second,
                       std::string_view second_what) {
  // Lengths written with %.17g round-trip exactly; a relative slack only
  // forgives a hand-typed day count.
  if (std::abs(first.days - second.days) <= 1e-9 * std::max(first.days, second.days)) return;
  throw Error::invalid_argument(fmt::format(
      "time units differ: {} is in {} but {} is in {}; recompute one of them in the other's "
      "unit (clv summary --unit, clv fit --unit) so that rates and horizons mean the same",
      first_what, first.describe(), second_what, second.describe()));
}

}  // namespace clv
