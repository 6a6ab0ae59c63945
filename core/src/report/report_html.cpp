// Assembles the report document: header with run metadata, summary table,
// then one section per analysis, each with its charts, a caption that says
// how to read them, and a note instead of a chart when the data is absent.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <numeric>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/report.hpp"
#include "clv/version.hpp"
#include "report/charts.hpp"
#include "report/distribution_stats.hpp"
#include "report/report_assets.hpp"
#include "report/report_validation.hpp"
#include "report/svg_text.hpp"

namespace clv {

namespace {

using report::escape_xml;
using report::format_number;
using report::format_percent;

// Full-width figures are drawn at the page's content width so that their
// text has the same size as in the half-width charts.
constexpr double kWideChartWidth = 1180;

// Enough significant digits to be useful, without float noise.
std::string format_param(double v) {
  if (v == 0.0) return "0";
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e5 || magnitude < 1e-3) return fmt::format("{:.4e}", v);
  return fmt::format("{:.4g}", v);
}

std::string figure(const std::string& svg, const std::string& caption, bool wide = false) {
  return fmt::format("<figure{}>{}<figcaption>{}</figcaption></figure>",
                     wide ? " class=\"wide\"" : "", svg, escape_xml(caption));
}

std::string note(const std::string& text) {
  return fmt::format("<p class=\"note\">{}</p>", escape_xml(text));
}

std::string section(const std::string& id, const std::string& title, const std::string& lead,
                    const std::string& body) {
  return fmt::format(
      "<section class=\"report-section\" id=\"{}\"><h2>{}</h2><p "
      "class=\"lead\">{}</p>{}</section>\n",
      escape_xml(id), escape_xml(title), escape_xml(lead), body);
}

std::string header_html(const ReportMetadata& meta) {
  std::string items;
  const auto item = [&](const std::string& label, const std::string& value) {
    if (value.empty()) return;
    items += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>", escape_xml(label), escape_xml(value));
  };
  item("Model", meta.model.empty() ? "not stated" : meta.model);
  item("Time unit", meta.time_unit.describe());
  item("Generated", meta.generated_at);
  item("Data", meta.data_source);
  std::string params;
  if (!meta.params.empty()) {
    params = "<table class=\"params\"><caption>Fitted parameters</caption><tr>";
    for (const auto& name : meta.param_names)
      params += "<th class=\"num\">" + escape_xml(name) + "</th>";
    params += "</tr><tr>";
    for (double v : meta.params) params += "<td class=\"num\">" + format_param(v) + "</td>";
    params += "</tr></table>";
  }
  return fmt::format(
      "<header class=\"report-header\"><h1>{}</h1><dl class=\"meta\">{}</dl>{}</header>\n",
      escape_xml(meta.title), items,
      params.empty() ? std::string()
                     : "<div class=\"tables\" style=\"margin-top:14px\">" + params + "</div>");
}

std::string summary_html(const std::vector<ReportSummaryRow>& rows) {
  if (rows.empty()) {
    return section("summary", "Summary", "Headline figures of this run.",
                   note("No summary figures were supplied for this run."));
  }
  std::string table = "<table class=\"summary\"><tbody>";
  for (const auto& r : rows) {
    table += fmt::format("<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
                         escape_xml(r.label), escape_xml(r.value));
  }
  table += "</tbody></table>";
  return section("summary", "Summary", "Headline figures of this run.", table);
}

std::string fit_section(const ReportData& data) {
  const std::string unit = data.metadata.time_unit.name;
  std::string body = "<div class=\"charts\">";
  if (data.purchases && !data.purchases->period.empty()) {
    const PurchasesOverTime& p = *data.purchases;
    // Both views from whichever one the caller gave: running totals show
    // whether the model drifts, per-period values show when it misses.
    std::vector<double> actual_total = p.actual, fitted_total = p.fitted;
    std::vector<double> actual_step = p.actual, fitted_step = p.fitted;
    for (size_t i = 1; i < p.period.size(); ++i) {
      if (p.cumulative) {
        actual_step[i] = p.actual[i] - p.actual[i - 1];
        fitted_step[i] = p.fitted[i] - p.fitted[i - 1];
      } else {
        actual_total[i] = actual_total[i - 1] + p.actual[i];
        fitted_total[i] = fitted_total[i - 1] + p.fitted[i];
      }
    }
    // Per-period values are drawn as a rate per time unit, so that a shorter
    // period (split at the calibration end, or data ending mid-week) does
    // not look like a dip. x is measured from 0, the start of the first period.
    std::vector<double> length(p.period.size(), 1.0);
    double longest = 0;
    for (size_t i = 0; i < p.period.size(); ++i) {
      length[i] = i > 0                 ? p.period[i] - p.period[i - 1]
                  : p.period[0] > 0     ? p.period[0]
                  : p.period.size() > 1 ? p.period[1] - p.period[0]
                                        : 1.0;
      if (!(length[i] > 0) || !std::isfinite(length[i])) length[i] = 1.0;
      longest = std::max(longest, length[i]);
      actual_step[i] /= length[i];
      fitted_step[i] /= length[i];
    }
    const bool has_short =
        std::any_of(length.begin(), length.end(), [&](double l) { return l < longest - 1e-9; });
    const auto chart = [&](const std::string& id, const std::string& title, const std::string& what,
                           const std::vector<double>& actual, const std::vector<double>& fitted) {
      report::LineChartSpec spec;
      spec.text = {id, title,
                   "Line chart of the " + what +
                       " by the customers of the calibration cohort, "
                       "actual (solid) and expected by the fitted model (dashed), for each " +
                       unit + " since the cohort's first purchase."};
      spec.x_label = unit + "s since the cohort's first purchase";
      spec.y_label = "repeat purchases";
      spec.x = p.period;
      spec.series = {{"actual", actual, false}, {"model", fitted, true}};
      spec.marker_x = p.calibration_end;
      spec.marker_label = "end of calibration";
      return report::line_chart_svg(spec);
    };
    body += figure(chart("chart-purchases", "Cumulative repeat purchases",
                         "running total of repeat purchases", actual_total, fitted_total),
                   "A good fit tracks the actual line in the calibration period and keeps "
                   "tracking it after the dashed split (holdout), which the model never saw.");
    body += figure(chart("chart-purchases-period", "Repeat purchases per " + unit,
                         "repeat purchases made in each " + unit, actual_step, fitted_step),
                   "The model gives the expected trend, not the " + unit + "-to-" + unit +
                       " noise; the early rise is customers joining the cohort." +
                       (has_short ? " Shorter periods (split at the end of calibration or at the "
                                    "end of the data) are shown as a rate per " +
                                        unit + "."
                                  : std::string()) +
                       (p.note.empty() ? std::string() : " " + p.note));
  } else {
    body += note(
        "Purchases over time: not available for this run (needs the transactions: clv report "
        "--calibration-end DATE with --transactions FILE or the database).");
  }
  if (data.calibration && !data.calibration->frequency_labels.empty()) {
    const CalibrationHoldout& c = *data.calibration;
    report::GroupedBarChartSpec spec;
    spec.text = {"chart-calibration", "Holdout purchases by calibration frequency",
                 "Grouped bar chart: for customers grouped by their number of repeat purchases "
                 "in the calibration period, the mean actual and predicted purchases in the "
                 "holdout period."};
    spec.x_label = "repeat purchases in calibration period";
    spec.y_label = "mean purchases in holdout";
    spec.categories = c.frequency_labels;
    spec.series = {{"actual", c.actual_holdout, false}, {"model", c.predicted_holdout, false}};
    body += figure(report::grouped_bar_chart_svg(spec),
                   "Bars of the same height mean the model predicts future purchases well for "
                   "that kind of customer.");
  } else {
    body += note("Calibration vs holdout: not available (the run has no holdout period).");
  }
  body += "</div>";
  return section("fit", "Model fit",
                 "How well the fitted model reproduces the purchases it saw "
                 "and predicts the ones it did not.",
                 body);
}

std::string alive_section(const ReportData& data) {
  std::string body;
  if (data.alive && !data.alive->probability.empty()) {
    const AliveHeatMap& a = *data.alive;
    report::HeatMapSpec spec;
    spec.text = {"chart-alive", "Probability a customer is still active",
                 "Heat map of P(alive) by number of repeat purchases (rows) and recency, the "
                 "time of the last purchase (columns)."};
    spec.row_axis_label = "repeat purchases";
    spec.column_axis_label = "recency (" + data.metadata.time_unit.name + " of last purchase)";
    spec.value_label = "P(alive)";
    spec.row_labels = a.frequency_labels;
    spec.column_labels = a.recency_labels;
    spec.values = a.probability;
    spec.value_format.percent = true;
    spec.width = kWideChartWidth;
    body = "<div class=\"charts\">" +
           figure(report::heat_map_svg(spec),
                  "Frequent buyers who bought recently (top right) are almost surely still "
                  "active; frequent buyers who stopped long ago (top left) have probably left.",
                  true) +
           "</div>";
  } else {
    body = note("P(alive) by frequency and recency: not available for this run.");
  }
  return section("alive", "Who is still active", "P(alive) from the fitted model.", body);
}

std::string clv_section(const ReportData& data) {
  if (!data.clv || data.clv->clv.empty()) {
    return section("clv", "Customer lifetime value", "Distribution of CLV across customers.",
                   note("CLV per customer: not available for this run (needs a spend model)."));
  }
  const ClvDistribution& d = *data.clv;
  std::vector<double> sorted = d.clv;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const double total = std::accumulate(sorted.begin(), sorted.end(), 0.0);
  const double n = static_cast<double>(sorted.size());
  const double median = sorted.size() % 2
                            ? sorted[sorted.size() / 2]
                            : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
  const report::TickFormat money{false, d.currency};

  std::string body = "<div class=\"charts\">";
  report::HistogramSpec hist;
  hist.text = {"chart-clv-histogram", "CLV per customer",
               "Histogram of customer lifetime value: how many customers fall in each value band."};
  hist.x_label = "customer lifetime value";
  hist.values = sorted;  // ranked once, reused by both charts
  hist.x_format = money;
  body += figure(report::histogram_svg(hist),
                 "Most customers are worth little; a long tail of high-value customers "
                 "carries much of the total.");
  if (total > 0) {
    report::ConcentrationSpec conc;
    conc.text = {"chart-clv-concentration", "Concentration of value",
                 "Concentration curve: share of total CLV held by the top share of customers, "
                 "ranked from highest value."};
    conc.values = sorted;
    body += figure(report::concentration_chart_svg(conc),
                   "The further the curve bows above the diagonal, the more value depends on "
                   "a few customers. Dots mark each decile.");
  } else {
    body += note("Concentration: total CLV is not positive, so shares of it are undefined.");
  }
  body += "</div>";

  std::string table = "<div class=\"tables\"><table class=\"clv-stats\"><caption>CLV</caption>";
  const auto row = [&](const std::string& label, const std::string& value) {
    table += fmt::format("<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
                         escape_xml(label), escape_xml(value));
  };
  row("customers", format_number(n, 0));
  row("total", d.currency + format_number(total, 0));
  row("mean", d.currency + format_number(total / n, 2));
  row("median", d.currency + format_number(median, 2));
  table += "</table>";
  if (total > 0) {
    // One row per measure, one column per decile: compact and easy to scan.
    std::string head = "<tr><th>customers</th>";
    std::string shares = "<tr><th scope=\"row\">share of value</th>";
    for (int decile = 1; decile <= 5; ++decile) {
      const double f = decile / 10.0;
      head += fmt::format("<th class=\"num\">top {}</th>", format_percent(f, 0));
      shares += fmt::format("<td class=\"num\">{}</td>",
                            format_percent(report::top_share(sorted, total, f)));
    }
    table += "<table class=\"deciles\"><caption>Concentration</caption>" + head + "</tr>" + shares +
             "</tr></table>";
  }
  table += "</div>";
  return section("clv", "Customer lifetime value", "Distribution of CLV across customers.",
                 body + table);
}

std::string churn_section(const ReportData& data) {
  std::string body = "<div class=\"charts\">";
  const bool have_segments = data.churn && !data.churn->segments.empty();
  const bool have_drivers = data.churn && !data.churn->drivers.empty();
  if (have_segments) {
    report::GroupedBarChartSpec spec;
    spec.text = {"chart-churn-segments", "Churn risk by segment",
                 "Bar chart of the mean churn risk in each customer segment."};
    spec.x_label = "segment";
    spec.y_label = "mean churn risk";
    std::vector<double> risk;
    for (const auto& s : data.churn->segments) {
      spec.categories.push_back(s.segment);
      risk.push_back(s.churn_risk);
    }
    spec.series = {{"churn risk", risk, false}};
    spec.y_format.percent = true;
    body += figure(report::grouped_bar_chart_svg(spec),
                   "Hover a bar for its exact value; segments are as defined in the data.");
  } else {
    body += note("Churn risk by segment: not available for this run.");
  }
  if (have_drivers) {
    std::vector<ReportChurnDriver> drivers = data.churn->drivers;
    // Largest effects first, whatever their sign.
    std::stable_sort(drivers.begin(), drivers.end(), [](const auto& a, const auto& b) {
      return std::fabs(a.effect) > std::fabs(b.effect);
    });
    report::SignedBarSpec spec;
    spec.text = {"chart-churn-drivers", "Drivers of churn risk",
                 "Horizontal bar chart of each driver's signed effect on churn risk; bars to the "
                 "right raise risk, bars to the left lower it."};
    spec.value_label = data.churn->effect_label;
    for (const auto& d : drivers) {
      spec.names.push_back(d.name);
      spec.values.push_back(d.effect);
    }
    body += figure(report::signed_bar_chart_svg(spec),
                   "Vermillion bars (right) raise churn risk, blue bars (left) lower it.");
  } else {
    body += note("Churn drivers: not available (the run has no covariates).");
  }
  body += "</div>";
  return section("churn", "Churn risk", "Which customers are likely to leave and why.", body);
}

std::string scenario_section(const ReportData& data) {
  if (!data.scenarios || data.scenarios->scenarios.empty()) {
    return section("scenarios", "What-if scenarios", "Effect of changes on total CLV.",
                   note("No what-if scenarios were run."));
  }
  const ScenarioComparison& s = *data.scenarios;
  const std::string level = format_percent(s.interval_level, 0);
  report::ForestPlotSpec spec;
  spec.text = {"chart-scenarios", "Scenario comparison (" + level + " intervals)",
               "Forest plot: for each scenario, the estimated " + s.value_label +
                   " as a square and its " + level + " interval as a horizontal line."};
  spec.value_label = s.value_label;
  spec.width = kWideChartWidth;
  for (const auto& r : s.scenarios) spec.rows.push_back({r.name, r.estimate, r.lower, r.upper});
  const std::string chart =
      figure(report::forest_plot_svg(spec),
             "Intervals entirely right of the zero line (blue) are gains we are confident "
             "about; grey intervals cross zero; vermillion ones are losses.",
             true);
  const bool money = std::any_of(s.scenarios.begin(), s.scenarios.end(),
                                 [](const ScenarioResult& r) { return r.delta_clv.has_value(); });
  auto with_interval = [](const ReportInterval& v, int digits) {
    return fmt::format("{} ({} to {})", format_number(v.estimate, digits),
                       format_number(v.lower, digits), format_number(v.upper, digits));
  };
  std::string table = fmt::format(
      "<div class=\"tables\"><table class=\"scenarios\"><tr><th>scenario</th>{}<th "
      "class=\"num\">{}</th><th class=\"num\">{} interval</th>{}</tr>",
      money ? "<th class=\"num\">change in CLV (" + escape_xml(level) +
                  " interval)</th><th class=\"num\">cost</th>"
            : std::string(),
      money ? "net benefit" : "estimate", escape_xml(level),
      money ? "<th class=\"num\">ROI (" + escape_xml(level) + " interval)</th>" : std::string());
  for (const auto& r : s.scenarios) {
    std::string before, after;
    if (money) {
      before = fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                           r.delta_clv ? with_interval(*r.delta_clv, 2) : std::string("n/a"),
                           r.cost ? format_number(*r.cost, 2) : std::string("no cost given"));
      after = fmt::format("<td class=\"num\">{}</td>",
                          r.roi ? with_interval(*r.roi, 2)
                                : std::string(r.cost ? "n/a (cost 0)" : "no cost given"));
    }
    // Money rows without a cost have no net benefit: show that, not the change
    // in CLV a second time under another name.
    const bool no_net = money && !r.cost;
    table += fmt::format(
        "<tr><td>{}</td>{}<td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
        escape_xml(r.name), before,
        no_net ? std::string("no cost given") : format_number(r.estimate, 2),
        no_net ? std::string("-") : format_number(r.lower, 2) + " to " + format_number(r.upper, 2),
        after);
  }
  table += "</table></div>";
  return section("scenarios", "What-if scenarios",
                 "Effect of each scenario on " + s.value_label + ".",
                 "<div class=\"charts\">" + chart + "</div>" + table);
}

