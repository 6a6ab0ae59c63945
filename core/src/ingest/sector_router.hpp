// Sector routing for one import (plugin hook 1). Each sector seen gets an
// index; rows of customers whose sector has a plugin are held until the whole
// file is read, because a plugin must see all of one customer's rows in one
// batch (the file may interleave customers). Then they are grouped by
// customer (counting sort on the row id), sorted by time, normalized in
// batches of one sector (sector_normalization.hpp) and written in file order
// (or customer order for a bulk load into an empty table). Rows of sectors
// without a plugin are counted per sector.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clv/import_result.hpp"
#include "clv/plugin_registry.hpp"
#include "ingest/normalize_log.hpp"
#include "ingest/row_parsers.hpp"
#include "ingest/sector_normalization.hpp"

namespace clv {

class IdIndex;
class TransactionLedgerWriter;

class SectorRouter {
 public:
  static constexpr int32_t kPassThrough = -2;  // a held row without a plugin
  static constexpr int64_t kUnresolved = -1;   // a held row's customer, not yet looked up

  // `plugins` may be null (sectors are then only counted).
  SectorRouter(const PluginRegistry* plugins, std::string normalized_path, std::string source_name);

  // The index of sector `name`, created (and its plugin looked up) on first use.
  int32_t sector_index(std::string_view name);
  void set_customer_sector(int64_t customer, int32_t sector);
  // The customer's sector index ("" when unknown).
  int32_t sector_of(int64_t customer);
  bool has_plugin(int32_t sector) const { return sectors_[sector].plugin.has_value(); }
  const std::string& sector_name(int32_t sector) const { return sectors_[sector].name; }
  void count_passed_through(int32_t sector) { ++sectors_[sector].passed_through; }

  // Keeps a row (texts copied) for normalize_and_store(). `sector` is a
  // sector with a plugin, or kPassThrough for a bulk load held for ordering.
  void hold(const TransactionRow& v, int64_t customer, int32_t sector, uint64_t line);
  size_t held() const { return held_.size(); }
  void reserve_held(size_t rows) { held_.reserve(rows); }
  // Looks up the customers of rows held as kUnresolved, from row `from` on,
  // in file order (so new customers get the same row ids as an immediate
  // lookup would give) while prefetching the index slot of a row ahead.
  void resolve_customers(size_t from, const IdIndex& index,
                         const std::function<int64_t(std::string_view)>& customer_row);

  // Normalizes the held rows and queues the kept ones on `ledger` (then
  // flushes it): in customer order when `customer_order`, else in file order.
  // Returns the number of rows the plugins dropped.
  uint64_t normalize_and_store(TransactionLedgerWriter& ledger, bool customer_order);

  // Adds the per-sector counts: normalized (sectors with a plugin) and
  // no_plugin (rows stored unchanged).
  void report(ImportResult& result) const;
  NormalizeLog& log() { return normalize_log_; }

 private:
  struct Route {
    std::string name;
    std::optional<SectorPlugin> plugin;
    SectorNormalization counts;
    uint64_t passed_through = 0;
  };
  struct HeldTxn {
    int64_t customer, ts, amount, quantity;
    uint64_t line;
    uint64_t text_start;  // id, currency, category, channel, location, reference, customer
    uint32_t text_length[7];
    int32_t payer;   // index into payer_labels_, -1 if none
    int32_t sector;  // index into sectors_, kPassThrough or kDroppedRow
    uint8_t kind;    // index into kCanonicalKinds
    int8_t exponent;
    bool reference_given;  // false: the reference is implied from the transaction id
  };
  struct OpenBatch {
    TransactionBatch batch;
    std::vector<uint32_t> held;  // held_ index of each batch row
  };
  static constexpr int32_t kDroppedRow = -1;
  static constexpr size_t kPluginBatchRows = 1 << 16;

  std::string_view held_text(const HeldTxn& h, int field) const;
  void append_customer(OpenBatch& open, const uint32_t* rows, size_t count);
  void flush_sector(int32_t sector);
  void store_held(const std::vector<uint32_t>& order, TransactionLedgerWriter& ledger);

  const PluginRegistry* plugins_;
  std::vector<Route> sectors_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int32_t, NameHash, std::equal_to<>> sector_of_name_;
  std::vector<int32_t> customer_sector_;  // by customer row id, -1 unknown
  std::vector<HeldTxn> held_;
  std::string held_text_;
  std::vector<std::string> payer_labels_;
  std::vector<OpenBatch> open_batches_;  // by sector
  std::vector<std::string_view> customer_references_;
  std::vector<std::string_view> customer_locations_;
  std::vector<NormalizedOutcome> outcomes_;
  NormalizeLog normalize_log_;
  uint64_t dropped_ = 0;
};

}  // namespace clv
