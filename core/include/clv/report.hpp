// The HTML report: one self-contained file (inline CSS, inline SVG, a tiny
// inline script, no network) that shows a fitted run to a human. The caller
// fills ReportData from whatever produced the numbers; every section is
// optional and an absent one is replaced by a short note, so a report can be
// written as soon as any part of a run exists.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clv/time_unit.hpp"

namespace clv {

// Who made the numbers and how: printed in the report header.
struct ReportMetadata {
  std::string title = "Customer lifetime value report";
  std::string model;                     // "bgnbd", "pnbd", ...
  std::vector<std::string> param_names;  // same length as params
  std::vector<double> params;
  TimeUnit time_unit;
  std::string generated_at;  // e.g. "2026-11-23 20:00 UTC"; empty = omitted
  std::string data_source;   // database path, file name, ...; empty = omitted
};

// One line of the summary table, already formatted by the caller.
struct ReportSummaryRow {
  std::string label;
  std::string value;
};

// Repeat purchases of a cohort per period, actual vs the model's expectation
// (the tracking plot of Fader, Hardie & Lee 2005, figure 2). The report draws
// both views, cumulative and per period, whichever one the values are in.
struct PurchasesOverTime {
  std::vector<double> period;  // x: end of each period, in the run's time unit
  std::vector<double> actual;
  std::vector<double> fitted;
  bool cumulative = true;         // the values are running totals (else per period)
  double calibration_end = -1.0;  // x of the calibration/holdout split; < 0 = none
  std::string note;               // printed under the charts (e.g. rejected rows); may be empty
};

// Mean holdout purchases grouped by calibration frequency.
struct CalibrationHoldout {
  std::vector<std::string> frequency_labels;  // "0", "1", ..., "7+"
  std::vector<double> actual_holdout;
  std::vector<double> predicted_holdout;
};

// P(alive) on a grid: rows = frequency, columns = recency.
struct AliveHeatMap {
  std::vector<std::string> frequency_labels;  // one per row
  std::vector<std::string> recency_labels;    // one per column
  std::vector<double> probability;            // row-major, in [0, 1]
};

// Per-customer CLV values; the report draws their histogram and the
// concentration (Lorenz) curve and tabulates the share held by top deciles.
struct ClvDistribution {
  std::vector<double> clv;
  std::string currency = "";  // prefix for money labels, e.g. "$"
};

struct SegmentChurn {
  std::string segment;
  double churn_risk = 0.0;  // in [0, 1]
  double customers = 0.0;
};

// A driver of churn and its signed effect (e.g. a log-odds coefficient or a
// change in churn probability); positive = raises churn.
struct ReportChurnDriver {
  std::string name;
  double effect = 0.0;
};

struct ChurnRisk {
  std::vector<SegmentChurn> segments;
  std::vector<ReportChurnDriver> drivers;
  std::string effect_label = "effect on churn risk";
};

struct ReportInterval {
  double estimate = 0.0, lower = 0.0, upper = 0.0;
};

// One what-if scenario: point estimate of the value charted (the CLV change,
// or the net benefit when costs are given) and its interval. With money
// columns (delta_clv set), the table also shows the CLV change, the cost
// ("no cost given" when absent) and the ROI ("n/a" when absent).
struct ScenarioResult {
  std::string name;
  double estimate = 0.0;
  double lower = 0.0;
  double upper = 0.0;
  std::optional<ReportInterval> delta_clv{};
  std::optional<double> cost{};
  std::optional<ReportInterval> roi{};
};

struct ScenarioComparison {
  std::vector<ScenarioResult> scenarios;
  std::string value_label = "change in total CLV";
  double interval_level = 0.9;  // e.g. 0.9 for a 90% interval
};

// Guest tracking by site (or department, employee, region): one row per
// group, already ranked; from `clv service` (core/src/churn/service_report).
struct ServiceRow {
  std::string group, region;  // region may be empty
  double customers = 0, incidents_per_100 = 0;
  double resolved_within_sla = 0;   // share in [0, 1]
  double satisfaction = 0;          // mean survey, 0 = none answered
  double attributable_per_100 = 0;  // churned customers per 100 due to service vs the median
  double clv_at_risk = 0;
  int rank_in_region = 0, groups_in_region = 0;  // 0 = not ranked
  std::string unranked_reason;                   // why a site is not ranked (online, ...)
};
// Word of mouth in the value (clv service's block): satisfied customers
// telling people who become customers, unhappy ones costing prospects, with
// the assumptions stated.
struct ServiceWordOfMouth {
  std::string satisfied_label, unhappy_label;  // who counts as satisfied / unhappy
  double satisfied = 0, unhappy = 0;           // customers
  double told_satisfied_low = 0, told_satisfied_high = 0, told_unhappy = 0;
  double prospects_won_low = 0, prospects_won_high = 0, prospects_lost = 0;
  double value_won_low = 0, value_won_high = 0, value_lost = 0;
  double net_low = 0, net_high = 0;
  std::vector<std::string> assumptions;  // each stated, with how to change it
};
struct ServiceSection {
  std::string by = "site";  // what a row is
  std::vector<ServiceRow> rows;
  double total_attributable_churn = 0;
  // Lines such as "bought again after an incident resolved within SLA: 73%
  // (quoted 82%)", printed under the table.
  std::vector<std::string> figures;
  std::optional<ServiceWordOfMouth> word_of_mouth;
};

struct ReportData {
  ReportMetadata metadata;
  std::vector<ReportSummaryRow> summary;
  std::optional<PurchasesOverTime> purchases;
  std::optional<CalibrationHoldout> calibration;
  std::optional<AliveHeatMap> alive;
  std::optional<ClvDistribution> clv;
  std::optional<ChurnRisk> churn;
  std::optional<ScenarioComparison> scenarios;
  std::optional<ServiceSection> service;
};

// The whole report as one HTML document. Throws Error::invalid_argument when
// a section's data is inconsistent (mismatched lengths, NaN/inf values), with
// a message naming the section and field.
std::string render_report_html(const ReportData& data);

// render_report_html() written to `path` (overwritten). Throws Error::io
// when the file cannot be written.
void write_report(const ReportData& data, const std::string& path);

}  // namespace clv