// Word of mouth in the value: who tells how many, the prospects won and
// lost, their value, and the assumptions behind each figure.
std::string word_of_mouth_html(const ServiceWordOfMouth& w) {
  auto range = [](double low, double high, int decimals) {
    return format_number(low, decimals) + "&ndash;" + format_number(high, decimals);
  };
  std::string out =
      "<div class=\"word-of-mouth\" id=\"word-of-mouth\"><h3>Word of mouth</h3>"
      "<div class=\"tables\"><table class=\"word-of-mouth\"><tr><th></th><th "
      "class=\"num\">customers</th><th class=\"num\">people told each</th><th "
      "class=\"num\">prospects</th><th class=\"num\">value</th></tr>";
  out += fmt::format(
      "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
      "class=\"num\">won {}</td><td class=\"num\">+{}</td></tr>",
      escape_xml(w.satisfied_label), format_number(w.satisfied, 0),
      range(w.told_satisfied_low, w.told_satisfied_high, 0),
      range(w.prospects_won_low, w.prospects_won_high, 1),
      range(w.value_won_low, w.value_won_high, 2));
  out += fmt::format(
      "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">up to {}</td><td "
      "class=\"num\">lost {}</td><td class=\"num\">&minus;{}</td></tr>",
      escape_xml(w.unhappy_label), format_number(w.unhappy, 0), format_number(w.told_unhappy, 0),
      format_number(w.prospects_lost, 1), format_number(w.value_lost, 2));
  out += fmt::format(
      "<tr><td>Net value of word of mouth</td><td></td><td></td><td></td><td "
      "class=\"num\">{} to {}</td></tr></table></div>",
      format_number(w.net_low, 2), format_number(w.net_high, 2));
  out += "<p class=\"note\">Assumptions (stated, editable):</p><ul class=\"assumptions\">";
  for (const auto& a : w.assumptions) out += "<li>" + escape_xml(a) + "</li>";
  out += "</ul></div>";
  return out;
}

