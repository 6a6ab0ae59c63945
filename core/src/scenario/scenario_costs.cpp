#include "scenario/scenario_costs.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double h = (v.size() - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

}  // namespace

double lever_cost(const LeverCost& c, const CostBase& all, const CostBase& part, double employees) {
  const double share = all.customers > 0 ? part.customers / all.customers : 0.0;
  return c.per_customer * part.customers + c.per_incident * part.incidents +
         (c.fixed + c.per_employee * employees) * share;
}

Estimate estimate_from_draws(const std::vector<double>& by_draw) {
  if (by_draw.empty()) throw Error::internal("estimate of no draws");
  Estimate e;
  e.value = by_draw[0];
  if (by_draw.size() == 1) {
    e.lower = e.upper = e.value;
    return e;
  }
  const std::vector<double> draws(by_draw.begin() + 1, by_draw.end());
  e.lower = quantile(draws, 0.05);
  e.upper = quantile(draws, 0.95);
  return e;
}

CostOutcome cost_outcome(std::optional<double> cost, const std::vector<double>& delta_by_draw) {
  CostOutcome out;
  if (!cost) return out;
  if (!(std::isfinite(*cost) && *cost >= 0)) {
    throw Error::invalid_argument(fmt::format("a scenario's cost must be >= 0, got {}", *cost));
  }
  out.cost = *cost;
  std::vector<double> net(delta_by_draw.size()), roi(delta_by_draw.size());
  for (size_t d = 0; d < delta_by_draw.size(); ++d) {
    net[d] = delta_by_draw[d] - *cost;
    if (*cost > 0) roi[d] = net[d] / *cost;
  }
  out.net_benefit = estimate_from_draws(net);
  if (*cost > 0) out.roi = estimate_from_draws(roi);
  return out;
}

// Money and counts in full (no 4-significant-figure rounding: 123456789 must
// not read 1.235e+08); whole numbers without decimals.
static std::string plain_number(double v) {
  if (std::abs(v) < 1e15 && v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

std::string describe_cost(const LeverCost& c, const CostBase& all, double employees) {
  std::string parts;
  auto add = [&](const std::string& p) {
    if (!parts.empty()) parts.append(" + ");
    parts.append(p);
  };
  if (c.per_customer > 0) {
    add(fmt::format("{} per customer x {} customers", plain_number(c.per_customer),
                    plain_number(all.customers)));
  }
  if (c.per_incident > 0) {
    add(fmt::format("{} per incident x {} incidents", plain_number(c.per_incident),
                    plain_number(all.incidents)));
  }
  if (c.per_employee > 0) {
    add(fmt::format("{} per employee x {} employees{}", plain_number(c.per_employee),
                    plain_number(employees), c.location.empty() ? "" : " at " + c.location));
  }
  if (c.fixed > 0) add(fmt::format("{} fixed", plain_number(c.fixed)));
  if (parts.empty()) parts.push_back('0');
  return fmt::format("cost: {} {} = {}", c.lever, parts,
                     plain_number(lever_cost(c, all, all, employees)));
}

}  // namespace clv
