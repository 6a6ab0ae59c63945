// Building blocks the first-party sector plugins share: grouping rows by
// (customer, reference), netting returns, and the incident covariate model.
// Header-only and written against the public SDK only, like a vendor's code.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clv_sdk/sector_plugin.hpp"

namespace clv_rules {

inline bool has(const clv_transaction_batch& b, std::size_t i, uint32_t flag) {
  return (b.flags[i] & flag) != 0;
}

// For every row with a reference, the first row of the same customer with
// the same reference whose kind is one of `kinds` (the order, folio, booking
// or claim it belongs to), or -1. Relies on the ABI promise that a
// customer's rows are contiguous; small customers use a linear scan so the
// common case allocates nothing per row.
inline std::vector<int64_t> reference_anchors(const clv_transaction_batch& b,
                                              std::initializer_list<int32_t> kinds) {
  std::vector<int64_t> anchor(b.count, -1);
  std::vector<std::pair<int64_t, int64_t>> small;  // reference -> row
  std::unordered_map<int64_t, int64_t> large;
  constexpr std::size_t kLinearLimit = 32;
  std::size_t start = 0;
  while (start < b.count) {
    std::size_t end = start;
    while (end < b.count && b.customer[end] == b.customer[start]) ++end;
    const bool linear = end - start <= kLinearLimit;
    small.clear();
    large.clear();
    auto find = [&](int64_t reference) -> int64_t {
      if (!linear) {
        auto it = large.find(reference);
        return it == large.end() ? -1 : it->second;
      }
      for (const auto& [ref, row] : small) {
        if (ref == reference) return row;
      }
      return -1;
    };
    for (std::size_t i = start; i < end; ++i) {
      if (b.reference[i] < 0 || has(b, i, CLV_ROW_DROP)) continue;
      if (std::find(kinds.begin(), kinds.end(), b.kind[i]) == kinds.end()) continue;
      if (find(b.reference[i]) >= 0) continue;
      if (linear) {
        small.emplace_back(b.reference[i], static_cast<int64_t>(i));
      } else {
        large.emplace(b.reference[i], static_cast<int64_t>(i));
      }
    }
    for (std::size_t i = start; i < end; ++i) {
      if (b.reference[i] >= 0) anchor[i] = find(b.reference[i]);
    }
    start = end;
  }
  return anchor;
}

// Folds rows of the given kinds into their anchor: the anchor's amount
// becomes the sum, the others are DROP|MERGED.
inline void merge_into_anchors(clv_transaction_batch& b, const std::vector<int64_t>& anchors,
                               std::initializer_list<int32_t> kinds) {
  for (std::size_t i = 0; i < b.count; ++i) {
    const int64_t a = anchors[i];
    if (a < 0 || a == static_cast<int64_t>(i) || has(b, i, CLV_ROW_DROP)) continue;
    if (std::find(kinds.begin(), kinds.end(), b.kind[i]) == kinds.end()) continue;
    const auto anchor = static_cast<std::size_t>(a);
    b.amount[anchor] += b.amount[i];
    b.flags[anchor] |= CLV_ROW_ADJUSTED;
    b.flags[i] |= CLV_ROW_DROP | CLV_ROW_MERGED;
    b.merged_into[i] = a;
  }
}

// Rows of the given kinds without a reference from the data (no folio, no
// order id) that continue a visit: same customer, same location, on the same
// UTC calendar day as the visit's last line or at most `max_gap_days` later.
// Each such row is re-anchored to the visit's first row, and every anchor
// that pointed at a re-anchored row (a return of a night-line) follows it, so
// merge_into_anchors and net_returns then treat the visit as one occasion.
// Rows with a reference from the data, without a known location, or on a
// batch from a host older than ABI 1.2 (no location column) are left alone.
inline void anchor_visits_by_location(const clv_transaction_batch& b, std::vector<int64_t>& anchors,
                                      std::initializer_list<int32_t> kinds,
                                      int64_t max_gap_days = 1) {
  if (!clv_batch_has_location(&b)) return;
  constexpr int64_t kDay = 86400;
  auto day_of = [](int64_t t) { return t >= 0 ? t / kDay : (t - kDay + 1) / kDay; };
  struct Open {
    int64_t location, first_row, last_day;
  };
  std::vector<Open> open;  // visits of the current customer, one per location
  std::vector<int64_t> visit(b.count, -1);
  for (std::size_t i = 0; i < b.count; ++i) {
    if (i == 0 || b.customer[i] != b.customer[i - 1]) open.clear();
    if (b.reference_given[i] != 0 || b.location[i] < 0 || has(b, i, CLV_ROW_DROP)) continue;
    if (std::find(kinds.begin(), kinds.end(), b.kind[i]) == kinds.end()) continue;
    const int64_t day = day_of(b.timestamp[i]);
    auto it = std::find_if(open.begin(), open.end(),
                           [&](const Open& o) { return o.location == b.location[i]; });
    if (it != open.end() && day - it->last_day >= 0 && day - it->last_day <= max_gap_days) {
      visit[i] = it->first_row;
      it->last_day = day;
    } else if (it != open.end()) {
      *it = Open{b.location[i], static_cast<int64_t>(i), day};
    } else {
      open.push_back(Open{b.location[i], static_cast<int64_t>(i), day});
    }
  }
  for (std::size_t i = 0; i < b.count; ++i) {
    const int64_t a = anchors[i];
    if (a >= 0 && visit[static_cast<std::size_t>(a)] >= 0) {
      anchors[i] = visit[static_cast<std::size_t>(a)];
    } else if (a < 0 && visit[i] >= 0) {
      anchors[i] = visit[i];
    }
  }
}

// What netting does when a return finds its purchase, or does not.
struct NettingPolicy {
  // A purchase whose remaining amount is at most this share of what it was
  // is treated as fully returned.
  double full_return_share = 1e-9;
  bool drop_fully_returned = true;  // false: the occasion happened, keep it at 0
  uint32_t fully_returned_extra_flags = 0;
  bool keep_unmatched = false;  // false: drop and flag unmatched returns
};

// Nets RETURN rows against their anchor. The return row is DROP|NETTED; the
// anchor's amount shrinks (never below 0).
inline void net_returns(clv_transaction_batch& b, const std::vector<int64_t>& anchors,
                        const NettingPolicy& policy) {
  std::vector<std::pair<std::size_t, double>> touched;  // anchor, amount before netting
  for (std::size_t i = 0; i < b.count; ++i) {
    if (b.kind[i] != CLV_TXN_RETURN) continue;
    const int64_t a = anchors[i];
    if (a < 0) {
      b.flags[i] |=
          CLV_ROW_FLAGGED | (policy.keep_unmatched ? 0u : static_cast<uint32_t>(CLV_ROW_DROP));
      continue;
    }
    const auto anchor = static_cast<std::size_t>(a);
    touched.emplace_back(anchor, b.amount[anchor]);
    b.amount[anchor] = std::max(0.0, b.amount[anchor] - b.amount[i]);
    b.flags[anchor] |= CLV_ROW_ADJUSTED;
    b.flags[i] |= CLV_ROW_DROP | CLV_ROW_NETTED;
    b.merged_into[i] = a;
  }
  // With several returns on one anchor, its first entry holds the original amount.
  std::stable_sort(touched.begin(), touched.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (std::size_t t = 0; t < touched.size(); ++t) {
    if (t > 0 && touched[t].first == touched[t - 1].first) continue;
    const auto [anchor, before] = touched[t];
    if (b.amount[anchor] <= policy.full_return_share * before) {
      b.amount[anchor] = 0.0;
      b.flags[anchor] |= policy.fully_returned_extra_flags;
      if (policy.drop_fully_returned) b.flags[anchor] |= CLV_ROW_DROP | CLV_ROW_NETTED;
    }
  }
}

// Case-insensitive keyword match of a payer label.
struct PayerRule {
  std::string_view keyword;
  int32_t payer_class;
};
inline int32_t classify_payer(std::string_view label, std::span<const PayerRule> rules) {
  const std::string text = clv_sdk::lower(label);
  if (text.find_first_not_of(" \t") == std::string::npos) return CLV_PAYER_UNKNOWN;
  for (const auto& rule : rules) {
    if (text.find(rule.keyword) != std::string::npos) return rule.payer_class;
  }
  return CLV_PAYER_OTHER;
}

// ------------------------------------------------------------------ incidents

// Parameters that make one sector's incident covariates differ from another's.
struct CovariateModel {
  std::array<double, 5> severity_weight{};                      // by severity 1..5
  std::vector<std::pair<std::string, double>> category_weight;  // substring -> weight (default 1)
  std::vector<std::pair<std::string, double>> sla_hours;        // substring -> SLA (default below)
  double default_sla_hours = 48.0;
  std::array<double, 4> outcome_weight{1.0, 0.0, 0.5,
                                       0.7};  // unresolved resolved partial escalated
  std::array<double, 4> dissatisfaction_prior{0.8, 0.2, 0.5, 0.6};  // when satisfaction is NaN
  // trust, tact, empathy, conformity, focus, flexibility; sums to 1.
  std::array<double, 6> trait_weight{};
  double open_incident_overrun = 3.0;  // an incident still open counts as this many SLAs late
  double max_overrun = 10.0;
};

inline double lookup(const std::vector<std::pair<std::string, double>>& table,
                     std::string_view category, double fallback) {
  const std::string text = clv_sdk::lower(category);
  for (const auto& [key, value] : table) {
    if (text.find(key) != std::string::npos) return value;
  }
  return fallback;
}

// The five covariates every first-party sector reports, in this order.
inline std::vector<std::string> base_covariate_names() {
  return {"weighted_severity", "sla_overrun", "unresolved", "dissatisfaction", "handler_risk"};
}
inline constexpr std::size_t kBaseCovariates = 5;

inline double resolution_hours(const clv_incident_batch& b, std::size_t i) {
  return b.resolved_at[i] < 0 ? -1.0
                              : static_cast<double>(b.resolved_at[i] - b.opened_at[i]) / 3600.0;
}

inline std::string_view category_of(const clv_incident_batch& b, std::size_t i) {
  return clv_sdk::view(b.category_names[static_cast<std::size_t>(b.category[i])]);
}

// Fills the base covariates of row i into out[0..5).
inline void base_covariates(const CovariateModel& m, const clv_incident_batch& b, std::size_t i,
                            double* out) {
  const std::string_view category = category_of(b, i);
  const int severity = std::clamp(b.severity[i], 1, 5);
  out[0] = m.severity_weight[static_cast<std::size_t>(severity - 1)] *
           lookup(m.category_weight, category, 1.0);
  const double sla = lookup(m.sla_hours, category, m.default_sla_hours);
  const double hours = resolution_hours(b, i);
  if (b.resolved_at[i] >= 0 && b.resolved_at[i] < b.opened_at[i]) {
    throw clv_sdk::PluginError("incident row " + std::to_string(i) +
                               " is resolved before it was opened");
  }
  out[1] = hours < 0 ? m.open_incident_overrun
                     : std::min(m.max_overrun, std::max(0.0, hours - sla) / sla);
  const int outcome = std::clamp(b.outcome[i], 0, 3);
  out[2] = m.outcome_weight[static_cast<std::size_t>(outcome)];
  const double satisfaction = b.satisfaction[i];
  out[3] = std::isnan(satisfaction) ? m.dissatisfaction_prior[static_cast<std::size_t>(outcome)]
                                    : 1.0 - std::clamp(satisfaction, 0.0, 1.0);
  double fit = 0.5;  // unknown handler: neutral
  if (b.employee[i] >= 0) {
    const clv_employee_profile& e = b.employees[static_cast<std::size_t>(b.employee[i])];
    const double traits[6] = {e.trust, e.tact, e.empathy, e.conformity, e.focus, e.flexibility};
    fit = 0.0;
    for (std::size_t t = 0; t < 6; ++t) fit += m.trait_weight[t] * std::clamp(traits[t], 0.0, 1.0);
  }
  out[4] = 1.0 - fit;
}

inline bool category_contains(std::string_view category,
                              std::initializer_list<std::string_view> words) {
  const std::string text = clv_sdk::lower(category);
  for (auto w : words) {
    if (text.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace clv_rules
