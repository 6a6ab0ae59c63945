#include "ingest/sector_normalization.hpp"

#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

void normalize_batch(const SectorPlugin& plugin, TransactionBatch& batch,
                     SectorNormalization& counts, std::vector<NormalizedOutcome>& outcomes,
                     const std::function<uint64_t(size_t)>& line_of) {
  const NormalizeReport report = plugin.normalize_transactions(batch);
  counts.rows += report.rows;
  counts.kept += report.kept;
  counts.dropped += report.dropped;
  counts.netted += report.netted;
  counts.merged += report.merged;
  counts.cancelled += report.cancelled;
  counts.flagged += report.flagged;
  counts.adjusted += report.adjusted;
  outcomes.assign(batch.size(), {});
  for (size_t i = 0; i < batch.size(); ++i) {
    NormalizedOutcome& out = outcomes[i];
    const uint32_t flags = batch.flags[i];
    const double amount = batch.amount[i];
    if (!(amount >= 0) || !std::isfinite(amount)) {  // also refuses NaN
      throw Error::plugin_error(fmt::format(
          "plugin '{}' ({}) set the amount of line {} to {}: amounts must stay >= 0 and finite",
          plugin.id(), plugin.info().library_path, line_of(i), amount));
    }
    out.amount = amount;
    out.merged_into = batch.merged_into[i];
    out.dropped = (flags & row_flag::kDrop) != 0;
    if ((flags & (row_flag::kDrop | row_flag::kFlagged)) == 0) continue;
    if (!out.dropped) {
      out.action = "flagged (kept)";
    } else if (flags & row_flag::kMerged) {
      out.action = "merged";
    } else if (flags & row_flag::kNetted) {
      out.action = "netted";
    } else if (flags & row_flag::kCancelled) {
      out.action = "cancelled";
    } else {
      out.action = (flags & row_flag::kFlagged) ? "dropped (flagged)" : "dropped";
    }
  }
}

}  // namespace clv
