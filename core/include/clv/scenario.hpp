// What-if scenario files: which fitted run, which customers, which levers.
// Files are TOML (toml++) or JSON; every problem is reported with the file
// name and the line (TOML) or the JSON path, so a user can fix it in place.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clv {

// The fitted run a scenario file names. Paths are resolved against the
// scenario file's directory.
struct ScenarioRun {
  std::string summary;       // summary CSV (frequency,recency,T,monetary_value)
  std::string count_params;  // clv fit --out JSON of bgnbd, mbgnbd or pnbd
  std::string spend_params;  // clv fit --out JSON of gg
  std::string customers;     // optional: customer_id,sector,segment,region,...
  // Optional: the engine database holding the incidents of a covariate fit
  // named by count_params (clv fit --db --covariates --out); incident and
  // staff levers need it.
  std::string db;
  double horizon = 0;  // in the count model's time unit
  // Unless given, the sector plugin's economics of the customers valued
  // (clv/sector_economics.hpp: whatif_economics), else 0 and 1.
  double annual_discount_rate = 0;
  double margin = 1.0;
  bool discount_rate_given = false, margin_given = false;
  // Value only this sector's customers (with its plugin's economics).
  std::string sector;
};

// Which customers a scenario acts on. Filters intersect; `all` alone selects
// everyone. clv_decile 1 is the most valuable tenth.
struct ScenarioTarget {
  bool all = false;
  std::vector<std::string> sector, segment, region;
  std::vector<std::string> risk_band;          // "high", "medium", "low" (by P(alive))
  int clv_decile_from = 0, clv_decile_to = 0;  // 0 = no filter
  long top_by_value_at_risk = 0;               // 0 = no filter
};

// A quantity with its own uncertainty: normal on the lever's natural scale
// or log-normal for ratios, given by a 90% interval [low, high].
struct UncertainValue {
  double value = 0;
  std::optional<double> low90, high90;
  bool uncertain() const { return low90.has_value(); }
};

struct RetentionOffer {
  UncertainValue hazard_ratio{1.0, {}, {}};  // multiplies the dropout rate, log-normal
};

// What pulling one lever costs, in the currency of the CLVs (all >= 0). A
// lever table (retention_offer, price, margin, purchase_rate, incidents, each
// staff or plugin_lever entry) takes cost_per_customer, cost_per_incident,
// cost_per_employee and fixed_cost; a scenario takes fixed_cost. What a cost
// is multiplied by is in scenario/scenario_costs.hpp.
struct LeverCost {
  std::string lever;     // "retention_offer", "staff", ..., "scenario" for the scenario's own
  std::string location;  // staff levers: the employees of this location (empty = all)
  double per_customer = 0, per_incident = 0, per_employee = 0, fixed = 0;
  int line = 0;
  std::string path;  // its field path, e.g. "scenario[0].incidents" (for JSON, no lines)
};

struct PriceChange {
  double change = 0;                       // +0.05 = prices 5% higher
  UncertainValue elasticity{0.0, {}, {}};  // of the purchase rate w.r.t. price
  bool costs_fixed = true;                 // unit costs unchanged: the margin grows with price
};

// A price rise only for customers served well: every targeted customer whose
// mean survey score over the incidents of the covariate run (known scores
// only) is >= min_satisfaction pays price_increase more, with the price
// lever's spend, elasticity and margin arithmetic. Customers without a
// scored incident (no incident, or none surveyed) are not charged: nothing
// shows they were served above the level. Needs a covariate run (run.db).
struct ServicePremium {
  double price_increase = 0;               // +0.05 = prices 5% higher for those customers
  double min_satisfaction = 4;             // 1..5, mean survey score at or above it
  UncertainValue elasticity{0.0, {}, {}};  // of the purchase rate w.r.t. price
  bool costs_fixed = true;                 // unit costs unchanged: the margin grows with price
  int line = 0;                            // where it is in the file (0 if unknown)
  std::string path;                        // "scenario[0].service_premium"
};

// Covariate levers (incidents, staff) need a fitted covariate model; they
// are parsed and validated here and applied through its effects.
struct IncidentLevers {
  std::optional<double> resolution_time_factor;  // x f on every resolution time
  // Probability that an incident open at the cut-off stays open (1 = as
  // observed, 0 = every open incident resolved within its SLA).
  std::optional<double> unresolved_share;
  std::map<std::string, double> rate_factor;  // category or "severity:N" -> x f
  std::optional<double> satisfaction;         // survey score after resolution, 1..5
  // Each known survey score s becomes 5 - (5 - s) x f (plugin dissatisfaction
  // levers; see scenario/plugin_covariate_levers.hpp).
  std::optional<double> dissatisfaction_factor;
};

struct StaffChange {
  std::string location;                         // empty = all staff
  std::map<std::string, double> profile_delta;  // "empathy" -> +1 (profile 0..10)
};

struct PluginLeverUse {
  std::string plugin;                    // plugin id or sector
  std::string lever;                     // lever id
  std::map<std::string, double> values;  // parameter -> value (defaults otherwise)
  int line = 0;
  std::string path;  // "scenario[0].plugin_lever"
};

struct Scenario {
  std::string name;
  int line = 0;      // where it starts in the file (0 if unknown)
  std::string path;  // its field path, "scenario[0]" (JSON has no lines)
  ScenarioTarget target;
  std::optional<RetentionOffer> retention_offer;
  std::optional<PriceChange> price;
  std::optional<ServicePremium> service_premium;
  std::optional<double> margin_add;  // percentage points as a fraction
  std::optional<UncertainValue> purchase_rate_factor;
  std::optional<IncidentLevers> incidents;
  std::vector<StaffChange> staff;
  std::vector<PluginLeverUse> plugin_levers;
  // Costs given for its levers (empty = no cost given: no cost, net benefit
  // or ROI is reported, unless a plugin lever states a cost to serve).
  std::vector<LeverCost> costs;
};

struct ScenarioFile {
  std::string path;  // as given, for messages
  ScenarioRun run;
  std::vector<Scenario> scenarios;
  // A request body (HTTP, C API, Engine) rather than a file for `clv whatif`:
  // messages then name the body's JSON fields instead of the file's [run].
  bool request_body = false;
};

// Where a scenario item is, for messages: "line N" in a TOML file, else its
// field path ("scenario[0].incidents"), which JSON bodies and files name.
inline std::string scenario_place(int line, const std::string& path) {
  if (line > 0) return "line " + std::to_string(line);
  return path.empty() ? std::string("scenario") : path;
}

// How scenario text is read: by the source name (.json: JSON, else TOML), or
// as the JSON body of a what-if request (POST /v1/whatif, clv_whatif_json,
// Engine::what_if), whose messages name the fields the client sent.
enum class ScenarioSyntax { by_name, request_body };

// Parses and validates. `source_name` ends in .json for JSON, else TOML.
// Throws Error::invalid_argument "<file>:<line>: <what>" naming the unknown
// lever, the bad value or the empty target.
ScenarioFile parse_scenario_text(const std::string& text, const std::string& source_name,
                                 ScenarioSyntax syntax = ScenarioSyntax::by_name);

// Reads `path` (Error::not_found if missing) and resolves the run's relative
// paths: summary and fits against `run_dir` when given (where `clv summary`
// and `clv fit` wrote them), else against the scenario file's directory;
// customers always against the scenario file's directory (sector data).
ScenarioFile load_scenario_file(const std::string& path, const std::string& run_dir = "");

}  // namespace clv
