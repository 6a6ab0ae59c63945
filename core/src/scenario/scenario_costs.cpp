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

std::string describe_cost(const LeverCost& c, const CostBase& all, double employees) {
  std::string parts;
  auto add = [&](const std::string& p) {
    if (!parts.empty()) parts.append(" + ");
    parts.append(p);
  };
  if (c.per_customer > 0) {
    add(fmt::format("{:.4g} per customer x {:.4g} customers", c.per_customer, all.customers));
  }
  if (c.per_incident > 0) {
    add(fmt::format("{:.4g} per incident x {:.4g} incidents", c.per_incident, all.incidents));
  }
  if (c.per_employee > 0) {
    add(fmt::format("{:.4g} per employee x {:.4g} employees{}", c.per_employee, employees,
                    c.location.empty() ? "" : " at " + c.location));
  }
  if (c.fixed > 0) add(fmt::format("{:.4g} fixed", c.fixed));
  if (parts.empty()) parts.push_back('0');
  return fmt::format("cost: {} {} = {:.4g}", c.lever, parts, lever_cost(c, all, all, employees));
}

}  // namespace clv
