// `clv generate`: writes a synthetic sector portfolio (CSV files in the
// import contract plus truth.json) for demos, tests and benchmarks.
#include <chrono>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/error.hpp"
#include "clv/portfolio_generator.hpp"
#include "command_registry.hpp"

namespace {

struct GenerateOptions {
  std::string sector;
  int64_t customers = 2000;
  uint64_t seed = 1;
  std::string start = "2024-01-01";
  double years = 3.0;
  std::string out;
};

void run(const GenerateOptions& o) {
  auto config = clv::default_generator_config(clv::sector_from_name(o.sector));
  config.customers = o.customers;
  config.seed = o.seed;
  config.years = o.years;
  int64_t start_seconds = 0;
  if (!clv::parse_timestamp(o.start, start_seconds))
    throw clv::Error::invalid_argument(
        fmt::format("--start '{}' is not a date; use YYYY-MM-DD, e.g. 2024-01-01", o.start));
  config.start_day = clv::day_of(start_seconds);
  const auto began = std::chrono::steady_clock::now();
  const auto counts = clv::write_portfolio(config, o.out);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  fmt::print(
      "generated {} portfolio in {}: {} customers, {} transactions, {} incidents ({} unresolved), "
      "{} employees, {} dropouts in the window ({:.2f} s)\n",
      o.sector, o.out, counts.customers, counts.transactions, counts.incidents,
      counts.unresolved_incidents, counts.employees, counts.dropouts, seconds);
}

void setup(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  auto* cmd = app.add_subcommand(
      "generate", "Write a synthetic sector portfolio (customers, transactions, incidents, staff)");
  cmd->add_option("--sector", options->sector,
                  "retail, hospitality, healthcare, travel or financial")
      ->required();
  cmd->add_option("--customers", options->customers, "Number of customers")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}))
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Random seed; the same seed gives identical files")
      ->capture_default_str();
  cmd->add_option("--start", options->start, "First day of the observation window (YYYY-MM-DD)")
      ->capture_default_str();
  cmd->add_option("--years", options->years, "Length of the observation window in years")
      ->check(CLI::Range(0.01, 100.0))
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Output directory (created if missing)")->required();
  cmd->callback([options] { run(*options); });
}

}  // namespace

CLV_REGISTER_COMMAND(15, setup);
