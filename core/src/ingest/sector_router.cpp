#include "ingest/sector_router.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "ingest/id_index.hpp"
#include "ingest/money.hpp"
#include "store/transaction_ledger_writer.hpp"

namespace clv {
namespace {

constexpr std::string_view kCanonicalKinds[] = {"purchase", "return", "refund", "cancellation"};
// Import kinds to the plugin ABI's: a refund gives money back like a return.
constexpr TransactionKind kPluginKind[] = {TransactionKind::kPurchase, TransactionKind::kReturn,
                                           TransactionKind::kReturn,
                                           TransactionKind::kCancellation};
constexpr int64_t kPowersOfTen[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

uint8_t kind_index(std::string_view kind) {
  for (uint8_t k = 0; k < 4; ++k) {
    if (kCanonicalKinds[k] == kind) return k;
  }
  return 0;
}

// Without a reference column, the import contract links a return,
// cancellation or refund to its purchase by id: "T123-R" undoes "T123"
// (data/README.md); a purchase is its own order.
std::string_view implied_reference(std::string_view id, uint8_t kind) {
  if (kind != 0 && id.size() > 2 && id[id.size() - 2] == '-') {
    const char suffix = id.back();
    if (suffix == 'R' || suffix == 'X' || suffix == 'F') id.remove_suffix(2);
  }
  return id;
}

}  // namespace

SectorRouter::SectorRouter(const PluginRegistry* plugins, std::string normalized_path,
                           std::string source_name)
    : plugins_(plugins), normalize_log_(std::move(normalized_path), std::move(source_name)) {}

int32_t SectorRouter::sector_index(std::string_view name) {
  if (const auto it = sector_of_name_.find(name); it != sector_of_name_.end()) return it->second;
  const auto index = static_cast<int32_t>(sectors_.size());
  Route& route = sectors_.emplace_back();
  route.name = std::string(name);
  if (!name.empty() && plugins_ != nullptr && plugins_->has_sector(name)) {
    route.plugin = plugins_->for_sector(name);
    route.counts.plugin = route.plugin->id();
  }
  sector_of_name_.emplace(route.name, index);
  open_batches_.emplace_back();
  return index;
}

void SectorRouter::set_customer_sector(int64_t customer, int32_t sector) {
  if (customer < 0) return;
  const auto row = static_cast<size_t>(customer);
  if (row >= customer_sector_.size())
    customer_sector_.resize(std::max(row + 1, 2 * customer_sector_.size()), -1);
  customer_sector_[row] = sector;
}

int32_t SectorRouter::sector_of(int64_t customer) {
  const int32_t sector = customer >= 0 && customer < static_cast<int64_t>(customer_sector_.size())
                             ? customer_sector_[static_cast<size_t>(customer)]
                             : -1;
  return sector >= 0 ? sector : sector_index("");
}

void SectorRouter::hold(const TransactionRow& v, int64_t customer, int32_t sector, uint64_t line) {
  HeldTxn& h = held_.emplace_back();
  h.customer = customer;
  h.ts = v.ts;
  h.amount = v.amount;
  h.quantity = v.quantity;
  h.line = line;
  h.sector = sector;
  h.kind = kind_index(v.kind);
  h.exponent = static_cast<int8_t>(v.exponent);
  h.payer = -1;
  if (!v.payer.empty()) {
    const auto it = std::find(payer_labels_.begin(), payer_labels_.end(), v.payer);
    h.payer = static_cast<int32_t>(it - payer_labels_.begin());
    if (it == payer_labels_.end()) payer_labels_.emplace_back(v.payer);
  }
  h.reference_given = !v.reference.empty();
  const std::string_view reference =
      v.reference.empty() ? implied_reference(v.id, h.kind) : v.reference;
  const std::string_view texts[7] = {v.id,       v.currency, v.category, v.channel,
                                     v.location, reference,  v.customer};
  h.text_start = held_text_.size();
  for (int t = 0; t < 7; ++t) {
    h.text_length[t] = static_cast<uint32_t>(texts[t].size());
    held_text_.append(texts[t]);
  }
}

std::string_view SectorRouter::held_text(const HeldTxn& h, int field) const {
  uint64_t start = h.text_start;
  for (int t = 0; t < field; ++t) start += h.text_length[t];
  return std::string_view(held_text_).substr(start, h.text_length[field]);
}

// With many customers the id index outgrows the caches and each lookup is a
// DRAM (and TLB) miss that the per-row work cannot hide (measured ~10% of
// the 10M-row/1M-customer import): fetch the slot of a row several ahead.
void SectorRouter::resolve_customers(size_t from, const IdIndex& index,
                                     const std::function<int64_t(std::string_view)>& customer_row) {
  constexpr size_t kAhead = 32;
  const size_t n = held_.size();
  for (size_t i = from; i < n; ++i) {
    if (i + kAhead < n) index.prefetch(held_text(held_[i + kAhead], 6));
    held_[i].customer = customer_row(held_text(held_[i], 6));
  }
}

uint64_t SectorRouter::normalize_and_store(TransactionLedgerWriter& ledger, bool customer_order) {
  if (held_.empty()) return 0;
  // Counting sort by customer row id: O(n), and it keeps file order within a
  // customer, so equal timestamps stay in line order.
  int64_t max_customer = 0;
  for (const HeldTxn& h : held_) max_customer = std::max(max_customer, h.customer);
  std::vector<uint32_t> start(static_cast<size_t>(max_customer) + 2, 0);
  for (const HeldTxn& h : held_) ++start[static_cast<size_t>(h.customer) + 1];
  for (size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
  std::vector<uint32_t> order(held_.size());
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t i = 0; i < held_.size(); ++i)
      order[next[held_[i].customer]++] = static_cast<uint32_t>(i);
  }
  for (size_t c = 0; c + 1 < start.size(); ++c) {
    const uint32_t begin = start[c], end = start[c + 1];
    if (begin == end) continue;
    uint32_t* rows = order.data() + begin;
    const int32_t sector = held_[rows[0]].sector;
    if (sector == kPassThrough) continue;  // stored in customer order, no plugin to feed
    auto by_time = [&](uint32_t a, uint32_t b) { return held_[a].ts < held_[b].ts; };
    if (!std::is_sorted(rows, rows + (end - begin), by_time)) {
      std::stable_sort(rows, rows + (end - begin), by_time);
    }
    append_customer(open_batches_[sector], rows, end - begin);
    if (open_batches_[sector].held.size() >= kPluginBatchRows) flush_sector(sector);
  }
  for (size_t s = 0; s < sectors_.size(); ++s) flush_sector(static_cast<int32_t>(s));
  store_held(customer_order ? order : std::vector<uint32_t>{}, ledger);
  held_.clear();
  held_.shrink_to_fit();
  held_text_.clear();
  held_text_.shrink_to_fit();
  return dropped_;
}

void SectorRouter::append_customer(OpenBatch& open, const uint32_t* rows, size_t count) {
  TransactionBatch& b = open.batch;
  // References are compared within one customer only (a return nets against
  // its own order), so a small per-customer list is all the lookup needed.
  customer_references_.clear();
  customer_locations_.clear();
  const auto base = static_cast<int64_t>(b.size());
  for (size_t k = 0; k < count; ++k) {
    const HeldTxn& h = held_[rows[k]];
    int64_t reference = -1;
    if (const std::string_view text = held_text(h, 5); !text.empty()) {
      const auto it = std::find(customer_references_.begin(), customer_references_.end(), text);
      reference = base + (it - customer_references_.begin());
      if (it == customer_references_.end()) customer_references_.push_back(text);
    }
    // Sites, like references, only need telling apart within one customer.
    int64_t location = -1;
    if (const std::string_view text = held_text(h, 4); !text.empty()) {
      const auto it = std::find(customer_locations_.begin(), customer_locations_.end(), text);
      location = base + (it - customer_locations_.begin());
      if (it == customer_locations_.end()) customer_locations_.push_back(text);
    }
    b.add(h.customer, h.ts, kPluginKind[h.kind],
          static_cast<double>(h.amount) / static_cast<double>(kPowersOfTen[h.exponent]), reference,
          h.payer, location, h.reference_given);
    open.held.push_back(rows[k]);
  }
}

void SectorRouter::flush_sector(int32_t sector) {
  OpenBatch& open = open_batches_[sector];
  if (open.held.empty()) return;
  Route& route = sectors_[sector];
  TransactionBatch& b = open.batch;
  b.payer_labels = payer_labels_;
  normalize_batch(*route.plugin, b, route.counts, outcomes_,
                  [&](size_t i) { return held_[open.held[i]].line; });
  for (size_t i = 0; i < open.held.size(); ++i) {
    HeldTxn& h = held_[open.held[i]];
    const NormalizedOutcome& out = outcomes_[i];
    const double minor = out.amount * static_cast<double>(kPowersOfTen[h.exponent]);
    if (minor > static_cast<double>(kMaxAmountMinor)) {
      throw Error::plugin_error(
          fmt::format("plugin '{}' ({}) set the amount of line {} to {}: beyond {} minor units",
                      route.counts.plugin, route.plugin->info().library_path, h.line, out.amount,
                      kMaxAmountMinor));
    }
    if (*out.action != '\0') {
      NormalizedRow row;
      row.line = h.line;
      row.sector = route.name;
      row.plugin = route.counts.plugin;
      row.action = out.action;
      if (out.merged_into >= 0) row.into_line = held_[open.held[out.merged_into]].line;
      row.transaction_id = held_text(h, 0);
      row.customer_id = held_text(h, 6);
      row.kind = kCanonicalKinds[h.kind];
      row.amount_minor = h.amount;
      row.exponent = h.exponent;
      normalize_log_.write(row);
    }
    if (out.dropped) {
      ++dropped_;
      h.sector = kDroppedRow;
      continue;
    }
    h.amount = std::llround(minor);
  }
  b.clear();
  open.held.clear();
}

// Kept rows go to SQLite in file order unless asked otherwise: files list
// transaction ids in rising order, and inserting them out of order would
// scatter the inserts over the external-id index.
void SectorRouter::store_held(const std::vector<uint32_t>& order, TransactionLedgerWriter& ledger) {
  const size_t n = held_.size();
  for (size_t i = 0; i < n; ++i) {
    if (!order.empty() && i + 16 < n) {
      // Customer order reads held_ at random: fetch ahead.
      __builtin_prefetch(&held_[order[i + 16]]);
      if (i + 8 < n) __builtin_prefetch(held_text_.data() + held_[order[i + 8]].text_start);
    }
    const HeldTxn& h = held_[order.empty() ? i : order[i]];
    if (h.sector == kDroppedRow) continue;
    const uint32_t lengths[TransactionLedgerWriter::kTextCount] = {
        h.text_length[0], h.text_length[1], h.text_length[2], h.text_length[3], h.text_length[4]};
    ledger.add_in_place(h.customer, h.ts, h.amount, h.quantity, kCanonicalKinds[h.kind],
                        held_text_.data() + h.text_start, lengths);
  }
  ledger.flush();  // queued rows point into held_text_, which goes next
}

void SectorRouter::report(ImportResult& result) const {
  for (const Route& route : sectors_) {
    if (route.plugin) {
      if (route.counts.rows > 0) result.normalized[route.name] = route.counts;
    } else if (route.passed_through > 0) {
      result.no_plugin[route.name] += route.passed_through;
    }
  }
}

}  // namespace clv