std::string service_section(const ReportData& data) {
  if (!data.service || data.service->rows.empty()) return {};
  const ServiceSection& s = *data.service;
  report::SignedBarSpec spec;
  spec.text = {"chart-service", "Churn attributable to service by " + s.by,
               "Horizontal bar chart, one bar per " + s.by +
                   ": customers lost per 100 because its incidents were handled worse than the "
                   "portfolio's median (right) or kept because they were handled better (left)."};
  spec.value_label = "customers lost per 100 (vs median handling)";
  for (const auto& r : s.rows) {
    spec.names.push_back(r.group);
    spec.values.push_back(r.attributable_per_100);
  }
  const std::string chart = figure(
      report::signed_bar_chart_svg(spec),
      "Ranked, worst first. The counterfactual is the churn model's: the same customers with "
      "this " +
          s.by +
          "'s incidents resolved at the median time, satisfaction and handler "
          "profile.",
      true);
  std::string table = fmt::format(
      "<div class=\"tables\"><table class=\"service\"><tr><th>{}</th><th>region</th><th "
      "class=\"num\">customers</th><th class=\"num\">incidents per 100</th><th "
      "class=\"num\">resolved within SLA</th><th class=\"num\">satisfaction</th><th "
      "class=\"num\">lost per 100</th><th class=\"num\">CLV at risk</th><th "
      "class=\"num\">rank in region</th></tr>",
      escape_xml(s.by));
  for (const auto& r : s.rows) {
    table += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        escape_xml(r.group), escape_xml(r.region), format_number(r.customers, 0),
        format_number(r.incidents_per_100, 1), format_percent(r.resolved_within_sla, 0),
        r.satisfaction > 0 ? format_number(r.satisfaction, 2) : "&ndash;",
        format_number(r.attributable_per_100, 2), format_number(r.clv_at_risk, 0),
        r.rank_in_region > 0
            ? fmt::format("{} of {}", r.rank_in_region, r.groups_in_region)
            : (r.unranked_reason.empty() ? std::string("&ndash;")
                                         : fmt::format("<span title=\"{}\">not ranked*</span>",
                                                       escape_xml(r.unranked_reason))));
  }
  table += "</table></div>";
  std::string figures;
  for (const auto& r : s.rows) {
    if (r.unranked_reason.empty()) continue;
    figures += "<p class=\"note unranked\">* " + escape_xml(r.group) + ": " +
               escape_xml(r.unranked_reason) + "</p>";
  }
  for (const auto& line : s.figures) figures += "<p class=\"note\">" + escape_xml(line) + "</p>";
  if (s.word_of_mouth) figures += word_of_mouth_html(*s.word_of_mouth);
  return section("service", "Service by " + s.by,
                 fmt::format("Incident handling per {} and the churn it causes; in total {} "
                             "customers over the horizon are lost to service worse than the "
                             "median.",
                             s.by, format_number(s.total_attributable_churn, 1)),
                 "<div class=\"charts\">" + chart + "</div>" + table + figures);
}

}  // namespace

