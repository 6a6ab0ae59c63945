// Service breakdowns: incident handling per group and the churn the model
// attributes to it (counterfactual: the group's incidents at the median).
#include "clv/service_breakdown.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

double median(std::vector<double> v, double none) {
  if (v.empty()) return none;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0)
    m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + static_cast<long>(mid)));
  return m;
}

// The portfolio's median handling of an incident.
struct MedianHandling {
  double ratio = 1, satisfaction = -1;
  double traits[6] = {-1, -1, -1, -1, -1, -1};
};

double* trait(IncidentObservation& inc, int q) {
  double* t[6] = {&inc.trust,      &inc.tact,  &inc.empathy,
                  &inc.conformity, &inc.focus, &inc.flexibility};
  return t[q];
}

IncidentObservation at_median(IncidentObservation inc, const MedianHandling& m,
                              const IncidentRules& rules, double T) {
  const double resolved = inc.opened + m.ratio * rules.sla_of(inc.category);
  inc.resolved = resolved <= T ? resolved : -1.0;
  inc.satisfaction = inc.resolved >= 0 ? m.satisfaction : -1.0;
  for (int q = 0; q < 6; ++q) *trait(inc, q) = m.traits[q];
  return inc;
}

const IncidentRules& rules_of(const CustomerCovariateData& d, size_t i) {
  static const IncidentRules kDefaults;
  return d.rules.empty() ? kDefaults : d.rules[d.rules_of.empty() ? 0 : d.rules_of[i]];
}

std::string group_of(const IncidentObservation& inc, ServiceKey key, const std::string& site,
                     const std::string& region) {
  switch (key) {
    case ServiceKey::kLocation:
      return !inc.employee_location.empty() ? inc.employee_location
                                            : (site.empty() ? "unknown" : site);
    case ServiceKey::kDepartment:
      return !inc.employee_role.empty()
                 ? inc.employee_role
                 : (!inc.channel.empty() ? inc.channel
                                         : (inc.category.empty() ? "unknown" : inc.category));
    case ServiceKey::kEmployee:
      return inc.employee.empty() ? "unknown" : inc.employee;
    case ServiceKey::kRegion:
      return region.empty() ? "unknown" : region;
  }
  return "unknown";
}

}  // namespace

bool is_virtual_site(const std::string& name) {
  std::string key;  // lower case, letters and digits only: "E-Commerce" -> "ecommerce"
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  static const std::set<std::string> kVirtual = {
      "online",      "web",         "website",    "webshop",       "webstore",      "ecommerce",
      "eshop",       "internet",    "app",        "mobile",        "mobileapp",     "phone",
      "telephone",   "callcenter",  "callcentre", "contactcenter", "contactcentre", "chat",
      "email",       "mail",        "mailorder",  "digital",       "virtual",       "remote",
      "marketplace", "onlinestore", "onlineshop"};
  return kVirtual.count(key) > 0;
}

ServiceKey parse_service_key(const std::string& name) {
  if (name == "location" || name == "site") return ServiceKey::kLocation;
  if (name == "department" || name == "role") return ServiceKey::kDepartment;
  if (name == "employee") return ServiceKey::kEmployee;
  if (name == "region") return ServiceKey::kRegion;
  throw Error::invalid_argument(
      fmt::format("unknown breakdown '{}'; use location, department, employee or region", name));
}

const char* service_key_name(ServiceKey key) {
  switch (key) {
    case ServiceKey::kLocation:
      return "location";
    case ServiceKey::kDepartment:
      return "department";
    case ServiceKey::kEmployee:
      return "employee";
    case ServiceKey::kRegion:
      return "region";
  }
  return "location";
}

