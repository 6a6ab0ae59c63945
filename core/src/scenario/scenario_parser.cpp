// Scenario files -> ScenarioFile. JSON is converted to a toml::table first so
// one validator serves both; TOML nodes carry their line numbers, JSON nodes
// are named by their path instead.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/scenario.hpp"
#include "domain/nesting_limits.hpp"

namespace clv {
namespace {

class Validator {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::node* node, const std::string& path,
                         const std::string& what) const {
    const int line = node ? static_cast<int>(node->source().begin.line) : 0;
    if (line > 0) throw Error::invalid_argument(fmt::format("{}:{}: {}", source_, line, what));
    throw Error::invalid_argument(fmt::format("{}: at {}: {}", source_, path, what));
  }

  const toml::table& table(const toml::node& node, const std::string& path) const {
    if (!node.is_table()) fail(&node, path, fmt::format("{} must be a table", path));
    return *node.as_table();
  }

  double number(const toml::node& node, const std::string& path) const {
    if (auto v = node.value<double>(); v && node.is_number()) {
      if (!std::isfinite(*v)) fail(&node, path, fmt::format("{} must be a finite number", path));
      return *v;
    }
    fail(&node, path, fmt::format("bad value for {}: expected a number", path));
  }

  double number_in(const toml::node& node, const std::string& path, double lo, double hi,
                   const char* hint) const {
    const double v = number(node, path);
    if (!(v >= lo && v <= hi)) {
      fail(&node, path, fmt::format("bad value {} for {}: {}", v, path, hint));
    }
    return v;
  }

  std::string text(const toml::node& node, const std::string& path) const {
    if (auto v = node.value<std::string>(); v && node.is_string()) return *v;
    fail(&node, path, fmt::format("bad value for {}: expected a string", path));
  }

  bool boolean(const toml::node& node, const std::string& path) const {
    if (node.is_boolean()) return *node.value<bool>();
    fail(&node, path, fmt::format("bad value for {}: expected true or false", path));
  }

  std::vector<std::string> texts(const toml::node& node, const std::string& path) const {
    std::vector<std::string> out;
    if (node.is_array()) {
      for (const toml::node& e : *node.as_array()) out.push_back(text(e, path));
      if (out.empty()) fail(&node, path, fmt::format("{} is an empty list", path));
    } else {
      out.push_back(text(node, path));
    }
    return out;
  }

  void only_keys(const toml::table& t, const std::string& path, const std::set<std::string>& known,
                 const char* kind) const {
    for (auto&& [key, value] : t) {
      if (!known.count(std::string(key.str()))) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(&value, path + "." + std::string(key.str()),
             fmt::format("unknown {} '{}' in {} (known: {})", kind, key.str(), path, list));
      }
    }
  }

  // A number or [low, high] 90% interval with the value in the middle, or a
  // table {value, low90, high90}.
  UncertainValue uncertain(const toml::node& node, const std::string& path, double lo,
                           double hi) const {
    UncertainValue u;
    const char* hint = "out of range";
    if (node.is_table()) {
      const toml::table& t = *node.as_table();
      only_keys(t, path, {"value", "low90", "high90"}, "field");
      const toml::node* v = t.get("value");
      if (!v) fail(&node, path, fmt::format("{} needs a value", path));
      u.value = number_in(*v, path + ".value", lo, hi, hint);
      const toml::node* l = t.get("low90");
      const toml::node* h = t.get("high90");
      if (bool(l) != bool(h))
        fail(&node, path, fmt::format("{} needs both low90 and high90", path));
      if (l) {
        u.low90 = number_in(*l, path + ".low90", lo, hi, hint);
        u.high90 = number_in(*h, path + ".high90", lo, hi, hint);
        if (!(*u.low90 <= u.value && u.value <= *u.high90)) {
          fail(&node, path, fmt::format("bad value for {}: need low90 <= value <= high90", path));
        }
      }
      return u;
    }
    u.value = number_in(node, path, lo, hi, hint);
    return u;
  }

 private:
  std::string source_;
};

toml::table json_to_toml(const nlohmann::json& j);

void add_json_value(toml::array& out, const nlohmann::json& v);

