// Guest tracking by site, department, employee and region: how each handles
// incidents and how much churn its service causes, from a covariate churn
// model. The churn attributable to a group is the model's counterfactual:
// the same customers with that group's incidents handled at the portfolio's
// median (resolution time, satisfaction, handler profile).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clv/churn.hpp"
#include "clv/covariates.hpp"

namespace clv {

enum class ServiceKey { kLocation, kDepartment, kEmployee, kRegion };
// "location" (or "site"), "department", "employee", "region"; throws
// Error::invalid_argument otherwise.
ServiceKey parse_service_key(const std::string& name);
const char* service_key_name(ServiceKey key);

struct ServiceGroup {
  std::string group;     // site, department (the handler's role), employee id or region
  std::string region;    // a site's region: its customers' most common one
  double customers = 0;  // the group's customers (see service_breakdown)
  double incidents = 0;  // opened by the calibration end, handled by the group
  double incidents_per_100 = 0;
  double resolved_within_sla = 0;  // share of its incidents resolved within the SLA
  double satisfaction = 0;         // mean answered survey (0 when none was answered)
  double surveys = 0;
  // Expected customers lost over the horizon because the group's incidents
  // were handled worse than the median (negative: better, churn avoided).
  double attributable_churn = 0;
  double attributable_per_100 = 0;  // per 100 of the group's customers
  double clv_at_risk = 0;           // value at risk of its customers over the horizon
  int rank_in_region = 0;           // 1 = least attributable churn per customer (sites)
  int groups_in_region = 0;         // the ranked sites of its region
  // Sites not ranked within a region (rank_in_region 0, region empty): why.
  // A virtual channel (online, web, app, phone, ...), a site none of whose
  // customers has a known region, or one whose customers come from several
  // regions with none holding half of them: it serves no one region, so
  // ranking it against a region's stores would compare unlike things.
  std::string unranked_reason;
};

// Whether a site's name is a virtual channel rather than a place (online,
// web, webshop, e-commerce, app, mobile, phone, call centre, chat, email,
// ...; case and separators ignored).
bool is_virtual_site(const std::string& name);

struct ServiceBreakdown {
  ServiceKey key = ServiceKey::kLocation;
  double horizon = 0;
  std::vector<ServiceGroup> groups;     // most attributable churn per 100 customers first
  double total_attributable_churn = 0;  // every incident at the median; = the groups' sum
  double median_resolution_ratio = 0, median_satisfaction = 0;
  std::vector<std::string> notes;
};

struct ServicePortfolio {
  const CovariateParetoNbd* model = nullptr;
  const CustomerCovariateData* data = nullptr;  // records per customer, as fitted
  std::vector<double> x, t_x, T;
  std::vector<std::string> customer_region;  // per customer ("" unknown)
  std::vector<std::string> customer_site;    // home site per customer ("" unknown)
  std::vector<double> spend_per_purchase;    // for the value at risk
};

// Customers of a group: for sites, those whose home site it is; for regions,
// those living there; for departments and employees, those they handled an
// incident of. An incident belongs to its handler's site, role and id (an
// incident without a handler: the customer's home site, the incident's
// channel, "unknown"). The attribution splits each customer's total
// (risk now - risk with every incident at the median) over the groups in
// proportion to each group's own counterfactual, so groups sum to the total.
ServiceBreakdown service_breakdown(const ServicePortfolio& portfolio, ServiceKey key,
                                   double horizon);

// The service literature's figures beside the business's own (issue 14).
struct ServiceFigures {
  // Incidents followed by another purchase of the customer (after closing),
  // by how they were handled; the literature quotes 82% after a complaint
  // handled quickly and pleasantly.
  double repurchase_within_sla = 0, repurchase_late = 0, repurchase_unresolved = 0;
  double incidents_within_sla = 0, incidents_late = 0, incidents_unresolved = 0;
  // Severity-5 or satisfaction-1 incidents with no later purchase; the
  // literature quotes 91% of retail customers not coming back after really
  // poor service.
  double lost_after_worst = 0, worst_incidents = 0;
  static constexpr double kQuotedRepurchase = 0.82, kQuotedLost = 0.91;
};

// Word of mouth, with the service literature's assumptions stated and
// editable: a satisfied customer tells 9 to 12 people, an unhappy one up to
// 20; a share `conversion` of the people told become customers (satisfied)
// or are lost as prospects (unhappy), each worth `value_per_prospect` (the
// sector's referral value unless the request sets it). From the covariate
// run's incident records: a customer is unhappy with an incident open at the
// cut-off or a mean survey score <= unhappy_max_satisfaction; satisfied with
// a mean survey score >= satisfied_min_satisfaction and nothing open.
// Customers without a scored incident (and not unhappy) count as neither:
// the data says nothing about how they were served. The figures are one-off
// (not per period, not discounted) and do not enter the CLVs.
struct WordOfMouthAssumptions {
  double told_satisfied_low = 9, told_satisfied_high = 12, told_unhappy = 20;
  double conversion = 0.01;  // share of the people told, in [0, 1]
  double satisfied_min_satisfaction = 4, unhappy_max_satisfaction = 2;
  std::optional<double> value_per_prospect;  // >= 0; unset: the sector's referral value
};

// Error::invalid_argument naming the field outside its range.
void validate_word_of_mouth(const WordOfMouthAssumptions& a);

struct WordOfMouth {
  WordOfMouthAssumptions assumptions;
  double value_per_prospect = 0;
  std::string value_source;           // "request", "sector referral value", ...
  double satisfied = 0, unhappy = 0;  // customers
  double prospects_won_low = 0, prospects_won_high = 0, prospects_lost = 0;
  double value_won_low = 0, value_won_high = 0, value_lost = 0;
  double net_low = 0, net_high = 0;  // won - lost
};

// `value_per_prospect[i]`: what one prospect won or lost through customer i
// is worth (its sector's referral value, or the assumptions' value for
// all); the reported value_per_prospect is its mean over the customers
// counted (satisfied or unhappy).
WordOfMouth word_of_mouth(const CustomerCovariateData& data, const WordOfMouthAssumptions& a,
                          const std::vector<double>& value_per_prospect, std::string value_source);

// `purchase_times[i]`: customer i's purchase times after its first purchase
// (same unit and origin as the incident times), to the end of the data.
ServiceFigures service_figures(const CustomerCovariateData& data,
                               const std::vector<std::vector<double>>& purchase_times);

}  // namespace clv
