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
                                   double horizon, const WordOfMouthAssumptions& wom,
                                   const ProspectValueSource& prospect_values) {
  validate_word_of_mouth(wom);
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

  ProspectValues values;
  if (wom.value_per_prospect) {
    values.values.assign(p.summary.size(), *wom.value_per_prospect);
    values.source = "value_per_prospect as given";
  } else if (prospect_values) {
    values = prospect_values(p.summary.customer_id);
  } else {
    values.values.assign(p.summary.size(), 0.0);
    values.source = "none: no sector plugins and no value_per_prospect given";
  }
  out.word_of_mouth =
      word_of_mouth(p.covariates.data, wom, values.values, std::move(values.source));
  return out;
}

namespace {

nlohmann::json word_of_mouth_json(const WordOfMouth& w) {
  const WordOfMouthAssumptions& a = w.assumptions;
  return {{"assumptions",
           {{"told_satisfied_low", a.told_satisfied_low},
            {"told_satisfied_high", a.told_satisfied_high},
            {"told_unhappy", a.told_unhappy},
            {"conversion", a.conversion},
            {"satisfied_min_satisfaction", a.satisfied_min_satisfaction},
            {"unhappy_max_satisfaction", a.unhappy_max_satisfaction},
            {"value_per_prospect", w.value_per_prospect},
            {"value_source", w.value_source},
            {"source",
             "service literature: a satisfied customer tells 9-12 people, an unhappy one up to "
             "20"},
            {"definition",
             "unhappy: an incident open at the cut-off or mean survey score <= "
             "unhappy_max_satisfaction; satisfied: mean survey score >= "
             "satisfied_min_satisfaction and nothing open; customers without a scored incident "
             "are neither. One-off values, not discounted, not in the CLVs"}}},
          {"satisfied_customers", w.satisfied},
          {"unhappy_customers", w.unhappy},
          {"prospects_won", {{"low", w.prospects_won_low}, {"high", w.prospects_won_high}}},
          {"prospects_lost", w.prospects_lost},
          {"value_won", {{"low", w.value_won_low}, {"high", w.value_won_high}}},
          {"value_lost", w.value_lost},
          {"net_value", {{"low", w.net_low}, {"high", w.net_high}}}};
}

}  // namespace

std::string word_of_mouth_text(const WordOfMouth& w) {
  const WordOfMouthAssumptions& a = w.assumptions;
  return fmt::format(
      "Word of mouth: {:.0f} satisfied customers (mean survey >= {:.3g}) telling {:.3g}-{:.3g} "
      "people each win {:.1f}-{:.1f} prospects, worth {:.2f}-{:.2f}; {:.0f} unhappy customers "
      "(an open incident or mean survey <= {:.3g}) telling up to {:.3g} lose {:.1f}, worth "
      "{:.2f}; net {:+.2f} to {:+.2f}. Assumptions: {:.3g}% of the people told convert, "
      "{:.2f} per prospect ({}); the literature's 9-12 and 20 people told.",
      w.satisfied, a.satisfied_min_satisfaction, a.told_satisfied_low, a.told_satisfied_high,
      w.prospects_won_low, w.prospects_won_high, w.value_won_low, w.value_won_high, w.unhappy,
      a.unhappy_max_satisfaction, a.told_unhappy, w.prospects_lost, w.value_lost, w.net_low,
      w.net_high, 100 * a.conversion, w.value_per_prospect, w.value_source);
}

ServiceWordOfMouth word_of_mouth_block(const WordOfMouth& w) {
  const WordOfMouthAssumptions& a = w.assumptions;
  ServiceWordOfMouth b;
  b.satisfied_label =
      fmt::format("Satisfied customers (mean survey >= {:.3g})", a.satisfied_min_satisfaction);
  b.unhappy_label = fmt::format("Unhappy customers (an open incident or mean survey <= {:.3g})",
                                a.unhappy_max_satisfaction);
  b.satisfied = w.satisfied;
  b.unhappy = w.unhappy;
  b.told_satisfied_low = a.told_satisfied_low;
  b.told_satisfied_high = a.told_satisfied_high;
  b.told_unhappy = a.told_unhappy;
  b.prospects_won_low = w.prospects_won_low;
  b.prospects_won_high = w.prospects_won_high;
  b.prospects_lost = w.prospects_lost;
  b.value_won_low = w.value_won_low;
  b.value_won_high = w.value_won_high;
  b.value_lost = w.value_lost;
  b.net_low = w.net_low;
  b.net_high = w.net_high;
  b.assumptions = {
      fmt::format("A satisfied customer tells {:.3g} to {:.3g} people, an unhappy one up to {:.3g} "
                  "(the service literature's 9-12 and 20; wom_told_satisfied_low, "
                  "wom_told_satisfied_high, wom_told_unhappy).",
                  a.told_satisfied_low, a.told_satisfied_high, a.told_unhappy),
      fmt::format("{:.3g}% of the people told become customers, or are lost as prospects "
                  "(wom_conversion).",
                  100 * a.conversion),
      fmt::format("Satisfied: mean survey score at least {:.3g}; unhappy: an incident left open "
                  "or a mean score at most {:.3g} (wom_satisfied_min_satisfaction, "
                  "wom_unhappy_max_satisfaction).",
                  a.satisfied_min_satisfaction, a.unhappy_max_satisfaction),
      fmt::format("One prospect is worth {:.2f} ({}; wom_value_per_prospect). The values are "
                  "one-off, not discounted, and not included in the CLVs.",
                  w.value_per_prospect, w.value_source),
      "Each is editable: clv service and clv report --wom-<field> (e.g. --wom-conversion 0.02), "
      "the service request's \"word_of_mouth\" object, or GET /v1/service?wom_<field>=..."};
  return b;
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
      // A site of no one region (online, ...) is not ranked: null and the reason.
      const bool ranked = g.unranked_reason.empty();
      row["region"] = ranked ? json(g.region) : json(nullptr);
      row["rank_in_region"] = ranked ? json(g.rank_in_region) : json(nullptr);
      row["sites_in_region"] = ranked ? json(g.groups_in_region) : json(nullptr);
      row["unranked_reason"] = ranked ? json(nullptr) : json(g.unranked_reason);
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
      {"word_of_mouth", word_of_mouth_json(r.word_of_mouth)},
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
                      g.rank_in_region, g.groups_in_region, g.unranked_reason});
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
  s.word_of_mouth = word_of_mouth_block(r.word_of_mouth);
  return s;
}

}  // namespace clv