void insert_json_value(toml::table& out, const std::string& key, const nlohmann::json& v) {
  if (v.is_object()) {
    out.insert(key, json_to_toml(v));
  } else if (v.is_array()) {
    toml::array a;
    for (const auto& e : v) add_json_value(a, e);
    out.insert(key, std::move(a));
  } else if (v.is_boolean()) {
    out.insert(key, v.get<bool>());
  } else if (v.is_number_integer()) {
    out.insert(key, v.get<int64_t>());
  } else if (v.is_number()) {
    out.insert(key, v.get<double>());
  } else if (v.is_string()) {
    out.insert(key, v.get<std::string>());
  }  // null: left out, like an absent key
}

void add_json_value(toml::array& out, const nlohmann::json& v) {
  if (v.is_object()) {
    out.push_back(json_to_toml(v));
  } else if (v.is_array()) {
    toml::array a;
    for (const auto& e : v) add_json_value(a, e);
    out.push_back(std::move(a));
  } else if (v.is_boolean()) {
    out.push_back(v.get<bool>());
  } else if (v.is_number_integer()) {
    out.push_back(v.get<int64_t>());
  } else if (v.is_number()) {
    out.push_back(v.get<double>());
  } else if (v.is_string()) {
    out.push_back(v.get<std::string>());
  }
}

toml::table json_to_toml(const nlohmann::json& j) {
  toml::table t;
  for (auto it = j.begin(); it != j.end(); ++it) insert_json_value(t, it.key(), it.value());
  return t;
}

// The largest cost a lever may carry (in the currency of the CLVs): the
// messages name it so that a refused 1e300 says what is allowed.
constexpr double kMaxCost = 1e12;
constexpr const char* kCostRule =
    "a cost in [0, 1e12] (at most 10^12 = 1,000,000,000,000, in the currency of the CLVs)";

const std::set<std::string> kCostKeys = {"cost_per_customer", "cost_per_incident",
                                         "cost_per_employee", "fixed_cost"};

std::set<std::string> with_costs(std::set<std::string> keys) {
  keys.insert(kCostKeys.begin(), kCostKeys.end());
  return keys;
}

// The cost fields of one lever table, appended to `s.costs` when any is set.
void parse_lever_cost(const Validator& v, const toml::table& t, const std::string& path,
                      const std::string& lever, const std::string& location, Scenario& s) {
  LeverCost c;
  c.lever = lever;
  c.location = location;
  c.line = static_cast<int>(t.source().begin.line);
  c.path = path;
  bool any = false;
  auto read = [&](const char* key, double& out) {
    if (auto* n = t.get(key)) {
      out = v.number_in(*n, path + "." + key, 0, kMaxCost, kCostRule);
      any = true;
    }
  };
  read("cost_per_customer", c.per_customer);
  read("cost_per_incident", c.per_incident);
  read("cost_per_employee", c.per_employee);
  read("fixed_cost", c.fixed);
  if (any) s.costs.push_back(std::move(c));
}

// The lever fields of `t` (its keys other than the cost fields).
size_t lever_fields(const toml::table& t) {
  size_t n = 0;
  for (auto&& [key, value] : t) n += kCostKeys.count(std::string(key.str())) ? 0 : 1;
  return n;
}

ScenarioRun parse_run(const Validator& v, const toml::table& t) {
  v.only_keys(t, "run",
              {"summary", "count_params", "spend_params", "customers", "db", "horizon",
               "discount_rate", "margin", "sector"},
              "field");
  ScenarioRun run;
  for (const char* required : {"summary", "count_params", "spend_params", "horizon"}) {
    if (!t.get(required)) v.fail(&t, "run", fmt::format("[run] needs {}", required));
  }
  run.summary = v.text(*t.get("summary"), "run.summary");
  run.count_params = v.text(*t.get("count_params"), "run.count_params");
  run.spend_params = v.text(*t.get("spend_params"), "run.spend_params");
  if (auto* c = t.get("customers")) run.customers = v.text(*c, "run.customers");
  if (auto* d = t.get("db")) run.db = v.text(*d, "run.db");
  run.horizon = v.number_in(*t.get("horizon"), "run.horizon", 1e-9, 1e6,
                            "the horizon must be > 0 (in the model's time unit)");
  if (auto* d = t.get("discount_rate")) {
    run.annual_discount_rate =
        v.number_in(*d, "run.discount_rate", 0, 10, "the annual rate must be in [0, 10]");
    run.discount_rate_given = true;
  }
  if (auto* m = t.get("margin")) {
    run.margin = v.number_in(*m, "run.margin", 0, 1, "the margin is a share of spend in [0, 1]");
    run.margin_given = true;
  }
  if (auto* sector = t.get("sector")) run.sector = v.text(*sector, "run.sector");
  return run;
}

