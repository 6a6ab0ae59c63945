#include "clv/service_report.hpp"

#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "churn/covariate_fit_record.hpp"
#include "domain/calendar.hpp"
#include "store/customer_sites.hpp"
#include "store/purchase_days.hpp"

namespace clv {

ServiceReport build_service_report(const std::string& db_path, int64_t fit_run, ServiceKey key,
                                   double horizon) {
  ServiceReport out;
  const CovariateFitRecord record = load_covariate_fit_run(db_path, fit_run, &out.fit_run);
  int64_t seconds = 0;
  parse_timestamp(record.calibration_end, seconds);
  DbCovariateOptions options;
  options.db_path = db_path;
  options.calibration_end_day = day_of(seconds);
  options.unit = record.unit;
  const DbCovariatePortfolio p = load_db_covariate_portfolio(options, record.spec, &record);
  out.calibration_end = record.calibration_end;
  out.time_unit = record.unit.name;
  out.customers = p.summary.size();

  ServicePortfolio sp;
  sp.model = &record.model;
  sp.data = &p.covariates.data;
  sp.x = p.summary.x;
  sp.t_x = p.summary.t_x;
  sp.T = p.summary.T;
  sp.customer_region = p.covariates.customer_region;
  sp.customer_site = load_home_sites(db_path, p.summary.customer_id, options.calibration_end_day);
  std::string spend_note;
  sp.spend_per_purchase = spend_per_purchase(p.summary.x, p.summary.monetary, &spend_note);
  out.breakdown = service_breakdown(sp, key, horizon);
  out.breakdown.notes.push_back(spend_note);
  out.breakdown.notes.insert(out.breakdown.notes.end(), record.notes.begin(), record.notes.end());

  // Purchases to the end of the data, in the incidents' time frame.
  const auto days =
      load_purchase_days(db_path, p.summary.customer_id, std::numeric_limits<int32_t>::max() / 2);
  std::vector<std::vector<double>> times(days.size());
  for (size_t i = 0; i < days.size(); ++i) {
    for (int32_t day : days[i]) {
      times[i].push_back(static_cast<double>(day - days[i].front()) / record.unit.days);
    }
  }
  out.figures = service_figures(p.covariates.data, times);
  return out;
}

std::string service_report_json(const ServiceReport& r) {
  using nlohmann::json;
  const ServiceBreakdown& b = r.breakdown;
  json groups = json::array();
  for (const ServiceGroup& g : b.groups) {
    json row = {
        {"group", g.group},
        {"customers", g.customers},
        {"incidents", g.incidents},
        {"incidents_per_100_customers", g.incidents_per_100},
        {"resolved_within_sla", g.incidents > 0 ? json(g.resolved_within_sla) : json(nullptr)},
        {"mean_satisfaction", g.surveys > 0 ? json(g.satisfaction) : json(nullptr)},
        {"surveys", g.surveys},
        {"attributable_churn", g.attributable_churn},
        {"attributable_churn_per_100", g.attributable_per_100},
        {"clv_at_risk", g.clv_at_risk}};
    if (b.key == ServiceKey::kLocation) {
      row["region"] = g.region;
      row["rank_in_region"] = g.rank_in_region;
      row["sites_in_region"] = g.groups_in_region;
    }
    groups.push_back(row);
  }
  const ServiceFigures& f = r.figures;
  json j = {
      {"by", service_key_name(b.key)},
      {"fit_run", r.fit_run},
      {"calibration_end", r.calibration_end},
      {"time_unit", r.time_unit},
      {"horizon", b.horizon},
      {"customers", r.customers},
      {"total_attributable_churn", b.total_attributable_churn},
      {"median_resolution_vs_sla", b.median_resolution_ratio},
      {"groups", groups},
      {"figures",
       {{"repurchase_after_incident",
         {{"within_sla", f.repurchase_within_sla},
          {"late", f.repurchase_late},
          {"unresolved", f.repurchase_unresolved},
          {"incidents_within_sla", f.incidents_within_sla},
          {"incidents_late", f.incidents_late},
          {"incidents_unresolved", f.incidents_unresolved},
          {"quoted", ServiceFigures::kQuotedRepurchase},
          {"quoted_source", "82% repurchase after a complaint handled quickly and pleasantly"}}},
        {"lost_after_worst_incident",
         {{"share", f.lost_after_worst},
          {"incidents", f.worst_incidents},
          {"quoted", ServiceFigures::kQuotedLost},
          {"quoted_source", "91% of retail customers do not return after really poor service"},
          {"definition", "severity 5 or satisfaction 1; no purchase afterwards in the data"}}}}},
      {"notes", b.notes}};
  return j.dump(2);
}

ServiceSection service_report_section(const ServiceReport& r) {
  ServiceSection s;
  const ServiceBreakdown& b = r.breakdown;
  s.by = b.key == ServiceKey::kLocation ? "site" : service_key_name(b.key);
  s.total_attributable_churn = b.total_attributable_churn;
  for (const ServiceGroup& g : b.groups) {
    s.rows.push_back({g.group, g.region, g.customers, g.incidents_per_100, g.resolved_within_sla,
                      g.surveys > 0 ? g.satisfaction : 0.0, g.attributable_per_100, g.clv_at_risk,
                      g.rank_in_region, g.groups_in_region});
  }
  const ServiceFigures& f = r.figures;
  s.figures.push_back(fmt::format(
      "Bought again after an incident: {:.0f}% when resolved within the SLA ({:.0f} incidents), "
      "{:.0f}% when late ({:.0f}), {:.0f}% when unresolved ({:.0f}); the service literature "
      "quotes 82% after a complaint handled quickly and pleasantly.",
      100 * f.repurchase_within_sla, f.incidents_within_sla, 100 * f.repurchase_late,
      f.incidents_late, 100 * f.repurchase_unresolved, f.incidents_unresolved));
  s.figures.push_back(fmt::format(
      "Never bought again after a severity-5 or satisfaction-1 incident: {:.0f}% ({:.0f} "
      "incidents); the literature quotes 91% of retail customers not returning after really "
      "poor service.",
      100 * f.lost_after_worst, f.worst_incidents));
  return s;
}

}  // namespace clv