ServiceBreakdown service_breakdown(const ServicePortfolio& p, ServiceKey key, double horizon) {
  if (p.model == nullptr || p.data == nullptr) {
    throw Error::invalid_argument("a service breakdown needs a fitted model and its records");
  }
  const CustomerCovariateData& d = *p.data;
  const size_t n = d.n_customers();
  if (p.x.size() != n || p.t_x.size() != n || p.T.size() != n) {
    throw Error::invalid_argument(
        fmt::format("{} customer records but {} summaries", n, p.x.size()));
  }
  auto at = [](const std::vector<std::string>& v, size_t i) {
    return i < v.size() ? v[i] : std::string();
  };
  ServiceBreakdown out;
  out.key = key;
  out.horizon = horizon;

  // The portfolio's median handling.
  std::vector<double> ratios, sats, traits[6];
  for (size_t i = 0; i < n; ++i) {
    for (const IncidentObservation& inc : d.incidents[i]) {
      if (inc.resolved >= 0) {
        ratios.push_back(std::max(0.0, inc.resolved - inc.opened) /
                         rules_of(d, i).sla_of(inc.category));
      }
      if (inc.satisfaction > 0) sats.push_back(inc.satisfaction);
      IncidentObservation copy = inc;
      for (int q = 0; q < 6; ++q)
        if (*trait(copy, q) >= 0) traits[q].push_back(*trait(copy, q));
    }
  }
  MedianHandling m;
  m.ratio = median(ratios, 1.0);
  m.satisfaction = median(sats, -1.0);
  for (int q = 0; q < 6; ++q) m.traits[q] = median(traits[q], -1.0);
  out.median_resolution_ratio = m.ratio;
  out.median_satisfaction = std::max(0.0, m.satisfaction);

  const bool uses_incidents = d.incidents_group || d.staff_group;
  if (!uses_incidents) {
    out.notes.push_back(
        "the churn model has no incident or staff covariates: no churn is attributed to service "
        "(fit with --covariates incidents,staff)");
  }
  auto risk = [&](size_t i, const std::vector<IncidentObservation>& records) {
    const CustomerHistory c{p.x[i], p.t_x[i], p.T[i], d.row(i, records)};
    return predict_churn(*p.model, c, horizon);
  };

  std::map<std::string, ServiceGroup> groups;
  std::map<std::string, std::set<size_t>> served;             // department/employee customers
  std::map<std::string, std::map<std::string, int>> regions;  // group -> region counts
  for (size_t i = 0; i < n; ++i) {
    const std::string site = at(p.customer_site, i), region = at(p.customer_region, i);
    const auto& list = d.incidents[i];
    const ChurnPrediction now = risk(i, list);
    const double var = value_at_risk(
        now, i < p.spend_per_purchase.size() ? p.spend_per_purchase[i] : 1.0, horizon);
    // The customer's own group (sites and regions).
    if (key == ServiceKey::kLocation || key == ServiceKey::kRegion) {
      const std::string g = key == ServiceKey::kLocation ? (site.empty() ? "unknown" : site)
                                                         : (region.empty() ? "unknown" : region);
      groups[g].group = g;
      groups[g].customers += 1;
      groups[g].clv_at_risk += var;
      ++regions[g][region];
    }
    if (list.empty()) continue;
    // Per incident: its group and handling.
    std::vector<std::string> of(list.size());
    std::set<std::string> mine;
    for (size_t k = 0; k < list.size(); ++k) {
      const IncidentObservation& inc = list[k];
      of[k] = group_of(inc, key, site, region);
      ServiceGroup& g = groups[of[k]];
      g.group = of[k];
      g.incidents += 1;
      const double sla = rules_of(d, i).sla_of(inc.category);
      if (inc.resolved >= 0 && inc.resolved - inc.opened <= sla) g.resolved_within_sla += 1;
      if (inc.satisfaction > 0) g.satisfaction += inc.satisfaction, g.surveys += 1;
      if (key == ServiceKey::kDepartment || key == ServiceKey::kEmployee) {
        if (served[of[k]].insert(i).second) {
          g.customers += 1;
          g.clv_at_risk += var;
        }
      }
      mine.insert(of[k]);
    }
    if (!uses_incidents) continue;
    // Everything at the median, then each group's incidents alone.
    std::vector<IncidentObservation> all = list;
    for (auto& inc : all) inc = at_median(inc, m, rules_of(d, i), p.T[i]);
    const double total = now.churn_risk - risk(i, all).churn_risk;
    out.total_attributable_churn += total;
    std::map<std::string, double> own;
    double own_sum = 0;
    std::map<std::string, double> count;
    for (const std::string& g : mine) {
      std::vector<IncidentObservation> edited = list;
      for (size_t k = 0; k < list.size(); ++k) {
        if (of[k] == g) edited[k] = all[k], count[g] += 1;
      }
      own[g] = now.churn_risk - risk(i, edited).churn_risk;
      own_sum += own[g];
    }
    for (const std::string& g : mine) {
      // Proportional split (by incident count when the own effects cancel).
      const double share = std::abs(own_sum) > 1e-12 * std::max(1.0, std::abs(total))
                               ? own[g] / own_sum
                               : count[g] / static_cast<double>(list.size());
      groups[g].attributable_churn += total * share;
    }
  }
  // Rates, regions, ranks.
  for (auto& [name, g] : groups) {
    if (g.customers == 0) g.customers = static_cast<double>(served[name].size());
    g.incidents_per_100 = g.customers > 0 ? 100.0 * g.incidents / g.customers : 0.0;
    g.resolved_within_sla = g.incidents > 0 ? g.resolved_within_sla / g.incidents : 0.0;
    g.satisfaction = g.surveys > 0 ? g.satisfaction / g.surveys : 0.0;
    g.attributable_per_100 = g.customers > 0 ? 100.0 * g.attributable_churn / g.customers : 0.0;
    if (key == ServiceKey::kLocation) {
      int best = 0, known = 0, spread = 0;
      for (const auto& [region, count] : regions[name]) {
        if (region.empty()) continue;
        known += count;
        ++spread;
        if (count > best) best = count, g.region = region;
      }
      if (is_virtual_site(name)) {
        g.unranked_reason = fmt::format(
            "'{}' is a virtual channel, not a site of one region: not ranked within a region",
            name);
      } else if (known == 0) {
        g.unranked_reason =
            "no region: none of its customers has a known region (and no customer calls it "
            "home): not ranked within a region";
      } else if (2 * best < known) {
        g.unranked_reason = fmt::format(
            "its customers come from {} regions (the most common, {}, holds {:.0f}%): not a site "
            "of one region, not ranked within a region",
            spread, g.region, 100.0 * best / known);
      }
      if (!g.unranked_reason.empty()) g.region.clear();
    }
    out.groups.push_back(g);
  }
  if (key == ServiceKey::kLocation) {
    for (auto& g : out.groups) {
      if (!g.unranked_reason.empty()) continue;
      for (const auto& other : out.groups) {
        if (!other.unranked_reason.empty() || other.region != g.region) continue;
        ++g.groups_in_region;
        if (other.attributable_per_100 < g.attributable_per_100) ++g.rank_in_region;
      }
      ++g.rank_in_region;
    }
  }
  std::stable_sort(out.groups.begin(), out.groups.end(),
                   [](const ServiceGroup& a, const ServiceGroup& b) {
                     return a.attributable_per_100 > b.attributable_per_100;
                   });
  out.notes.push_back(fmt::format(
      "counterfactual: each group's incidents resolved in {:.2f} SLAs with satisfaction {} and "
      "the median handler profile (the portfolio's medians)",
      m.ratio, m.satisfaction > 0 ? fmt::format("{:.1f}", m.satisfaction) : "unknown"));
  return out;
}