ScenarioTarget parse_target(const Validator& v, const toml::node& node, const std::string& path) {
  ScenarioTarget target;
  if (node.is_string() && *node.value<std::string>() == "all") {
    target.all = true;
    return target;
  }
  const toml::table& t = v.table(node, path);
  if (t.empty()) {
    v.fail(&node, path,
           fmt::format("empty target in {}: use target = \"all\" or filters (sector, segment, "
                       "region, risk_band, clv_decile, top_by_value_at_risk)",
                       path));
  }
  v.only_keys(
      t, path,
      {"all", "sector", "segment", "region", "risk_band", "clv_decile", "top_by_value_at_risk"},
      "target filter");
  if (auto* a = t.get("all")) target.all = v.boolean(*a, path + ".all");
  if (auto* s = t.get("sector")) target.sector = v.texts(*s, path + ".sector");
  if (auto* s = t.get("segment")) target.segment = v.texts(*s, path + ".segment");
  if (auto* s = t.get("region")) target.region = v.texts(*s, path + ".region");
  if (auto* s = t.get("risk_band")) {
    target.risk_band = v.texts(*s, path + ".risk_band");
    for (const auto& b : target.risk_band) {
      if (b != "high" && b != "medium" && b != "low") {
        v.fail(s, path + ".risk_band",
               fmt::format("bad value '{}' for risk_band: use high, medium or low", b));
      }
    }
  }
  if (auto* d = t.get("clv_decile")) {
    const std::string p = path + ".clv_decile";
    if (d->is_array()) {
      const toml::array& a = *d->as_array();
      if (a.size() != 2) v.fail(d, p, "bad value for clv_decile: use N or [from, to]");
      target.clv_decile_from =
          static_cast<int>(v.number_in(*a.get(0), p, 1, 10, "deciles are 1..10"));
      target.clv_decile_to =
          static_cast<int>(v.number_in(*a.get(1), p, 1, 10, "deciles are 1..10"));
      if (target.clv_decile_from > target.clv_decile_to) {
        v.fail(d, p, "bad value for clv_decile: from > to");
      }
    } else {
      target.clv_decile_from = target.clv_decile_to =
          static_cast<int>(v.number_in(*d, p, 1, 10, "deciles are 1..10 (1 = top tenth by CLV)"));
    }
  }
  if (auto* n = t.get("top_by_value_at_risk")) {
    target.top_by_value_at_risk = static_cast<long>(
        v.number_in(*n, path + ".top_by_value_at_risk", 1, 1e12, "must be a count >= 1"));
  }
  if (target.all && (t.size() > 1)) {
    v.fail(&node, path, "target 'all' cannot be combined with filters");
  }
  if (!target.all && t.size() == 1 && t.get("all")) {
    v.fail(&node, path, fmt::format("empty target in {}: all = false selects nobody", path));
  }
  return target;
}

IncidentLevers parse_incidents(const Validator& v, const toml::table& t, const std::string& path) {
  v.only_keys(
      t, path,
      with_costs({"resolution_time_factor", "unresolved_share", "rate_factor", "satisfaction"}),
      "incident lever");
  IncidentLevers out;
  if (auto* n = t.get("resolution_time_factor")) {
    out.resolution_time_factor =
        v.number_in(*n, path + ".resolution_time_factor", 0, 100, "a factor >= 0");
  }
  if (auto* n = t.get("unresolved_share")) {
    out.unresolved_share = v.number_in(*n, path + ".unresolved_share", 0, 1, "a share in [0, 1]");
  }
  if (auto* n = t.get("satisfaction")) {
    out.satisfaction =
        v.number_in(*n, path + ".satisfaction", 1, 5, "a survey score after resolution in [1, 5]");
  }
  if (auto* n = t.get("rate_factor")) {
    const toml::table& rates = v.table(*n, path + ".rate_factor");
    if (rates.empty()) v.fail(n, path + ".rate_factor", "rate_factor names no category");
    for (auto&& [k, val] : rates) {
      const std::string key(k.str());
      if (key.rfind("severity:", 0) == 0 && (key.size() != 10 || key[9] < '1' || key[9] > '5')) {
        v.fail(&val, path + ".rate_factor." + key,
               fmt::format("bad key '{}' in rate_factor: use a category or severity:1..5", key));
      }
      out.rate_factor[std::string(k.str())] =
          v.number_in(val, path + ".rate_factor." + std::string(k.str()), 0, 100, "a factor >= 0");
    }
  }
  if (lever_fields(t) == 0) v.fail(&t, path, fmt::format("{} sets no lever", path));
  return out;
}

