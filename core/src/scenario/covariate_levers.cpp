#include "scenario/covariate_levers.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

constexpr size_t kMaxExactSlots = 10;  // 1024 histories per customer at most
constexpr int kSampledHistories = 256;

// The product of the rate factors matching an incident: its category, or
// "severity:N".
double rate_factor_of(const IncidentLevers* levers, const IncidentObservation& inc) {
  if (levers == nullptr) return 1.0;
  double f = 1.0;
  for (const auto& [key, factor] : levers->rate_factor) {
    if (key == inc.category || key == fmt::format("severity:{}", inc.severity)) f *= factor;
  }
  return f;
}

double* trait(IncidentObservation& inc, const std::string& name) {
  if (name == "trust") return &inc.trust;
  if (name == "tact") return &inc.tact;
  if (name == "empathy") return &inc.empathy;
  if (name == "conformity") return &inc.conformity;
  if (name == "focus") return &inc.focus;
  if (name == "flexibility") return &inc.flexibility;
  throw Error::invalid_argument(fmt::format("unknown behaviour trait '{}'", name));
}

// The edit of one record with its random outcomes fixed.
void edit(IncidentObservation& rec, bool stays_open, double T, const IncidentRules& rules,
          const IncidentLevers* levers, const std::vector<StaffChange>& staff) {
  if (levers) {
    if (rec.resolved < 0 && levers->unresolved_share && !stays_open) {
      rec.resolved = rec.opened + rules.sla_of(rec.category);  // resolved within its SLA
    }
    if (levers->resolution_time_factor && rec.resolved >= 0) {
      rec.resolved = rec.opened + *levers->resolution_time_factor * (rec.resolved - rec.opened);
    }
    if (rec.resolved > T) rec.resolved = -1;  // pushed past the cut-off: still open there
    if (levers->satisfaction && rec.resolved >= 0) rec.satisfaction = *levers->satisfaction;
    if (levers->dissatisfaction_factor && rec.satisfaction >= 0) {
      rec.satisfaction = 5 - (5 - rec.satisfaction) * *levers->dissatisfaction_factor;
    }
  }
  for (const StaffChange& change : staff) {
    if (!change.location.empty() && change.location != rec.employee_location) continue;
    for (const auto& [name, delta] : change.profile_delta) {
      double* v = trait(rec, name);
      if (*v >= 0) *v = std::clamp(*v + delta, 0.0, 10.0);  // unknown handlers stay unknown
    }
  }
}

}  // namespace

std::vector<RecordVariant> apply_record_levers(const std::vector<IncidentObservation>& records,
                                               double T, const IncidentRules& rules,
                                               const IncidentLevers* levers,
                                               const std::vector<StaffChange>& staff,
                                               uint64_t seed) {
  // Chance slots: a fractional extra copy (rate factor) and an open incident
  // that may be resolved (unresolved share).
  struct Plan {
    int copies = 1;
    int extra_slot = -1, open_slot = -1;
    double extra_p = 0;
  };
  std::vector<Plan> plan(records.size());
  std::vector<double> slot_p;  // probability of outcome "true"
  for (size_t r = 0; r < records.size(); ++r) {
    const double f = rate_factor_of(levers, records[r]);
    plan[r].copies = static_cast<int>(std::floor(f));
    const double frac = f - std::floor(f);
    if (frac > 1e-12) {
      plan[r].extra_slot = static_cast<int>(slot_p.size());
      slot_p.push_back(frac);
    }
    if (levers && levers->unresolved_share && records[r].resolved < 0) {
      const double u = *levers->unresolved_share;
      if (u > 0 && u < 1) {
        plan[r].open_slot = static_cast<int>(slot_p.size());
        slot_p.push_back(u);  // true: stays open
      }
    }
  }
  auto realize = [&](const std::vector<char>& outcome, double weight) {
    RecordVariant v;
    v.weight = weight;
    for (size_t r = 0; r < records.size(); ++r) {
      const Plan& p = plan[r];
      const int copies = p.copies + (p.extra_slot >= 0 && outcome[p.extra_slot] ? 1 : 0);
      if (copies == 0) continue;
      bool stays_open = levers && levers->unresolved_share && *levers->unresolved_share >= 1;
      if (p.open_slot >= 0) stays_open = outcome[p.open_slot];
      IncidentObservation rec = records[r];
      edit(rec, stays_open, T, rules, levers, staff);
      for (int c = 0; c < copies; ++c) v.records.push_back(rec);
    }
    return v;
  };
  std::vector<RecordVariant> out;
  const size_t m = slot_p.size();
  std::vector<char> outcome(m, 0);
  if (m <= kMaxExactSlots) {
    for (uint64_t bits = 0; bits < (uint64_t{1} << m); ++bits) {
      double w = 1.0;
      for (size_t k = 0; k < m; ++k) {
        outcome[k] = (bits >> k) & 1;
        w *= outcome[k] ? slot_p[k] : 1.0 - slot_p[k];
      }
      if (w > 0) out.push_back(realize(outcome, w));
    }
  } else {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int d = 0; d < kSampledHistories; ++d) {
      for (size_t k = 0; k < m; ++k) outcome[k] = unit(rng) < slot_p[k];
      out.push_back(realize(outcome, 1.0 / kSampledHistories));
    }
  }
  return out;
}

