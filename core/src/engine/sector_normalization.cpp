#include "engine/sector_normalization.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "ingest/money.hpp"

namespace clv {
namespace {

// Import kinds to the plugin ABI's: a refund gives money back like a return.
TransactionKind plugin_kind(std::string_view kind) {
  if (kind == "return" || kind == "refund") return TransactionKind::kReturn;
  if (kind == "cancellation") return TransactionKind::kCancellation;
  return TransactionKind::kPurchase;
}

double power_of_ten(std::string_view currency) {
  static constexpr double kPowers[] = {1, 10, 100, 1000, 10000};
  return kPowers[currency_exponent(currency)];
}

}  // namespace

NormalizedBatch normalize_for_sectors(
    std::span<const TransactionRecord> batch, const PluginRegistry& plugins,
    const std::function<std::string(std::string_view)>& sector_of) {
  NormalizedBatch out;
  std::vector<char> dropped(batch.size(), 0);
  std::vector<int64_t> amount(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) amount[i] = batch[i].amount_minor;
  // Rows per sector with a plugin, then per customer.
  std::map<std::string, std::map<std::string_view, std::vector<size_t>>> by_sector;
  if (!plugins.plugins().empty()) {
    std::unordered_map<std::string_view, std::string> sector_cache;
    for (size_t i = 0; i < batch.size(); ++i) {
      const std::string_view customer = batch[i].customer_id;
      auto it = sector_cache.find(customer);
      if (it == sector_cache.end()) it = sector_cache.emplace(customer, sector_of(customer)).first;
      if (it->second.empty() || !plugins.has_sector(it->second)) continue;
      by_sector[it->second][customer].push_back(i);
    }
  }
  for (auto& [sector, customers] : by_sector) {
    const SectorPlugin plugin = plugins.for_sector(sector);
    TransactionBatch b;
    std::vector<size_t> row_of;  // batch row -> record index
    std::vector<std::string> references;
    std::vector<std::string_view> locations;
    int64_t customer_number = 0;
    for (auto& [customer, rows] : customers) {
      std::stable_sort(rows.begin(), rows.end(),
                       [&](size_t a, size_t c) { return batch[a].timestamp < batch[c].timestamp; });
      // References are compared within one customer only, as the import does.
      references.clear();
      locations.clear();
      const auto base = static_cast<int64_t>(b.size());
      const int64_t customer_index = customer_number++;
      for (size_t i : rows) {
        const TransactionRecord& r = batch[i];
        int64_t reference = -1;
        if (!r.reference.empty()) {
          const auto it = std::find(references.begin(), references.end(), r.reference);
          reference = base + (it - references.begin());
          if (it == references.end()) references.push_back(r.reference);
        }
        int64_t location = -1;  // sites, like references, are told apart within a customer
        if (!r.location.empty()) {
          const auto it = std::find(locations.begin(), locations.end(), r.location);
          location = base + (it - locations.begin());
          if (it == locations.end()) locations.push_back(r.location);
        }
        int32_t payer = -1;
        if (!r.payer.empty()) {
          const auto it = std::find(b.payer_labels.begin(), b.payer_labels.end(), r.payer);
          payer = static_cast<int32_t>(it - b.payer_labels.begin());
          if (it == b.payer_labels.end()) b.payer_labels.push_back(r.payer);
        }
        b.add(customer_index, r.timestamp, plugin_kind(r.kind),
              static_cast<double>(r.amount_minor) / power_of_ten(r.currency), reference, payer,
              location);
        row_of.push_back(i);
      }
    }
    plugin.normalize_transactions(b);
    for (size_t k = 0; k < row_of.size(); ++k) {
      const size_t i = row_of[k];
      if (b.flags[k] & row_flag::kDrop) {
        dropped[i] = 1;
        ++out.normalized_away;
        continue;
      }
      const double minor = b.amount[k] * power_of_ten(batch[i].currency);
      if (!(minor >= 0) || minor > 9.0e15) {
        throw Error::plugin_error(fmt::format(
            "plugin '{}' ({}) set the amount of record {} to {}: amounts must stay >= 0 and "
            "finite; nothing in this batch was stored",
            plugin.id(), plugin.info().library_path, i, b.amount[k]));
      }
      amount[i] = std::llround(minor);
    }
  }
  out.records.reserve(batch.size() - out.normalized_away);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (dropped[i]) continue;
    out.records.push_back(batch[i]);
    out.records.back().amount_minor = amount[i];
  }
  return out;
}

}  // namespace clv
