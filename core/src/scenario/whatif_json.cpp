// WhatIfResult -> JSON for `clv whatif --json`.
#include <nlohmann/json.hpp>

#include "clv/whatif_result.hpp"

namespace clv {
namespace {

nlohmann::json to_json(const Estimate& e) {
  return {{"estimate", e.value}, {"lower", e.lower}, {"upper", e.upper}};
}

nlohmann::json to_json(const WhatIfOutcome& o) {
  nlohmann::json j = {{"segment", o.segment},
                      {"customers", o.customers},
                      {"targeted", o.targeted},
                      {"baseline_clv", to_json(o.baseline_clv)},
                      {"scenario_clv", to_json(o.scenario_clv)},
                      {"delta_clv", to_json(o.delta_clv)},
                      {"baseline_active", to_json(o.baseline_active)},
                      {"scenario_active", to_json(o.scenario_active)},
                      {"baseline_churned", to_json(o.baseline_churned)},
                      {"scenario_churned", to_json(o.scenario_churned)}};
  // null = no cost given (never 0 or inf); see scenario/scenario_costs.hpp.
  j["cost"] = o.cost ? nlohmann::json(*o.cost) : nlohmann::json(nullptr);
  j["net_benefit"] = o.net_benefit ? to_json(*o.net_benefit) : nlohmann::json(nullptr);
  j["roi"] = o.roi ? to_json(*o.roi) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

std::string whatif_result_to_json_text(const WhatIfResult& r) {
  nlohmann::json j = {{"model", r.model},
                      {"spend_model", r.spend_model},
                      {"horizon", r.horizon},
                      {"time_unit", r.time_unit},
                      {"annual_discount_rate", r.annual_discount_rate},
                      {"margin", r.margin},
                      {"draws", r.draws},
                      {"seed", r.seed},
                      {"interval_level", r.interval_level},
                      {"notes", r.notes}};
  nlohmann::json list = nlohmann::json::array();
  for (const ScenarioOutcome& s : r.scenarios) {
    nlohmann::json segs = nlohmann::json::array();
    for (const auto& o : s.segments) segs.push_back(to_json(o));
    list.push_back({{"name", s.name},
                    {"rank", s.rank},
                    {"chain", s.chain},
                    {"total", to_json(s.total)},
                    {"segments", segs}});
  }
  j["scenarios"] = list;
  return j.dump(2);
}

}  // namespace clv