CovariateScenario::CovariateScenario(const CovariateWhatIf& run, const Scenario& s,
                                     const std::vector<char>& targeted, size_t scenario_index) {
  const size_t n = run.data.n_customers();
  variants_.resize(n);
  active_ = s.incidents.has_value() || !s.staff.empty();
  if (!active_) return;
  const CovariateParetoNbd& model = run.model;
  const size_t k = model.scaling.names.size();
  const IncidentLevers* levers = s.incidents ? &*s.incidents : nullptr;

  // Lever lines first, then what they did to the records and covariates.
  if (levers) {
    std::vector<std::string> parts;
    if (levers->resolution_time_factor) {
      parts.push_back(fmt::format("resolution time x {:.4g}", *levers->resolution_time_factor));
    }
    if (levers->unresolved_share) {
      parts.push_back(
          fmt::format("open incidents stay open with probability {:.4g} (else "
                      "resolved within their SLA)",
                      *levers->unresolved_share));
    }
    for (const auto& [key, f] : levers->rate_factor) {
      parts.push_back(fmt::format("rate of '{}' incidents x {:.4g}", key, f));
    }
    if (levers->satisfaction) {
      parts.push_back(
          fmt::format("satisfaction after resolution {:.4g} (1..5)", *levers->satisfaction));
    }
    if (levers->dissatisfaction_factor) {
      parts.push_back(fmt::format("distance of each survey score to 5 x {:.4g}",
                                  *levers->dissatisfaction_factor));
    }
    chain_.push_back(fmt::format("incidents: {}", fmt::join(parts, "; ")));
  }
  for (const StaffChange& c : s.staff) {
    std::vector<std::string> parts;
    for (const auto& [name, d] : c.profile_delta)
      parts.push_back(fmt::format("{} {:+.4g}", name, d));
    chain_.push_back(fmt::format("staff{}: {} (0..10 profile of the handling employees)",
                                 c.location.empty() ? "" : fmt::format(" at {}", c.location),
                                 fmt::join(parts, ", ")));
  }

  size_t with_records = 0, moved = 0, records_before = 0;
  double records_after = 0, dropout_ratio = 0, purchase_ratio = 0;
  std::vector<double> raw_before(k, 0.0), raw_after(k, 0.0);
  for (size_t i = 0; i < n; ++i) {
    if (!targeted[i] || run.data.incidents[i].empty()) continue;
    ++with_records;
    const auto& records = run.data.incidents[i];
    static const IncidentRules kCoreDefaults;
    const IncidentRules& rules =
        run.data.rules.empty()
            ? kCoreDefaults
            : run.data.rules[run.data.rules_of.empty() ? 0 : run.data.rules_of[i]];
    const std::vector<double> base = run.data.row(i, records);
    const auto histories = apply_record_levers(records, run.data.T[i], rules, levers, s.staff,
                                               scenario_index * 0x9E3779B97F4A7C15ull + i);
    std::vector<CovariateVariant> variants;
    bool any_change = false;
    std::vector<double> expected(k, 0.0);
    double expected_records = 0;
    for (const RecordVariant& h : histories) {
      const std::vector<double> raw = run.data.row(i, h.records);
      any_change = any_change || raw != base;
      for (size_t j = 0; j < k; ++j) expected[j] += h.weight * raw[j];
      expected_records += h.weight * static_cast<double>(h.records.size());
      variants.push_back({h.weight, model.scaling.standardize(raw)});
    }
    if (!any_change) continue;
    ++moved;
    records_before += records.size();
    records_after += expected_records;
    const std::vector<double> z0 = model.scaling.standardize(base);
    for (const CovariateVariant& v : variants) {
      double dp = 0, dd = 0;
      for (size_t j = 0; j < k; ++j) {
        dp += model.gamma_purchase[j] * (v.z[j] - z0[j]);
        dd += model.gamma_dropout[j] * (v.z[j] - z0[j]);
      }
      dropout_ratio += v.weight * std::exp(dd);
      purchase_ratio += v.weight * std::exp(dp);
    }
    for (size_t j = 0; j < k; ++j) {
      raw_before[j] += base[j];
      raw_after[j] += expected[j];
    }
    variants_[i] = std::move(variants);
  }
  chain_.push_back(fmt::format(
      "records: {} of the targeted customers have incidents; the levers change the covariates "
      "of {} ({} incidents -> {:.4g} expected)",
      with_records, moved, records_before, records_after));
  if (moved == 0) return;
  std::vector<std::string> cols;
  for (size_t j = 0; j < k; ++j) {
    const double b = raw_before[j] / moved, a = raw_after[j] / moved;
    if (std::abs(a - b) > 1e-12 * std::max(1.0, std::abs(b))) {
      cols.push_back(fmt::format("{} {:.4g} -> {:.4g}", model.scaling.names[j], b, a));
    }
  }
  chain_.push_back(
      fmt::format("raw covariates rebuilt from the edited records (mean over the {}): {}", moved,
                  fmt::join(cols, ", ")));
  chain_.push_back(fmt::format(
      "standardized with the fit's scaling, through gamma_dropout / gamma_purchase: their "
      "dropout rate x {:.4g}, purchase rate x {:.4g} (mean over the {})",
      dropout_ratio / moved, purchase_ratio / moved, moved));
}

}  // namespace clv
