// Null-portfolio check of the covariate churn fit (issue 14, "Must show"):
// portfolios generated with every incident and staff effect zero (dropout
// and purchase), imported through the sector plugin, fitted with the
// time-varying covariates of truth.json (unresolved, resolution, satisfaction,
// empathy, tact). A seed "finds a clear effect" when any of the 10
// coefficients (5 covariates x dropout/purchase) has p < 0.05, the fit's
// "clear" verdict. Also reported: the share of single coefficients called
// clear (a calibrated test gives ~5%) and the seeds with a clear effect after
// Bonferroni over the 10 (family-wise 5%).
//
// Usage: bench_null_effects [--seeds 100] [--first-seed 1] [--customers 1000]
//                           [--sector hospitality] [--plugin-dir DIR] [--json FILE]
// Plugins are found as clv finds them (the build tree's plugins/ when run from it).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/churn.hpp"
#include "clv/covariate_runs.hpp"
#include "clv/database.hpp"
#include "clv/importer.hpp"
#include "clv/plugin_registry.hpp"
#include "clv/portfolio_generator.hpp"

namespace {

struct Args {
  int seeds = 100;
  uint64_t first_seed = 1;
  int64_t customers = 1000;
  std::string sector = "hospitality";
  std::vector<std::string> plugin_dirs;
  std::string json_out;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--seeds")
      a.seeds = std::atoi(v.c_str());
    else if (k == "--first-seed")
      a.first_seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--customers")
      a.customers = std::atoll(v.c_str());
    else if (k == "--sector")
      a.sector = v;
    else if (k == "--plugin-dir")
      a.plugin_dirs.push_back(v);
    else if (k == "--json")
      a.json_out = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  clv::PluginRegistry plugins;
  clv::PluginSearchOptions search;
  search.plugin_dirs = args.plugin_dirs;
  for (const auto& p : plugins.discover(search)) {
    std::fprintf(stderr, "plugin refused: %s: %s\n", p.path.c_str(), p.message.c_str());
  }
  if (!plugins.has_sector(args.sector)) {
    std::fprintf(stderr, "no plugin serves sector %s (pass --plugin-dir)\n", args.sector.c_str());
    return 2;
  }
  const auto scratch =
      std::filesystem::temp_directory_path() / fmt::format("clv_null_effects_{}", getpid());
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  int seeds_clear = 0, seeds_clear_bonferroni = 0, failed = 0, coefficients = 0,
      coefficients_clear = 0;
  nlohmann::json per_seed = nlohmann::json::array();
  for (int k = 0; k < args.seeds; ++k) {
    const uint64_t seed = args.first_seed + static_cast<uint64_t>(k);
    clv::GeneratorConfig config = clv::default_generator_config(clv::sector_from_name(args.sector));
    config.customers = args.customers;
    config.seed = seed;
    config.dropout_effects = {};  // the null: incidents and staff do nothing
    config.purchase_effects = {};
    std::filesystem::remove_all(scratch);
    const clv::PortfolioCounts counts = clv::write_portfolio(config, scratch);
    const std::string db_path = (scratch / "clv.db").string();
    nlohmann::json row = {{"seed", seed}, {"incidents", counts.incidents}};
    try {
      {
        clv::Database db = clv::Database::open(db_path);
        clv::ImportOptions options;
        options.plugins = &plugins;
        options.sector = args.sector;
        for (const auto& [entity, file] : {std::pair{clv::Entity::kEmployees, "employees.csv"},
                                           {clv::Entity::kCustomers, "customers.csv"},
                                           {clv::Entity::kTransactions, "transactions.csv"},
                                           {clv::Entity::kIncidents, "incidents.csv"}}) {
          clv::import_file(db, entity, (scratch / file).string(), options);
        }
      }
      clv::DbCovariateFitRequest request;
      request.db_path = db_path;
      // Every day of the window is calibration.
      request.calibration_end_day =
          config.start_day + static_cast<int64_t>(config.years * 365.25) - 1;
      request.covariates = "unresolved,resolution,satisfaction,empathy,tact";
      request.plugin_dirs = args.plugin_dirs;
      request.store = false;
      const clv::DbCovariateFit fit = clv::fit_db_covariate_run(request);
      int clear = 0, clear_bonferroni = 0;
      nlohmann::json effects = nlohmann::json::array();
      const auto all = clv::covariate_effects(fit.model);
      for (const auto& e : all) {
        ++coefficients;
        clear += e.p_value < 0.05;
        clear_bonferroni += e.p_value < 0.05 / static_cast<double>(all.size());
        effects.push_back({{"effect", e.process + ":" + e.covariate}, {"p", e.p_value}});
      }
      coefficients_clear += clear;
      seeds_clear += clear > 0;
      seeds_clear_bonferroni += clear_bonferroni > 0;
      row["clear"] = clear;
      row["effects"] = effects;
      std::printf("seed %3llu: %5lld incidents, %d of %zu effects clear at 5%%%s\n",
                  static_cast<unsigned long long>(seed), static_cast<long long>(counts.incidents),
                  clear, all.size(), clear_bonferroni > 0 ? " (also after Bonferroni)" : "");
    } catch (const std::exception& e) {
      ++failed;
      row["error"] = e.what();
      std::printf("seed %3llu: fit failed: %s\n", static_cast<unsigned long long>(seed), e.what());
    }
    std::fflush(stdout);
    per_seed.push_back(row);
  }
  std::filesystem::remove_all(scratch);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const int fitted = args.seeds - failed;
  const int no_clear = fitted - seeds_clear;
  std::printf(
      "\nnull portfolios (%s, %lld customers, all incident/staff effects 0): %d seeds, %d fitted\n"
      "seeds with no clear effect (p < 0.05 on each of the 10): %d of %d (target >= 90 of 100)\n"
      "single coefficients called clear: %d of %d (%.1f%%; a calibrated test: ~5%%)\n"
      "seeds with no clear effect after Bonferroni (p < 0.005): %d of %d\n"
      "time: %.0f s wall, %.0f s CPU\n",
      args.sector.c_str(), static_cast<long long>(args.customers), args.seeds, fitted, no_clear,
      fitted, coefficients_clear, coefficients,
      coefficients > 0 ? 100.0 * coefficients_clear / coefficients : 0.0,
      fitted - seeds_clear_bonferroni, fitted, wall, cpu_seconds() - cpu0);
  if (!args.json_out.empty()) {
    std::ofstream(args.json_out) << nlohmann::json{{"sector", args.sector},
                                                   {"customers", args.customers},
                                                   {"seeds", args.seeds},
                                                   {"fitted", fitted},
                                                   {"seeds_without_clear_effect", no_clear},
                                                   {"coefficients", coefficients},
                                                   {"coefficients_clear", coefficients_clear},
                                                   {"seeds_without_clear_effect_bonferroni",
                                                    fitted - seeds_clear_bonferroni},
                                                   {"wall_seconds", wall},
                                                   {"per_seed", per_seed}}
                                        .dump(1)
                                 << "\n";
  }
  return failed > 0 ? 1 : 0;
}