StaffChange parse_staff(const Validator& v, const toml::table& t, const std::string& path) {
  static const std::set<std::string> kTraits = {"trust",      "tact",  "empathy",
                                                "conformity", "focus", "flexibility"};
  std::set<std::string> known = with_costs(kTraits);
  known.insert("location");
  v.only_keys(t, path, known, "staff lever");
  StaffChange s;
  if (auto* l = t.get("location")) s.location = v.text(*l, path + ".location");
  for (const auto& trait : kTraits) {
    if (auto* n = t.get(trait)) {
      s.profile_delta[trait] =
          v.number_in(*n, path + "." + trait, -10, 10,
                      "a change of the 0..10 behaviour profile (employees table), in [-10, 10]");
    }
  }
  if (s.profile_delta.empty()) v.fail(&t, path, fmt::format("{} changes no trait", path));
  return s;
}

Scenario parse_scenario(const Validator& v, const toml::table& t, const std::string& path) {
  Scenario s;
  s.line = static_cast<int>(t.source().begin.line);
  s.path = path;
  v.only_keys(t, path,
              {"name", "target", "retention_offer", "price", "service_premium", "margin",
               "purchase_rate", "incidents", "staff", "plugin_lever", "fixed_cost"},
              "lever");
  if (auto* n = t.get("name")) s.name = v.text(*n, path + ".name");
  if (s.name.empty()) v.fail(&t, path, fmt::format("{} needs a name", path));
  const toml::node* target = t.get("target");
  if (!target) v.fail(&t, path, fmt::format("scenario '{}' has no target", s.name));
  s.target = parse_target(v, *target, path + ".target");
  bool any = false;
  if (auto* n = t.get("retention_offer")) {
    const std::string p = path + ".retention_offer";
    const toml::table& r = v.table(*n, p);
    v.only_keys(r, p, with_costs({"hazard_ratio"}), "field");
    RetentionOffer offer;
    if (!r.get("hazard_ratio")) v.fail(n, p, "retention_offer needs a hazard_ratio");
    offer.hazard_ratio = v.uncertain(*r.get("hazard_ratio"), p + ".hazard_ratio", 1e-3, 1e3);
    if (offer.hazard_ratio.uncertain() && *offer.hazard_ratio.low90 <= 0) {
      v.fail(n, p, "hazard_ratio low90 must be > 0");
    }
    parse_lever_cost(v, r, p, "retention_offer", "", s);
    s.retention_offer = offer;
    any = true;
  }
  if (auto* n = t.get("price")) {
    const std::string p = path + ".price";
    const toml::table& r = v.table(*n, p);
    v.only_keys(r, p, with_costs({"change", "elasticity", "costs_fixed"}), "field");
    PriceChange price;
    if (!r.get("change")) v.fail(n, p, "price needs a change (0.05 = +5%)");
    price.change =
        v.number_in(*r.get("change"), p + ".change", -0.9, 10, "a relative change > -0.9");
    if (auto* e = r.get("elasticity"))
      price.elasticity = v.uncertain(*e, p + ".elasticity", -20, 20);
    if (auto* c = r.get("costs_fixed")) price.costs_fixed = v.boolean(*c, p + ".costs_fixed");
    parse_lever_cost(v, r, p, "price", "", s);
    s.price = price;
    any = true;
  }
  if (auto* n = t.get("service_premium")) {
    // A table or, as [[scenario.service_premium]], an array of one table.
    const std::string p = path + ".service_premium";
    const toml::node* e = n;
    if (n->is_array()) {
      const toml::array& a = *n->as_array();
      if (a.size() != 1) {
        v.fail(a.empty() ? n : &a[1], p,
               "one service_premium per scenario (make another scenario for another level)");
      }
      e = &a[0];
    }
    const toml::table& r = v.table(*e, p);
    v.only_keys(r, p, {"price_increase", "min_satisfaction", "elasticity", "costs_fixed"}, "field");
    ServicePremium sp;
    sp.line = static_cast<int>(r.source().begin.line);
    sp.path = p;
    if (!r.get("price_increase"))
      v.fail(e, p, "service_premium needs a price_increase (0.05 = +5%)");
    sp.price_increase = v.number_in(*r.get("price_increase"), p + ".price_increase", -0.9, 10,
                                    "a relative change > -0.9");
    if (!r.get("min_satisfaction")) {
      v.fail(e, p, "service_premium needs a min_satisfaction (survey score 1..5)");
    }
    sp.min_satisfaction = v.number_in(*r.get("min_satisfaction"), p + ".min_satisfaction", 1, 5,
                                      "a survey score in [1, 5]");
    if (auto* el = r.get("elasticity"))
      sp.elasticity = v.uncertain(*el, p + ".elasticity", -20, 20);
    if (auto* c = r.get("costs_fixed")) sp.costs_fixed = v.boolean(*c, p + ".costs_fixed");
    s.service_premium = sp;
    any = true;
  }
  if (auto* n = t.get("margin")) {
    const std::string p = path + ".margin";
    const toml::table& r = v.table(*n, p);
    v.only_keys(r, p, with_costs({"add"}), "field");
    if (!r.get("add")) v.fail(n, p, "margin needs add (0.02 = +2 points)");
    s.margin_add = v.number_in(*r.get("add"), p + ".add", -1, 1, "a change of the margin share");
    parse_lever_cost(v, r, p, "margin", "", s);
    any = true;
  }
  if (auto* n = t.get("purchase_rate")) {
    const std::string p = path + ".purchase_rate";
    const toml::table& r = v.table(*n, p);
    v.only_keys(r, p, with_costs({"factor"}), "field");
    if (!r.get("factor")) v.fail(n, p, "purchase_rate needs a factor");
    s.purchase_rate_factor = v.uncertain(*r.get("factor"), p + ".factor", 1e-3, 1e3);
    parse_lever_cost(v, r, p, "purchase_rate", "", s);
    any = true;
  }
  if (auto* n = t.get("incidents")) {
    const toml::table& r = v.table(*n, path + ".incidents");
    s.incidents = parse_incidents(v, r, path + ".incidents");
    parse_lever_cost(v, r, path + ".incidents", "incidents", "", s);
    any = true;
  }
  if (auto* n = t.get("staff")) {
    const std::string p = path + ".staff";
    auto one = [&](const toml::node& e) {
      const toml::table& r = v.table(e, p);
      s.staff.push_back(parse_staff(v, r, p));
      parse_lever_cost(v, r, p, "staff", s.staff.back().location, s);
    };
    if (n->is_array()) {
      for (const toml::node& e : *n->as_array()) one(e);
    } else {
      one(*n);
    }
    any = true;
  }
  if (auto* n = t.get("plugin_lever")) {
    const std::string p = path + ".plugin_lever";
    auto one = [&](const toml::node& e) {
      const toml::table& r = v.table(e, p);
      v.only_keys(r, p, with_costs({"plugin", "lever", "values"}), "field");
      PluginLeverUse use;
      use.line = static_cast<int>(e.source().begin.line);
      use.path = p;
      if (!r.get("plugin") || !r.get("lever")) v.fail(&e, p, "plugin_lever needs plugin and lever");
      use.plugin = v.text(*r.get("plugin"), p + ".plugin");
      use.lever = v.text(*r.get("lever"), p + ".lever");
      if (auto* vals = r.get("values")) {
        for (auto&& [k, val] : v.table(*vals, p + ".values")) {
          use.values[std::string(k.str())] = v.number(val, p + ".values." + std::string(k.str()));
        }
      }
      parse_lever_cost(v, r, p, "plugin_lever " + use.plugin + "/" + use.lever, "", s);
      s.plugin_levers.push_back(std::move(use));
    };
    if (n->is_array()) {
      for (const toml::node& e : *n->as_array()) one(e);
    } else {
      one(*n);
    }
    any = true;
  }
  if (!any) v.fail(&t, path, fmt::format("scenario '{}' pulls no lever", s.name));
  if (auto* n = t.get("fixed_cost")) {
    LeverCost c;
    c.lever = "scenario";
    c.line = static_cast<int>(n->source().begin.line);
    c.path = path + ".fixed_cost";
    c.fixed = v.number_in(*n, path + ".fixed_cost", 0, kMaxCost, kCostRule);
    s.costs.push_back(std::move(c));
  }
  return s;
}

}  // namespace

