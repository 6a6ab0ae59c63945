// Hook 1 for ingested records: the transactions of customers whose sector has
// a plugin go through the plugin's normalize step exactly as the CSV import
// sends them (one customer's rows of a batch in one call, in time order,
// amounts in major units, references and payers as dictionaries), so an
// HTTP or C API ingest stores what `clv import` stores for the same rows.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clv/engine.hpp"

namespace clv {

class PluginRegistry;

struct NormalizedBatch {
  std::vector<TransactionRecord> records;  // kept rows, in batch order, amounts as normalized
  size_t normalized_away = 0;              // netted, merged or dropped by a plugin
};

// `sector_of` gives a customer's sector ("" when unknown). Throws
// Error::plugin_error when a plugin fails or returns an amount < 0 or not
// finite (nothing of the batch is stored then).
NormalizedBatch normalize_for_sectors(
    std::span<const TransactionRecord> batch, const PluginRegistry& plugins,
    const std::function<std::string(std::string_view)>& sector_of);

}  // namespace clv
