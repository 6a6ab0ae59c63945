#include "report/report_assets.hpp"

namespace clv::report {

std::string_view report_stylesheet() {
  return R"css(
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff; --bg: #f6f7f9;
        --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
header.report-header { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
                       padding: 20px 24px; border-top: 5px solid var(--accent); }
h1 { margin: 0 0 8px; font-size: 26px; }
h2 { font-size: 20px; margin: 0 0 4px; }
p.lead { margin: 0 0 14px; color: var(--muted); }
dl.meta { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px 24px; margin: 12px 0 0; }
dl.meta div { min-width: 0; }
dl.meta dt { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
section.report-section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
                         padding: 18px 24px; margin-top: 18px; }
.tables { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; margin-top: 12px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; white-space: nowrap; }
th, td { padding: 4px 14px 4px 0; border-bottom: 1px solid var(--line); text-align: left; }
td.num, th.num { text-align: right; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px; }
figure { margin: 0; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg .chart-title { font-size: 15px; font-weight: 600; fill: var(--ink); }
svg .tick-label, svg .legend-label, svg .row-label, svg .bar-label, svg .point-label { font-size: 12px; fill: var(--ink); }
svg .axis-label { font-size: 12px; fill: var(--muted); }
svg .annotation { font-size: 11px; fill: var(--muted); }
svg .cell-label { font-size: 11px; }
svg .mark:hover { opacity: .8; }
p.note { color: var(--muted); font-style: italic; margin: 6px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 18px; text-align: center; }
@media print { body { background: #fff; } section.report-section, header.report-header { break-inside: avoid; } }
)css";
}

std::string_view report_render_check_script() {
  return R"js(
(function () {
  var charts = document.querySelectorAll('svg[data-chart]');
  var ok = charts.length > 0;
  charts.forEach(function (svg) {
    var box = svg.getBBox();
    var rect = svg.getBoundingClientRect();
    var marks = svg.querySelectorAll('.mark').length;
    var good = box.width > 0 && box.height > 0 && rect.width > 0 && rect.height > 0 && marks > 0;
    svg.setAttribute('data-rendered', good ? 'ok' : 'empty');
    svg.setAttribute('data-bbox', Math.round(box.width) + 'x' + Math.round(box.height));
    svg.setAttribute('data-marks', String(marks));
    if (!good) ok = false;
  });
  document.body.setAttribute('data-chart-count', String(charts.length));
  document.body.setAttribute('data-rendered', ok ? 'ok' : 'failed');
})();
)js";
}

}  // namespace clv::report