std::string render_report_html(const ReportData& data) {
  report::validate_report_data(data);
  std::string html;
  html.reserve(64 * 1024);
  html += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"clv-engine {}\"><title>{}</title><style>{}</style>"
      "</head>\n<body data-rendered=\"pending\"><main>\n",
      CLV_VERSION_STRING, escape_xml(data.metadata.title), report::report_stylesheet());
  html += header_html(data.metadata);
  html += summary_html(data.summary);
  html += fit_section(data);
  html += alive_section(data);
  html += clv_section(data);
  html += churn_section(data);
  html += scenario_section(data);
  html += service_section(data);
  html += fmt::format(
      "<footer>clv-engine {} &middot; self-contained report, no network needed</footer>\n",
      CLV_VERSION_STRING);
  html += "</main><script>";
  html += report::report_render_check_script();
  html += "</script></body></html>\n";
  return html;
}

void write_report(const ReportData& data, const std::string& path) {
  const std::string html = render_report_html(data);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw Error::io(
        fmt::format("report: cannot open '{}' for writing; check that the directory "
                    "exists and is writable",
                    path));
  }
  out.write(html.data(), static_cast<std::streamsize>(html.size()));
  out.close();
  if (!out) throw Error::io(fmt::format("report: writing '{}' failed (disk full?)", path));
}

}  // namespace clv
