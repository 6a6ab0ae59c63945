// The money side of a scenario: what its levers cost, and its net benefit and
// return on investment. One place for every front end (clv whatif, the
// report, HTTP POST /v1/what-if, the C API), so they agree.
//
// What a lever's cost is multiplied by (the customers, incidents and
// employees the lever touches):
//   cost_per_customer  x targeted customers (weights count)
//   cost_per_incident  x recorded incidents of the targeted customers (needs
//                        the incident records of a covariate run)
//   cost_per_employee  x distinct employees who handled those incidents (a
//                        staff lever: those of its location only)
//   fixed_cost         once
// A scenario's cost is the sum over its lever costs (plus a plugin lever's
// stated cost to serve, per customer and period, over the horizon). A
// segment carries its own per-customer and per-incident costs and a share of
// the fixed and per-employee costs in proportion to its targeted customers.
//
//   net benefit = delta CLV - cost
//   ROI         = net benefit / cost     (only when cost > 0)
// Both are computed per Monte Carlo draw from the same draws as delta CLV
// (the cost itself is fixed), so their 90% intervals are the delta CLV
// interval shifted (and, for ROI, scaled by 1 / cost). Without any cost
// given, cost, net benefit and ROI are absent ("no cost given", JSON null).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clv/scenario.hpp"
#include "clv/whatif_result.hpp"

namespace clv {

// What the levers of a scenario touch, for all its targets or one segment.
struct CostBase {
  double customers = 0;  // targeted customers
  double incidents = 0;  // their recorded incidents
};

// Cost of one lever: `all` is the whole scenario's base, `part` the share
// being costed (equal to `all` for the total), `employees` the distinct
// employees the lever touches over the whole scenario.
double lever_cost(const LeverCost& cost, const CostBase& all, const CostBase& part,
                  double employees);

// Estimate (value from draw 0, 5% / 95% quantiles of draws 1..n) of a
// quantity given per draw; draw 0 holds the point estimate.
Estimate estimate_from_draws(const std::vector<double>& by_draw);

struct CostOutcome {
  std::optional<double> cost;  // absent: no cost given
  std::optional<Estimate> net_benefit, roi;
};

// Net benefit and ROI from the per-draw delta CLV (draw 0 = point estimate).
// `cost` absent: all absent. Cost 0: net benefit = delta CLV, no ROI.
CostOutcome cost_outcome(std::optional<double> cost, const std::vector<double>& delta_by_draw);

// A line for the lever chain, e.g. "cost: retention_offer 2 per customer x
// 300 customers = 600".
std::string describe_cost(const LeverCost& cost, const CostBase& all, double employees);

}  // namespace clv
