#include "churn/db_covariates.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "churn/sector_incident_probe.hpp"
#include "clv/error.hpp"
#include "store/covariate_tables.hpp"

namespace clv {
namespace {

constexpr double kDefaultSlaHours = 48.0;
const std::set<std::string> kColumnAttributes = {"segment", "region", "sector"};

struct CustomerRow {
  std::string sector, segment, region;
  nlohmann::json attributes;
};

double hours_to_unit(double hours, const TimeUnit& unit) {
  return hours / 24.0 / unit.days;
}

IncidentRules rules_from_probe(const SectorIncidentProbe* probe, const std::string& sector,
                               const TimeUnit& unit) {
  IncidentRules r;
  r.expected_resolution = hours_to_unit(kDefaultSlaHours, unit);
  r.source = fmt::format("core defaults (sector '{}')", sector);
  if (probe == nullptr) return r;
  if (probe->has_weights) {
    r.severity_weight = probe->severity_weight;
    r.category_weight = probe->category_weight;
  }
  if (probe->has_sla) {
    r.expected_resolution = hours_to_unit(probe->default_sla_hours, unit);
    for (const auto& [category, hours] : probe->category_sla_hours) {
      r.category_expected_resolution.emplace_back(category, hours_to_unit(hours, unit));
    }
  }
  if (probe->has_weights || probe->has_sla) r.source = probe->note;
  return r;
}

// A customer's value of a static column: "col=level" is a dummy, "col" a number.
double static_value(const CustomerRow& c, const std::string& name, const std::string& customer) {
  const size_t eq = name.find('=');
  const std::string column = name.substr(0, eq);
  std::string text;
  bool have_text = false;
  if (column == "segment") text = c.segment, have_text = true;
  if (column == "region") text = c.region, have_text = true;
  if (column == "sector") text = c.sector, have_text = true;
  if (!have_text) {
    const auto it = c.attributes.find(column);
    if (it == c.attributes.end() || it->is_null()) {
      throw Error::invalid_argument(fmt::format(
          "customer {} has no '{}' attribute; give every customer a value (customers import, "
          "attributes) or leave static:{} out",
          customer, column, column));
    }
    if (eq == std::string::npos) {
      if (it->is_number()) return it->get<double>();
      if (it->is_boolean()) return it->get<bool>() ? 1.0 : 0.0;
      throw Error::invalid_argument(fmt::format("attribute '{}' of customer {} is {}, not a number",
                                                column, customer, it->dump()));
    }
    text = it->is_string() ? it->get<std::string>() : it->dump();
  }
  if (eq == std::string::npos) {
    throw Error::invalid_argument(fmt::format(
        "static column '{}' is text; it enters as dummies such as {}=<level>", column, column));
  }
  return text == name.substr(eq + 1) ? 1.0 : 0.0;
}

// Names of the static columns for `spec`: dummies for text, the key for numbers.
std::vector<std::string> static_column_names(const std::vector<const CustomerRow*>& rows,
                                             const std::vector<std::string>& ids,
                                             const std::vector<std::string>& columns,
                                             std::vector<std::string>& notes) {
  std::vector<std::string> names;
  for (const std::string& column : columns) {
    std::map<std::string, size_t> levels;
    bool numeric = !kColumnAttributes.count(column);
    for (size_t i = 0; i < rows.size(); ++i) {
      const CustomerRow& c = *rows[i];
      std::string level;
      if (column == "segment")
        level = c.segment;
      else if (column == "region")
        level = c.region;
      else if (column == "sector")
        level = c.sector;
      else {
        const auto it = c.attributes.find(column);
        if (it == c.attributes.end() || it->is_null()) {
          static_value(c, column, ids[i]);  // throws naming the customer
        }
        if (it->is_number() || it->is_boolean()) continue;
        numeric = false;
        level = it->is_string() ? it->get<std::string>() : it->dump();
      }
      ++levels[level];
    }
    if (numeric) {
      names.push_back(column);
      continue;
    }
    if (levels.size() < 2) {
      notes.push_back(fmt::format(
          "static:{} has a single value ('{}') across the customers: left out (no effect can be "
          "estimated)",
          column, levels.empty() ? "" : levels.begin()->first));
      continue;
    }
    // The most common level is the reference (ties: the first in order).
    auto reference = levels.begin();
    for (auto it = levels.begin(); it != levels.end(); ++it)
      if (it->second > reference->second) reference = it;
    for (auto it = levels.begin(); it != levels.end(); ++it) {
      if (it != reference) names.push_back(column + "=" + it->first);
    }
  }
  return names;
}

// A single incident/staff column by its name or a short alias; "" if none.
std::string column_name(const std::string& item) {
  static const std::vector<std::pair<std::string, std::string>> kAliases = {
      {"unresolved", "unresolved_count"},
      {"open", "unresolved_count"},
      {"resolution", "mean_resolution_vs_sla"},
      {"resolution_vs_sla", "mean_resolution_vs_sla"},
      {"worst_resolution", "worst_resolution_vs_sla"},
      {"severity", "severity_weighted"},
      {"incident_rate", "incident_rate"}};
  for (const auto& [alias, name] : kAliases)
    if (item == alias) return name;
  for (bool tv : {false, true}) {
    for (const auto& name : incident_covariate_names(true, true, tv)) {
      if (item == name || "staff_" + item == name) return name;
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> selected_columns(const CovariateSpec& spec) {
  bool single = false;
  for (const auto& c : spec.columns) single |= c != "incidents" && c != "staff";
  if (!single) return {};
  std::vector<std::string> out;
  for (const auto& c : spec.columns) {
    if (c == "incidents" || c == "staff") {
      for (const auto& name :
           incident_covariate_names(c == "incidents", c == "staff", spec.time_varying))
        out.push_back(name);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

CovariateSpec parse_covariate_spec(const std::string& spec) {
  CovariateSpec out;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string item = spec.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    if (item == "incidents") {
      out.incidents = true;
      out.columns.push_back(item);
    } else if (item == "staff") {
      out.staff = true;
      out.columns.push_back(item);
    } else if (item.rfind("static:", 0) == 0 && item.size() > 7) {
      out.static_columns.push_back(item.substr(7));
    } else if (const std::string name = column_name(item); !name.empty()) {
      (name.rfind("staff_", 0) == 0 ? out.staff : out.incidents) = true;
      if (std::find(out.columns.begin(), out.columns.end(), name) == out.columns.end())
        out.columns.push_back(name);
    } else {
      throw Error::invalid_argument(fmt::format(
          "unknown covariate '{}'; use incidents, staff, static:COLUMN or one column: {}", item,
          fmt::join(incident_covariate_names(true, true, true), ", ")));
    }
  }
  if (!out.incidents && !out.staff && out.static_columns.empty()) {
    throw Error::invalid_argument(
        "--covariates is empty; e.g. --covariates incidents,staff,static:segment");
  }
  return out;
}

DbCovariates load_db_covariates(const DbCovariateOptions& options, const CovariateSpec& spec,
                                const std::vector<std::string>& ids, const std::vector<double>& T,
                                const std::vector<std::string>* static_names) {
  if (ids.size() != T.size()) {
    throw Error::invalid_argument(
        fmt::format("{} customer ids but {} ages T", ids.size(), T.size()));
  }
  if (!std::filesystem::exists(options.db_path)) {
    throw Error::not_found(
        fmt::format("no database at '{}': import customers, transactions and incidents first",
                    options.db_path));
  }
  if (!(options.unit.days > 0)) throw Error::invalid_argument("time unit must be positive");
  const size_t n = ids.size();
  std::unordered_map<std::string, uint32_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index.emplace(ids[i], static_cast<uint32_t>(i));

  // Customers: database id -> summary row, and their attributes.
  std::unordered_map<int64_t, uint32_t> row_of;
  std::vector<CustomerRow> customers(n);
  std::vector<char> found(n, 0);
  covariate_tables::read_customer_profiles(
      options.db_path, [&](const covariate_tables::CustomerProfileRow& r) {
        const auto it = index.find(r.external_id);
        if (it == index.end()) return;
        row_of.emplace(r.row, it->second);
        CustomerRow& c = customers[it->second];
        c.sector = r.sector;
        c.segment = r.segment;
        c.region = r.region;
        c.attributes =
            nlohmann::json::parse(r.attributes.empty() ? "{}" : r.attributes, nullptr, false);
        if (!c.attributes.is_object()) c.attributes = nlohmann::json::object();
        found[it->second] = 1;
      });
  for (size_t i = 0; i < n; ++i) {
    if (!found[i]) {
      throw Error::invalid_argument(fmt::format(
          "summary customer {} is not in the customers table of {}; summarize this database",
          ids[i], options.db_path));
    }
  }

  DbCovariates out;
  out.customer_region.reserve(n);
  for (const CustomerRow& c : customers) out.customer_region.push_back(c.region);
  CustomerCovariateData& data = out.data;
  data.incidents_group = spec.incidents;
  data.staff_group = spec.staff;
  data.time_varying = spec.time_varying;
  data.selected = selected_columns(spec);
  data.T = T;
  data.incidents.assign(n, {});

  if (spec.incidents || spec.staff) {
    // Each customer's first purchase day, from the summary's T (whole days).
    std::vector<double> first_second(n);
    for (size_t i = 0; i < n; ++i) {
      const auto first_day = options.calibration_end_day - std::llround(T[i] * options.unit.days);
      first_second[i] = static_cast<double>(first_day) * 86400.0;
    }
    const double cutoff = static_cast<double>(options.calibration_end_day + 1) * 86400.0;
    const double unit_seconds = options.unit.days * 86400.0;
    size_t no_severity = 0;
    std::map<std::string, std::set<std::string>> categories_of_sector;
    covariate_tables::read_incidents_with_staff(
        options.db_path, [&](const covariate_tables::IncidentStaffRow& r) {
          const auto row = row_of.find(r.customer_row);
          if (row == row_of.end()) {
            ++out.incidents_other_customers;
            return;
          }
          const size_t i = row->second;
          const auto opened = static_cast<double>(r.opened_at);
          if (opened >= cutoff) {
            ++out.incidents_after_end;
            return;
          }
          IncidentObservation inc;
          inc.opened = (opened - first_second[i]) / unit_seconds;
          bool resolved_later = false;
          if (r.resolved_at) {
            const auto resolved = static_cast<double>(*r.resolved_at);
            // Resolved after the cut-off: still open as far as the fit can know.
            resolved_later = resolved >= cutoff;
            if (!resolved_later) inc.resolved = (resolved - first_second[i]) / unit_seconds;
          }
          if (!r.severity) {
            inc.severity = 3;
            ++no_severity;
          } else {
            inc.severity = static_cast<int>(*r.severity);
          }
          inc.category = r.category;
          if (r.satisfaction && !resolved_later) inc.satisfaction = *r.satisfaction;
          if (r.compensation_minor) inc.compensation = *r.compensation_minor / 100.0;
          double* traits[6] = {&inc.trust,      &inc.tact,  &inc.empathy,
                               &inc.conformity, &inc.focus, &inc.flexibility};
          for (int t = 0; t < 6; ++t) {
            if (r.traits[t]) *traits[t] = *r.traits[t];
          }
          inc.employee_location = r.employee_location;
          inc.employee = r.employee;
          inc.employee_role = r.employee_role;
          inc.channel = r.channel;
          categories_of_sector[customers[i].sector].insert(inc.category);
          data.incidents[i].push_back(std::move(inc));
          ++out.incidents_used;
        });
    if (no_severity > 0) {
      out.notes.push_back(fmt::format(
          "{} incidents have no severity and count as severity 3 (the middle)", no_severity));
    }
    if (out.incidents_after_end > 0) {
      out.notes.push_back(fmt::format(
          "{} incidents opened after the calibration end are not covariates of this fit",
          out.incidents_after_end));
    }

    // Rules per sector: the sector plugin's when one is loaded, else the core's.
    std::set<std::string> sectors;
    for (const CustomerRow& c : customers) sectors.insert(c.sector);
    std::vector<std::pair<std::string, std::vector<std::string>>> asked;
    for (const auto& sector : sectors) {
      const auto& cats = categories_of_sector[sector];
      asked.emplace_back(sector, std::vector<std::string>(cats.begin(), cats.end()));
    }
    std::vector<std::pair<std::string, SectorIncidentProbe>> probes;
    if (options.use_plugins) {
      probes = probe_sector_plugins(asked, options.plugin_dirs, out.notes);
    } else {
      out.notes.push_back("sector plugins not used: core default incident weights and SLA 48 h");
    }
    std::map<std::string, uint32_t> rule_of_sector;
    for (const auto& sector : sectors) {
      const SectorIncidentProbe* probe = nullptr;
      for (const auto& [s, p] : probes)
        if (s == sector) probe = &p;
      rule_of_sector[sector] = static_cast<uint32_t>(data.rules.size());
      data.rules.push_back(rules_from_probe(probe, sector, options.unit));
      out.sectors.push_back(sector);
    }
    data.rules_of.resize(n);
    for (size_t i = 0; i < n; ++i) data.rules_of[i] = rule_of_sector[customers[i].sector];
  }

  if (!spec.static_columns.empty() || (static_names && !static_names->empty())) {
    std::vector<const CustomerRow*> rows;
    for (const auto& c : customers) rows.push_back(&c);
    data.static_columns.names =
        static_names ? *static_names
                     : static_column_names(rows, ids, spec.static_columns, out.notes);
    data.static_columns.values.reserve(n * data.static_columns.names.size());
    for (size_t i = 0; i < n; ++i) {
      for (const auto& name : data.static_columns.names) {
        data.static_columns.values.push_back(static_value(customers[i], name, ids[i]));
      }
    }
  }
  return out;
}

}  // namespace clv
