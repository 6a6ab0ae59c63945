// The report's purchases-per-period data: reading a transaction file into
// daily births and repeat days (read_purchase_history) and the expected
// curve of a BG/NBD fit over it (track_purchases), on a synthetic file
// (default 10 million rows, 1 million customers, two years, weekly periods).
//   bench_report_tracking [--rows N] [--customers N] [--dir DIR]
// Prints wall and CPU seconds of each step.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "clv/run_report.hpp"
#include "domain/calendar.hpp"
#include "synthetic_transactions.hpp"

namespace {

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

double wall_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  clv::bench::SyntheticOptions options;
  std::string dir = (std::filesystem::temp_directory_path() / "clv_bench").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") options.rows = std::stoull(argv[i + 1]);
    if (flag == "--customers") options.customers = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    if (flag == "--dir") dir = argv[i + 1];
  }
  std::filesystem::create_directories(dir);
  const std::string csv = fmt::format("{}/tx_{}_{}.csv", dir, options.rows, options.customers);
  if (!std::filesystem::exists(csv)) {
    fmt::print("generating {} ...\n", csv);
    clv::bench::write_synthetic_transactions(csv + ".tmp", options);
    std::filesystem::rename(csv + ".tmp", csv);
  }
  // Calibration = the first year, holdout = the second.
  clv::SummaryPeriod period;
  period.calibration_end_day = clv::days_from_civil(options.first_year, 12, 31);
  period.holdout_end_day = clv::days_from_civil(options.first_year + 1, 12, 31);

  double wall = wall_seconds(), cpu = cpu_seconds();
  const clv::PurchaseHistory history = clv::read_purchase_history(csv, {}, period);
  fmt::print("read_purchase_history: {} rows: {:.2f} s wall, {:.2f} s CPU\n", options.rows,
             wall_seconds() - wall, cpu_seconds() - cpu);

  clv::FitResult fit;
  fit.model = "bgnbd";
  fit.param_names = {"r", "alpha", "a", "b"};
  fit.params = {0.243, 4.414, 0.793, 2.426};
  wall = wall_seconds();
  cpu = cpu_seconds();
  const clv::PurchasesOverTime t = clv::track_purchases(history, fit);
  fmt::print("track_purchases: {} periods x {} days: {:.3f} s wall, {:.3f} s CPU\n",
             t.period.size(), history.births.size(), wall_seconds() - wall, cpu_seconds() - cpu);
  return 0;
}
