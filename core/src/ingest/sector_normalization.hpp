// The sector normalization step (plugin hook 1) on one batch of rows,
// independent of where the rows come from: the importer feeds it whole
// customers from a file, the engine's HTTP / C API ingest can feed it the
// rows of one request (even a single record). It runs the plugin, checks
// what the plugin returned and says, per row, what became of it.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "clv/import_result.hpp"
#include "clv/sector_plugin.hpp"

namespace clv {

struct NormalizedOutcome {
  bool dropped = false;
  // Empty for a row kept as it was; else "flagged (kept)", "merged",
  // "netted", "cancelled", "dropped (flagged)" or "dropped".
  const char* action = "";
  int64_t merged_into = -1;  // batch row it went into, -1 if none
  double amount = 0;         // the kept amount in major units (>= 0, finite)
};

// `batch` holds each customer's rows together and in time order. Adds the
// plugin's counts to `counts` and fills one outcome per row. Throws
// Error::plugin_error when the plugin sets an amount below 0 or not finite,
// naming the row by `line_of(batch row)`.
void normalize_batch(const SectorPlugin& plugin, TransactionBatch& batch,
                     SectorNormalization& counts, std::vector<NormalizedOutcome>& outcomes,
                     const std::function<uint64_t(size_t)>& line_of);

}  // namespace clv