ServiceFigures service_figures(const CustomerCovariateData& d,
                               const std::vector<std::vector<double>>& purchase_times) {
  ServiceFigures f;
  for (size_t i = 0; i < d.n_customers() && i < purchase_times.size(); ++i) {
    const auto& times = purchase_times[i];
    for (const IncidentObservation& inc : d.incidents[i]) {
      const double closed = inc.resolved >= 0 ? inc.resolved : inc.opened;
      const bool again = std::upper_bound(times.begin(), times.end(), closed) != times.end();
      const double sla = rules_of(d, i).sla_of(inc.category);
      if (inc.resolved < 0) {
        f.incidents_unresolved += 1, f.repurchase_unresolved += again;
      } else if (inc.resolved - inc.opened <= sla) {
        f.incidents_within_sla += 1, f.repurchase_within_sla += again;
      } else {
        f.incidents_late += 1, f.repurchase_late += again;
      }
      if (inc.severity == 5 || (inc.satisfaction > 0 && inc.satisfaction <= 1)) {
        f.worst_incidents += 1, f.lost_after_worst += !again;
      }
    }
  }
  auto share = [](double& k, double total) { k = total > 0 ? k / total : 0.0; };
  share(f.repurchase_within_sla, f.incidents_within_sla);
  share(f.repurchase_late, f.incidents_late);
  share(f.repurchase_unresolved, f.incidents_unresolved);
  share(f.lost_after_worst, f.worst_incidents);
  return f;
}

