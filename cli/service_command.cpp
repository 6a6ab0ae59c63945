// `clv service`: guest tracking by site, department, employee or region from
// the stored covariate churn fit (incidents per 100 customers, share
// resolved within SLA, satisfaction, churn attributable to service, CLV at
// risk, rank within the region) and the literature's figures beside the
// business's own.
#include <map>
#include <string>

#include <fmt/format.h>

#include "clv/service_run.hpp"
#include "command_registry.hpp"
#include "sector_plugins.hpp"
#include "word_of_mouth_options.hpp"

namespace {

struct ServiceArgs {
  std::string db, by = "location";
  int64_t run = 0;
  double horizon = 0;
  size_t top = 20;
  bool json = false;
  clv::cli::PluginArgs plugins;
  std::map<std::string, double> wom;  // word-of-mouth field -> value, as given
};

void run(const ServiceArgs& args) {
  clv::ServiceReportRequest request;
  request.key = clv::parse_service_key(args.by);
  request.run = args.run;
  request.horizon = args.horizon;
  clv::cli::apply_word_of_mouth_options(args.wom, request.word_of_mouth);
  const clv::PluginRegistry plugins = clv::cli::load_plugins(args.plugins, "service");
  request.plugins = &plugins;
  const clv::ServiceReport r = clv::run_service_report(args.db, request);
  if (args.json) {
    fmt::print("{}\n", clv::service_report_json(r));
    return;
  }
  const clv::ServiceBreakdown& b = r.breakdown;
  fmt::print(
      "service by {}: {} customers, covariate fit run {} (calibration end {}), horizon {} "
      "{}s\n",
      clv::service_key_name(b.key), r.customers, r.fit_run, r.calibration_end, b.horizon,
      r.time_unit);
  fmt::print("{:<22} {:>9} {:>9} {:>9} {:>8} {:>6} {:>12} {:>10} {:>12} {:>8}\n", "group",
             "customers", "incidents", "per_100", "in_sla", "satis", "attr_churn", "per_100",
             "clv_at_risk", "rank");
  size_t shown = 0;
  for (const auto& g : b.groups) {
    if (shown++ == args.top) break;
    fmt::print(
        "{:<22} {:>9.0f} {:>9.0f} {:>9.1f} {:>8} {:>6} {:>+12.2f} {:>+10.2f} {:>12.2f} "
        "{:>8}\n",
        g.group, g.customers, g.incidents, g.incidents_per_100,
        g.incidents > 0 ? fmt::format("{:.1f}%", 100.0 * g.resolved_within_sla) : "-",
        g.surveys > 0 ? fmt::format("{:.2f}", g.satisfaction) : "-", g.attributable_churn,
        g.attributable_per_100, g.clv_at_risk,
        b.key == clv::ServiceKey::kLocation
            ? (g.unranked_reason.empty()
                   ? fmt::format("{}/{} {}", g.rank_in_region, g.groups_in_region, g.region)
                   : std::string("unranked*"))
            : "");
  }
  for (const auto& g : b.groups) {
    if (!g.unranked_reason.empty()) fmt::print("* {}: {}\n", g.group, g.unranked_reason);
  }
  fmt::print(
      "total churn attributable to service (every incident at the median): {:+.2f} "
      "customers over the horizon\n",
      b.total_attributable_churn);
  const clv::ServiceFigures& f = r.figures;
  fmt::print("\nthe literature's figures beside yours:\n");
  fmt::print(
      "  bought again after an incident: resolved within SLA {:.0f}% ({:.0f}), late {:.0f}% "
      "({:.0f}), unresolved {:.0f}% ({:.0f}); quoted: 82% after a complaint handled "
      "quickly and pleasantly\n",
      100 * f.repurchase_within_sla, f.incidents_within_sla, 100 * f.repurchase_late,
      f.incidents_late, 100 * f.repurchase_unresolved, f.incidents_unresolved);
  fmt::print(
      "  never bought again after a severity-5 or satisfaction-1 incident: {:.0f}% ({:.0f} "
      "incidents); quoted: 91% of retail customers after really poor service\n",
      100 * f.lost_after_worst, f.worst_incidents);
  fmt::print("  {}\n", clv::word_of_mouth_text(r.word_of_mouth));
  for (const auto& note : b.notes) fmt::print("note: {}\n", note);
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ServiceArgs>();
  auto* cmd = app.add_subcommand("service",
                                 "Service by site, department, employee or region: incidents, SLA, "
                                 "satisfaction, churn attributable to service, CLV at risk");
  cmd->add_option("--by", args->by, "location (site), department, employee or region")
      ->capture_default_str();
  cmd->add_option("--horizon", args->horizon, "Horizon in the fit's time unit")->required();
  cmd->add_option("--run", args->run,
                  "Covariate fit run (default: the latest stored by clv fit --db --covariates)");
  cmd->add_option("--top", args->top, "Show the first N groups (default 20)");
  cmd->add_flag("--json", args->json, "Print JSON");
  clv::cli::add_word_of_mouth_options(*cmd, args->wom);
  clv::cli::add_plugin_options(*cmd, args->plugins);
  clv::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(48, setup);
