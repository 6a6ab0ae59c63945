// Options shared by `clv report` and `clv whatif --report` that draw the
// tracking charts (purchases per period, fitted vs actual): the summary's
// calibration and holdout ends and where the transactions come from.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "clv/fit_result.hpp"
#include "clv/run_report.hpp"

namespace clv::cli {

struct PurchaseHistoryArgs {
  std::string calibration_end, holdout_end, transactions, format = "csv";
  std::vector<std::string> maps;
  bool no_header = false;
};

// Adds --calibration-end, --holdout-end, --transactions, --map, --no-header and
// --format to `cmd` (the database option is the command's own --db).
void add_purchase_history_options(CLI::App& cmd, PurchaseHistoryArgs& args);

// The transactions by day in the fit's time unit, or nothing when no
// --calibration-end was given. Reads --transactions, else the database.
std::optional<PurchaseHistory> load_purchase_history(const PurchaseHistoryArgs& args,
                                                     const std::string& db_path,
                                                     const FitResult& count_model);

}  // namespace clv::cli