ScenarioFile parse_scenario_text(const std::string& text, const std::string& source_name,
                                 ScenarioSyntax syntax) {
  const bool body = syntax == ScenarioSyntax::request_body;
  const bool json = body || (source_name.size() >= 5 &&
                             source_name.compare(source_name.size() - 5, 5, ".json") == 0);
  toml::table root;
  if (json) {
    check_json_depth(text, source_name);  // json_to_toml recurses
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      // Byte offset -> line for the message.
      const size_t offset = std::min<size_t>(e.byte, text.size());
      const long line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
      throw Error::invalid_argument(
          fmt::format("{}:{}: not valid JSON ({})", source_name, line, e.what()));
    }
    if (!j.is_object()) {
      throw Error::invalid_argument(
          body ? fmt::format("{}: must be a JSON object", source_name)
               : fmt::format("{}:1: a scenario file is an object", source_name));
    }
    root = json_to_toml(j);
  } else {
    check_toml_depth(text, source_name);  // toml++ recurses on dotted keys
    try {
      root = toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
      throw Error::invalid_argument(fmt::format("{}:{}: not valid TOML: {}", source_name,
                                                e.source().begin.line, e.description()));
    }
  }
  Validator v(source_name);
  v.only_keys(root, body ? "body" : "file", {"run", "scenario"}, body ? "field" : "section");
  ScenarioFile file;
  file.path = source_name;
  file.request_body = body;
  const toml::node* run = root.get("run");
  if (!run) {
    v.fail(nullptr, body ? "run" : "/",
           body ? "the body needs \"run\": {\"horizon\": ...}"
                : "the file needs a [run] section naming the fitted run");
  }
  file.run = parse_run(v, v.table(*run, "run"));
  const toml::node* scenarios = root.get("scenario");
  if (!scenarios || !scenarios->is_array() || scenarios->as_array()->empty()) {
    v.fail(scenarios, "scenario",
           body ? "the body needs \"scenario\": a non-empty array of scenario objects "
                  "([{\"name\": ..., \"target\": \"all\", <levers>}])"
                : "the file needs at least one [[scenario]]");
  }
  std::set<std::string> names;
  int index = 0;
  for (const toml::node& node : *scenarios->as_array()) {
    const std::string path = fmt::format("scenario[{}]", index++);
    Scenario s = parse_scenario(v, v.table(node, path), path);
    if (!names.insert(s.name).second) {
      v.fail(&node, path, fmt::format("duplicate scenario name '{}'", s.name));
    }
    file.scenarios.push_back(std::move(s));
  }
  return file;
}

ScenarioFile load_scenario_file(const std::string& path, const std::string& run_dir) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::not_found(fmt::format("scenario file {} not found", path));
  std::stringstream text;
  text << in.rdbuf();
  ScenarioFile file = parse_scenario_text(text.str(), path);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  const std::filesystem::path fits = run_dir.empty() ? dir : std::filesystem::path(run_dir);
  auto resolve = [](std::string& p, const std::filesystem::path& base) {
    if (!p.empty() && std::filesystem::path(p).is_relative()) {
      p = (base / p).lexically_normal().string();
    }
  };
  resolve(file.run.summary, fits);
  resolve(file.run.count_params, fits);
  resolve(file.run.spend_params, fits);
  resolve(file.run.customers, dir);
  resolve(file.run.db, fits);
  return file;
}

}  // namespace clv