void validate_word_of_mouth(const WordOfMouthAssumptions& a) {
  auto check = [](double v, const char* field, double lo, double hi) {
    if (!(std::isfinite(v) && v >= lo && v <= hi)) {
      throw Error::invalid_argument(
          fmt::format("word of mouth: {} = {} must be in [{}, {}]", field, v, lo, hi));
    }
  };
  check(a.told_satisfied_low, "told_satisfied_low", 0, 1e6);
  check(a.told_satisfied_high, "told_satisfied_high", a.told_satisfied_low, 1e6);
  check(a.told_unhappy, "told_unhappy", 0, 1e6);
  check(a.conversion, "conversion", 0, 1);
  check(a.satisfied_min_satisfaction, "satisfied_min_satisfaction", 1, 5);
  check(a.unhappy_max_satisfaction, "unhappy_max_satisfaction", 1,
        a.satisfied_min_satisfaction - 1e-9);
  if (a.value_per_prospect) check(*a.value_per_prospect, "value_per_prospect", 0, 1e12);
}

WordOfMouth word_of_mouth(const CustomerCovariateData& data, const WordOfMouthAssumptions& a,
                          const std::vector<double>& value_per_prospect, std::string value_source) {
  validate_word_of_mouth(a);
  const size_t n = data.incidents.size();
  if (value_per_prospect.size() != n) {
    throw Error::invalid_argument(fmt::format("word of mouth: {} prospect values for {} customers",
                                              value_per_prospect.size(), n));
  }
  WordOfMouth w;
  w.assumptions = a;
  w.value_source = std::move(value_source);
  double value_sum = 0, won_value = 0, lost_value = 0;
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    int scored = 0;
    bool open = false;
    for (const IncidentObservation& r : data.incidents[i]) {
      if (r.resolved < 0) open = true;
      if (r.satisfaction >= 0) sum += r.satisfaction, ++scored;
    }
    const double mean = scored > 0 ? sum / scored : 0;
    const double v = value_per_prospect[i];
    if (open || (scored > 0 && mean <= a.unhappy_max_satisfaction)) {
      w.unhappy += 1;
      lost_value += v;
      value_sum += v;
    } else if (scored > 0 && mean >= a.satisfied_min_satisfaction) {
      w.satisfied += 1;
      won_value += v;
      value_sum += v;
    }
  }
  w.prospects_won_low = w.satisfied * a.told_satisfied_low * a.conversion;
  w.prospects_won_high = w.satisfied * a.told_satisfied_high * a.conversion;
  w.prospects_lost = w.unhappy * a.told_unhappy * a.conversion;
  w.value_won_low = won_value * a.told_satisfied_low * a.conversion;
  w.value_won_high = won_value * a.told_satisfied_high * a.conversion;
  w.value_lost = lost_value * a.told_unhappy * a.conversion;
  w.net_low = w.value_won_low - w.value_lost;
  w.net_high = w.value_won_high - w.value_lost;
  const double counted = w.satisfied + w.unhappy;
  w.value_per_prospect = counted > 0 ? value_sum / counted : 0;
  return w;
}

}  // namespace clv
