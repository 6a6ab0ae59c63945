// The import pipeline: read records, validate each into typed values, store
// it with prepared statements inside one transaction, send every invalid row
// to the rejects file. Hot path (transactions) allocates nothing per row
// except for customers seen for the first time.
#include "clv/importer.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <SQLiteCpp/Statement.h>
#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "domain/calendar.hpp"
#include "ingest/column_layout.hpp"
#include "ingest/content_hash.hpp"
#include "ingest/csv_reader.hpp"
#include "ingest/id_index.hpp"
#include "ingest/money.hpp"
#include "ingest/normalize_log.hpp"
#include "ingest/rejects_writer.hpp"
#include "ingest/text_validation.hpp"
#include "ingest/transaction_kind.hpp"
#include "store/database_access.hpp"
#include "store/prepared_statement.hpp"

namespace clv {

void ImportTransactionBatch::clear() {
  for (auto* v : {&transaction_id, &customer_id, &currency, &kind, &category, &channel, &location,
                  &reject_reason}) {
    v->clear();
  }
  line.clear();
  timestamp.clear();
  amount_minor.clear();
  quantity.clear();
}

namespace {

// Canonical field order; positions are the F* constants below.
enum TxnField {
  kTxnId,
  kTxnCustomer,
  kTxnTimestamp,
  kTxnAmount,
  kTxnCurrency,
  kTxnKind,
  kTxnQuantity,
  kTxnCategory,
  kTxnChannel,
  kTxnLocation,
  kTxnReference,  // import-only: order/folio/booking id for sector plugins
  kTxnPayer       // import-only: raw payer text for sector plugins
};
enum IncField {
  kIncId,
  kIncCustomer,
  kIncOpened,
  kIncResolved,
  kIncSeverity,
  kIncCategory,
  kIncChannel,
  kIncOutcome,
  kIncSatisfaction,
  kIncEmployee,
  kIncCompensation
};
enum CusField { kCusId, kCusSector, kCusSegment, kCusRegion, kCusAcquired };
enum EmpField { kEmpId, kEmpRole, kEmpLocation, kEmpTrust };  // 6 scores from kEmpTrust on

const std::vector<size_t>& required_fields(Entity entity) {
  static const std::vector<size_t> txn = {kTxnCustomer, kTxnTimestamp, kTxnAmount};
  static const std::vector<size_t> inc = {kIncCustomer, kIncOpened};
  static const std::vector<size_t> cus = {kCusId};
  static const std::vector<size_t> emp = {kEmpId};
  switch (entity) {
    case Entity::kTransactions:
      return txn;
    case Entity::kIncidents:
      return inc;
    case Entity::kCustomers:
      return cus;
    case Entity::kEmployees:
      return emp;
  }
  return cus;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// A row that failed validation: which field (for the column) and why.
struct Reject {
  int field = -1;  // -1: the record as a whole
  std::string reason;
};

bool parse_int(std::string_view text, int64_t& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_real(std::string_view text, double& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

constexpr std::string_view kDateHint = "expected ISO 8601 like 2024-01-31 or YYYYMMDD";

// Everything one import needs, alive for the duration of one transaction.
class Importer {
 public:
  Importer(Database& db, Entity entity, const ImportOptions& options, std::string source_name,
           std::string rejects_path, std::string normalized_path)
      : db_(db),
        sqlite_(sqlite_of(db).getHandle()),
        entity_(entity),
        options_(options),
        fields_(entity_fields(entity)),
        source_name_(std::move(source_name)),
        rejects_(std::move(rejects_path), source_name_),
        normalize_log_(std::move(normalized_path), source_name_) {}

  ImportResult run(CsvReader& reader, const std::string& content_hash);

 private:
  void prepare_statements();
  void load_customers();
  void load_employees();
  void process(const CsvRecord& record);
  void reject(const CsvRecord& record, const Reject& r);
  void reject(uint64_t line, std::string_view raw, std::string_view column,
              std::string_view reason);

  struct TxnValues {
    std::string_view id, customer, currency, kind, category, channel, location;
    int64_t ts = 0, amount = 0, quantity = -1;
    std::string_view reference, payer;  // only for sector plugins
    int exponent = 2;                   // minor-unit digits of `currency`
  };
  std::optional<Reject> parse_transaction(const CsvRecord& record, TxnValues& v) const;
  void store_transaction(const TxnValues& v, uint64_t line, std::string_view raw);
  void batch_transaction(const TxnValues& v, uint64_t line, std::string_view raw);
  void flush_batch();
  void process_incident(const CsvRecord& record);
  void process_customer(const CsvRecord& record);
  void process_employee(const CsvRecord& record);

  // Resolves a customer's row id, creating it unless --require-known-customers.
  std::optional<int64_t> customer_row(std::string_view external_id);
  // False (and rejects) when `id` already appeared earlier in this file.
  bool first_in_file(std::string_view id, size_t field, uint64_t line, std::string_view raw,
                     const CsvRecord* record);
  void count_insert(PreparedStatement& stmt);
  void remove_stale_rejects();

  Database& db_;
  sqlite3* sqlite_;
  Entity entity_;
  const ImportOptions& options_;
  const std::vector<std::string_view>& fields_;
  std::string source_name_;
  RejectsWriter rejects_;
  ColumnLayout layout_;
  int default_exponent_ = 2;
  int64_t file_id_ = 0;
  ImportResult result_;

  IdIndex customers_;
  StringMap<int64_t> employees_;
  StringMap<uint64_t> ids_in_file_;  // external id -> first line
  std::unique_ptr<PreparedStatement> insert_row_, insert_customer_;

  // Transactions wait here and go to SQLite kRowsPerInsert per statement:
  // one multi-row INSERT costs far less than as many single-row steps. Text
  // is copied (the reader's buffer moves on) and bound by offset at flush.
  static constexpr size_t kRowsPerInsert = 64;
  static constexpr size_t kPluginBatchRows = 1 << 16;
  enum PendingText {
    kPendingId,
    kPendingCurrency,
    kPendingCategory,
    kPendingChannel,
    kPendingLocation,
    kPendingTextCount
  };
  struct PendingTxn {
    int64_t customer, ts, amount, quantity;
    std::string_view kind;  // a static canonical name
    // Texts live in pending_text_ at text_offset, or, for held rows, back to
    // back from text_base in held_text_ (stable until the import ends).
    const char* text_base;
    uint32_t text_offset[kPendingTextCount], text_length[kPendingTextCount];
  };
  void queue_transaction(const TxnValues& v, int64_t customer);
  void flush_transactions();
  void bind_pending(PreparedStatement& s, int first, const PendingTxn& row);
  // Columns of the transaction INSERT in bind order: optional ones only when
  // the file has them or a plugin may fill them (each bound NULL costs).
  enum InsertColumn {
    kColId,
    kColCustomer,
    kColTs,
    kColAmount,
    kColCurrency,
    kColKind,
    kColQuantity,
    kColCategory,
    kColChannel,
    kColLocation,
    kColFile
  };
  std::vector<InsertColumn> insert_columns_;
  std::vector<PendingTxn> pending_;
  std::string pending_text_;
  std::unique_ptr<PreparedStatement> insert_many_;

  ImportTransactionBatch batch_;
  std::vector<std::string> batch_raw_;

  // Sector routing (plugin hook 1). Each sector seen gets an index; rows of
  // customers whose sector has a plugin are held until the whole file is
  // read, because a plugin must see all of one customer's rows in one batch
  // (the file may interleave customers). Then they are grouped by customer
  // (counting sort on the row id), sorted by time, normalized in batches of
  // one sector and stored in customer order.
  struct SectorRoute {
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
    int32_t sector;  // index into sectors_
    uint8_t kind;    // index into kCanonicalKinds
    int8_t exponent;
  };
  struct OpenBatch {
    TransactionBatch batch;
    std::vector<uint32_t> held;  // held_ index of each batch row
  };
  void load_sectors();
  int32_t sector_index(std::string_view name);
  void set_customer_sector(int64_t customer, int32_t sector);
  void hold_transaction(const TxnValues& v, int64_t customer, int32_t sector, uint64_t line);
  void resolve_held_customers();
  std::string_view held_text(const HeldTxn& h, int field) const;
  void normalize_held();
  void append_customer(OpenBatch& open, const uint32_t* rows, size_t count);
  void flush_sector(int32_t sector);
  void store_held(const std::vector<uint32_t>& order);
  void queue_held(const HeldTxn& h);
  static constexpr int32_t kDroppedRow = -1;   // HeldTxn::sector of a row a plugin dropped
  static constexpr int32_t kPassThrough = -2;  // HeldTxn::sector of a row without a plugin
  bool hold_all_ = false;
  // Held rows from here on still carry kUnresolved as customer (see
  // resolve_held_customers).
  bool defer_customers_ = false;
  size_t unresolved_from_ = 0;
  static constexpr int64_t kUnresolved = -1;
  static constexpr size_t kResolveBatch = 256;

  bool routing_ = false;
  // Without plugins, customers' sectors are still looked up so that rows of
  // sectors without a plugin are counted (or rejected: require_plugins).
  bool track_sectors_ = false;
  // Ids of transactions the engine accepted over HTTP that wait in
  // transactions_pending: the same id in a file is a duplicate, not a new row.
  std::unordered_set<std::string, StringHash, std::equal_to<>> pending_ids_;
  std::vector<SectorRoute> sectors_;
  StringMap<int32_t> sector_of_name_;
  std::vector<int32_t> customer_sector_;  // by customer row id, -1 unknown
  std::vector<HeldTxn> held_;
  std::string held_text_;
  std::vector<std::string> payer_labels_;
  std::vector<OpenBatch> open_batches_;  // by sector
  std::vector<std::string_view> customer_references_;
  NormalizeLog normalize_log_;
};

void Importer::prepare_statements() {
  switch (entity_) {
    case Entity::kTransactions: {
      const bool plugins_may_fill =
          static_cast<bool>(options_.normalize_transactions) ||
          (options_.plugins != nullptr && !options_.plugins->plugins().empty());
      static constexpr const char* kNames[] = {
          "external_id", "customer_id", "ts",      "amount_minor", "currency", "kind",
          "quantity",    "category",    "channel", "location",     "file_id"};
      static constexpr int kFieldOf[] = {
          kTxnId, -1, -1, -1, -1, -1, kTxnQuantity, kTxnCategory, kTxnChannel, kTxnLocation, -1};
      insert_columns_.clear();
      std::string columns, row_params;
      for (int c = kColId; c <= kColFile; ++c) {
        if (kFieldOf[c] >= 0 && !plugins_may_fill && !layout_.has(kFieldOf[c])) continue;
        insert_columns_.push_back(static_cast<InsertColumn>(c));
        columns += columns.empty() ? "" : ", ";
        columns += kNames[c];
        row_params += row_params.empty() ? "?" : ",?";
      }
      auto statement = [&](size_t rows) {
        std::string sql = "INSERT INTO transactions(" + columns + ") VALUES ";
        for (size_t r = 0; r < rows; ++r) sql += (r == 0 ? "(" : ",(") + row_params + ")";
        // Without ids nothing can conflict, and the upsert clause costs.
        if (plugins_may_fill || layout_.has(kTxnId))
          sql += " ON CONFLICT(external_id) WHERE external_id IS NOT NULL DO NOTHING";
        return std::make_unique<PreparedStatement>(sqlite_, sql);
      };
      insert_row_ = statement(1);
      insert_many_ = statement(kRowsPerInsert);
      break;
    }
    case Entity::kIncidents:
      insert_row_ = std::make_unique<PreparedStatement>(
          sqlite_,
          "INSERT INTO incidents(external_id, customer_id, opened_at, resolved_at, severity, "
          "category, channel, outcome, satisfaction, employee_id, compensation_minor, file_id) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(external_id) WHERE external_id IS NOT NULL "
          "DO NOTHING");
      break;
    case Entity::kCustomers:
      insert_row_ = std::make_unique<PreparedStatement>(
          sqlite_,
          "INSERT INTO customers(external_id, sector, segment, region, acquired_at, attributes) "
          "VALUES (?,?,?,?,?,?) ON CONFLICT(external_id) DO UPDATE SET "
          "sector = COALESCE(customers.sector, excluded.sector), "
          "segment = COALESCE(customers.segment, excluded.segment), "
          "region = COALESCE(customers.region, excluded.region), "
          "acquired_at = COALESCE(customers.acquired_at, excluded.acquired_at), "
          "attributes = CASE WHEN customers.attributes = '{}' THEN excluded.attributes "
          "ELSE customers.attributes END "
          "WHERE (customers.sector IS NULL AND excluded.sector IS NOT NULL) "
          "OR (customers.segment IS NULL AND excluded.segment IS NOT NULL) "
          "OR (customers.region IS NULL AND excluded.region IS NOT NULL) "
          "OR (customers.acquired_at IS NULL AND excluded.acquired_at IS NOT NULL) "
          "OR (customers.attributes = '{}' AND excluded.attributes <> '{}')");
      break;
    case Entity::kEmployees:
      insert_row_ = std::make_unique<PreparedStatement>(
          sqlite_,
          "INSERT INTO employees(external_id, role, location, trust, tact, empathy, conformity, "
          "focus, flexibility) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(external_id) DO NOTHING");
      break;
  }
  insert_customer_ = std::make_unique<PreparedStatement>(
      sqlite_, "INSERT INTO customers(external_id, sector) VALUES (?, ?)");
}

void Importer::load_customers() {
  if (routing_ || track_sectors_) return load_sectors();
  PreparedStatement select(sqlite_, "SELECT id, external_id FROM customers");
  while (select.step()) customers_.insert(select.column_text(1), select.column_int64(0));
}

void Importer::load_sectors() {
  PreparedStatement select(sqlite_, "SELECT id, external_id, sector FROM customers");
  while (select.step()) {
    const int64_t row = select.column_int64(0);
    customers_.insert(select.column_text(1), row);
    set_customer_sector(row, sector_index(select.column_text(2)));
  }
}

int32_t Importer::sector_index(std::string_view name) {
  if (const auto it = sector_of_name_.find(name); it != sector_of_name_.end()) return it->second;
  const auto index = static_cast<int32_t>(sectors_.size());
  SectorRoute& route = sectors_.emplace_back();
  route.name = std::string(name);
  if (!name.empty() && options_.plugins != nullptr && options_.plugins->has_sector(name)) {
    route.plugin = options_.plugins->for_sector(name);
    route.counts.plugin = route.plugin->id();
  }
  sector_of_name_.emplace(route.name, index);
  open_batches_.emplace_back();
  return index;
}

void Importer::set_customer_sector(int64_t customer, int32_t sector) {
  if (customer < 0) return;
  const auto row = static_cast<size_t>(customer);
  if (row >= customer_sector_.size())
    customer_sector_.resize(std::max(row + 1, 2 * customer_sector_.size()), -1);
  customer_sector_[row] = sector;
}

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

void Importer::hold_transaction(const TxnValues& v, int64_t customer, int32_t sector,
                                uint64_t line) {
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

std::string_view Importer::held_text(const HeldTxn& h, int field) const {
  uint64_t start = h.text_start;
  for (int t = 0; t < field; ++t) start += h.text_length[t];
  return std::string_view(held_text_).substr(start, h.text_length[field]);
}

void Importer::normalize_held() {
  if (held_.empty()) return;
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
  if (hold_all_) {
    store_held(order);
  } else {
    store_held({});
  }
  held_.clear();
  held_.shrink_to_fit();
  held_text_.clear();
  held_text_.shrink_to_fit();
}

void Importer::append_customer(OpenBatch& open, const uint32_t* rows, size_t count) {
  TransactionBatch& b = open.batch;
  // References are compared within one customer only (a return nets against
  // its own order), so a small per-customer list is all the lookup needed.
  customer_references_.clear();
  const auto base = static_cast<int64_t>(b.size());
  for (size_t k = 0; k < count; ++k) {
    const HeldTxn& h = held_[rows[k]];
    int64_t reference = -1;
    if (const std::string_view text = held_text(h, 5); !text.empty()) {
      const auto it = std::find(customer_references_.begin(), customer_references_.end(), text);
      reference = base + (it - customer_references_.begin());
      if (it == customer_references_.end()) customer_references_.push_back(text);
    }
    b.add(h.customer, h.ts, kPluginKind[h.kind],
          static_cast<double>(h.amount) / static_cast<double>(kPowersOfTen[h.exponent]), reference,
          h.payer);
    open.held.push_back(rows[k]);
  }
}

void Importer::flush_sector(int32_t sector) {
  OpenBatch& open = open_batches_[sector];
  if (open.held.empty()) return;
  SectorRoute& route = sectors_[sector];
  TransactionBatch& b = open.batch;
  b.payer_labels = payer_labels_;
  const NormalizeReport report = route.plugin->normalize_transactions(b);
  SectorNormalization& counts = route.counts;
  counts.rows += report.rows;
  counts.kept += report.kept;
  counts.dropped += report.dropped;
  counts.netted += report.netted;
  counts.merged += report.merged;
  counts.cancelled += report.cancelled;
  counts.flagged += report.flagged;
  counts.adjusted += report.adjusted;
  for (size_t i = 0; i < open.held.size(); ++i) {
    HeldTxn& h = held_[open.held[i]];
    const uint32_t flags = b.flags[i];
    const double scale = static_cast<double>(kPowersOfTen[h.exponent]);
    const double amount = b.amount[i] * scale;
    if (amount < 0 || amount > 9.0e15) {
      throw Error::plugin_error(fmt::format(
          "plugin '{}' ({}) set the amount of line {} to {}: amounts must stay >= 0 and finite",
          route.counts.plugin, route.plugin->info().library_path, h.line, b.amount[i]));
    }
    if ((flags & (row_flag::kDrop | row_flag::kFlagged)) != 0) {
      NormalizedRow row;
      row.line = h.line;
      row.sector = route.name;
      row.plugin = route.counts.plugin;
      if ((flags & row_flag::kDrop) == 0) {
        row.action = "flagged (kept)";
      } else if (flags & row_flag::kMerged) {
        row.action = "merged";
      } else if (flags & row_flag::kNetted) {
        row.action = "netted";
      } else if (flags & row_flag::kCancelled) {
        row.action = "cancelled";
      } else {
        row.action = (flags & row_flag::kFlagged) ? "dropped (flagged)" : "dropped";
      }
      if (b.merged_into[i] >= 0) row.into_line = held_[open.held[b.merged_into[i]]].line;
      row.transaction_id = held_text(h, 0);
      row.customer_id = held_text(h, 6);
      row.kind = kCanonicalKinds[h.kind];
      row.amount_minor = h.amount;
      row.exponent = h.exponent;
      normalize_log_.write(row);
    }
    if (flags & row_flag::kDrop) {
      ++result_.normalized_away;
      h.sector = kDroppedRow;
      continue;
    }
    h.amount = std::llround(amount);
  }
  b.clear();
  open.held.clear();
}

// Kept rows go to SQLite in file order, not customer order: files list
// transaction ids in rising order, and inserting them out of order would
// scatter the inserts over the external-id index.
void Importer::store_held(const std::vector<uint32_t>& order) {
  const size_t n = held_.size();
  for (size_t i = 0; i < n; ++i) {
    if (!order.empty() && i + 16 < n) {
      // Customer order reads held_ at random: fetch ahead.
      const HeldTxn& ahead = held_[order[i + 16]];
      __builtin_prefetch(&ahead);
      if (i + 8 < n) __builtin_prefetch(held_text_.data() + held_[order[i + 8]].text_start);
    }
    const HeldTxn& h = held_[order.empty() ? i : order[i]];
    if (h.sector != kDroppedRow) queue_held(h);
  }
  flush_transactions();  // pending rows point into held_text_, which goes next
}

void Importer::queue_held(const HeldTxn& h) {
  PendingTxn& row = pending_.emplace_back();
  row.customer = h.customer;
  row.ts = h.ts;
  row.amount = h.amount;
  row.quantity = h.quantity;
  row.kind = kCanonicalKinds[h.kind];
  row.text_base = held_text_.data() + h.text_start;
  uint32_t offset = 0;
  for (int t = 0; t < kPendingTextCount; ++t) {  // id, currency, category, channel, location
    row.text_offset[t] = offset;
    row.text_length[t] = h.text_length[t];
    offset += h.text_length[t];
  }
  if (pending_.size() == kRowsPerInsert) flush_transactions();
}

void Importer::load_employees() {
  PreparedStatement select(sqlite_, "SELECT id, external_id FROM employees");
  while (select.step()) employees_.emplace(select.column_text(1), select.column_int64(0));
}

void Importer::reject(uint64_t line, std::string_view raw, std::string_view column,
                      std::string_view reason) {
  rejects_.write(line, column, reason, raw);
  ++result_.rejected;
}

void Importer::reject(const CsvRecord& record, const Reject& r) {
  reject(record.line, record.raw, r.field >= 0 ? layout_.column_name(r.field) : std::string_view(),
         r.reason);
}

std::optional<int64_t> Importer::customer_row(std::string_view external_id) {
  if (const int64_t row = customers_.find(external_id); row >= 0) return row;
  if (options_.require_known_customers) return std::nullopt;
  insert_customer_->bind_text_or_null(1, external_id);
  insert_customer_->bind_text_or_null(2, options_.sector);
  insert_customer_->step();
  insert_customer_->reset();
  const int64_t row = insert_customer_->last_insert_rowid();
  customers_.insert(external_id, row);
  ++result_.customers_created;
  if (routing_ || track_sectors_) set_customer_sector(row, sector_index(options_.sector));
  return row;
}

bool Importer::first_in_file(std::string_view id, size_t field, uint64_t line, std::string_view raw,
                             const CsvRecord* record) {
  auto [it, inserted] = ids_in_file_.try_emplace(std::string(id), line);
  if (inserted) return true;
  const std::string reason = fmt::format("duplicate {} '{}' in this file (first on line {})",
                                         fields_[field], id, it->second);
  if (record != nullptr) {
    reject(*record, {static_cast<int>(field), reason});
  } else {
    reject(line, raw, layout_.column_name(field), reason);
  }
  return false;
}

void Importer::count_insert(PreparedStatement& stmt) {
  stmt.step();
  if (stmt.changes() > 0) {
    ++result_.inserted;
  } else {
    ++result_.duplicates;  // ON CONFLICT(external_id) DO NOTHING: already stored
  }
  stmt.reset();
}

std::optional<Reject> Importer::parse_transaction(const CsvRecord& r, TxnValues& v) const {
  v.id = layout_.get(r, kTxnId);
  v.customer = layout_.get(r, kTxnCustomer);
  if (v.customer.empty()) return Reject{kTxnCustomer, "missing customer_id"};
  customers_.prefetch(v.customer);  // looked up after the other fields are parsed
  const std::string_view ts = layout_.get(r, kTxnTimestamp);
  if (ts.empty()) return Reject{kTxnTimestamp, "missing timestamp"};
  if (!parse_timestamp(ts, v.ts)) {
    return Reject{kTxnTimestamp, fmt::format("unparseable date '{}' ({})", ts, kDateHint)};
  }
  v.currency = layout_.get(r, kTxnCurrency);
  int exponent = default_exponent_;
  if (v.currency.empty()) {
    v.currency = options_.default_currency;
  } else if (!is_currency_code(v.currency)) {
    return Reject{kTxnCurrency, fmt::format("unknown currency '{}' (expected an upper-case ISO "
                                            "4217 code like USD)",
                                            v.currency)};
  } else {
    exponent = currency_exponent(v.currency);
  }
  const std::string_view kind_text = layout_.get(r, kTxnKind);
  const auto kind = canonical_kind(kind_text);
  if (!kind) {
    return Reject{kTxnKind, fmt::format("unknown kind '{}' (expected purchase, return, refund or "
                                        "cancellation)",
                                        kind_text)};
  }
  v.kind = *kind;
  const std::string_view amount = layout_.get(r, kTxnAmount);
  if (amount.empty()) return Reject{kTxnAmount, "missing amount"};
  if (const AmountStatus status =
          parse_transaction_amount(amount, exponent, is_money_back(v.kind), v.amount);
      status != AmountStatus::kOk) {
    return Reject{kTxnAmount, amount_problem(status, amount, exponent, v.currency, v.kind)};
  }
  const std::string_view quantity = layout_.get(r, kTxnQuantity);
  v.quantity = -1;
  if (!quantity.empty()) {
    if (!parse_int(quantity, v.quantity)) {
      return Reject{kTxnQuantity,
                    fmt::format("unparseable quantity '{}' (expected a whole number)", quantity)};
    }
    if (v.quantity < 0) return Reject{kTxnQuantity, fmt::format("negative quantity {}", quantity)};
  }
  v.category = layout_.get(r, kTxnCategory);
  v.channel = layout_.get(r, kTxnChannel);
  v.location = layout_.get(r, kTxnLocation);
  v.reference = layout_.get(r, kTxnReference);
  v.payer = layout_.get(r, kTxnPayer);
  v.exponent = exponent;
  return std::nullopt;
}

void Importer::store_transaction(const TxnValues& v, uint64_t line, std::string_view raw) {
  if (!v.id.empty() && !first_in_file(v.id, kTxnId, line, raw, nullptr)) return;
  if (!pending_ids_.empty() && !v.id.empty() && pending_ids_.find(v.id) != pending_ids_.end()) {
    ++result_.duplicates;  // accepted over HTTP, not merged yet
    return;
  }
  if (defer_customers_) {
    hold_transaction(v, kUnresolved, kPassThrough, line);
    if (held_.size() - unresolved_from_ >= kResolveBatch) resolve_held_customers();
    return;
  }
  const auto customer = customer_row(v.customer);
  if (!customer) {
    reject(line, raw, layout_.column_name(kTxnCustomer),
           fmt::format("unknown customer '{}' (--require-known-customers): import customers first",
                       v.customer));
    return;
  }
  if (routing_ || track_sectors_) {
    const int64_t c = *customer;
    int32_t sector = c < static_cast<int64_t>(customer_sector_.size()) ? customer_sector_[c] : -1;
    if (sector < 0) sector = sector_index("");
    SectorRoute& route = sectors_[sector];
    if (route.plugin) return hold_transaction(v, c, sector, line);
    if (options_.require_plugins && !route.name.empty()) {
      reject(line, raw, layout_.column_name(kTxnCustomer),
             fmt::format("customer '{}' is in sector '{}', which has no plugin loaded "
                         "(--require-plugins): install the plugin or pass --plugin-dir",
                         v.customer, route.name));
      return;
    }
    ++route.passed_through;
  }
  if (hold_all_) return hold_transaction(v, *customer, kPassThrough, line);
  queue_transaction(v, *customer);
}

// With many customers the id index outgrows the caches and each lookup is a
// DRAM (and TLB) miss that the per-row work cannot hide (measured ~10% of
// the 10M-row/1M-customer import). Held rows keep their customer text, so
// they are resolved in batches, fetching the slot of a row several rows
// ahead. Rows are resolved in file order, so new customers get the same row
// ids as with immediate lookup.
void Importer::resolve_held_customers() {
  constexpr size_t kAhead = 32;
  const size_t n = held_.size();
  for (size_t i = unresolved_from_; i < n; ++i) {
    if (i + kAhead < n) customers_.prefetch(held_text(held_[i + kAhead], 6));
    HeldTxn& h = held_[i];
    h.customer = *customer_row(held_text(h, 6));  // never nullopt: see store_transaction
  }
  unresolved_from_ = n;
}

void Importer::queue_transaction(const TxnValues& v, int64_t customer) {
  PendingTxn& row = pending_.emplace_back();
  row.customer = customer;
  row.ts = v.ts;
  row.amount = v.amount;
  row.quantity = v.quantity;
  row.kind = v.kind;
  row.text_base = nullptr;
  const std::string_view texts[kPendingTextCount] = {v.id, v.currency, v.category, v.channel,
                                                     v.location};
  for (int t = 0; t < kPendingTextCount; ++t) {
    row.text_offset[t] = static_cast<uint32_t>(pending_text_.size());
    row.text_length[t] = static_cast<uint32_t>(texts[t].size());
    pending_text_.append(texts[t]);
  }
  if (pending_.size() == kRowsPerInsert) flush_transactions();
}

void Importer::bind_pending(PreparedStatement& s, int first, const PendingTxn& row) {
  const char* base = row.text_base != nullptr ? row.text_base : pending_text_.data();
  auto text = [&](int t) {
    return std::string_view(base + row.text_offset[t], row.text_length[t]);
  };
  int at = first;
  for (const InsertColumn column : insert_columns_) {
    switch (column) {
      case kColId:
        s.bind_text_or_null(at, text(kPendingId));
        break;
      case kColCustomer:
        s.bind(at, row.customer);
        break;
      case kColTs:
        s.bind(at, row.ts);
        break;
      case kColAmount:
        s.bind(at, row.amount);
        break;
      case kColCurrency:
        s.bind_text_or_null(at, text(kPendingCurrency));
        break;
      case kColKind:
        s.bind_text_or_null(at, row.kind);
        break;
      case kColQuantity:
        if (row.quantity >= 0) {
          s.bind(at, row.quantity);
        } else {
          s.bind_null(at);
        }
        break;
      case kColCategory:
        s.bind_text_or_null(at, text(kPendingCategory));
        break;
      case kColChannel:
        s.bind_text_or_null(at, text(kPendingChannel));
        break;
      case kColLocation:
        s.bind_text_or_null(at, text(kPendingLocation));
        break;
      case kColFile:
        s.bind(at, file_id_);
        break;
    }
    ++at;
  }
}

void Importer::flush_transactions() {
  const int kColumns = static_cast<int>(insert_columns_.size());
  if (pending_.size() == kRowsPerInsert) {
    PreparedStatement& s = *insert_many_;
    for (size_t r = 0; r < pending_.size(); ++r) {
      bind_pending(s, static_cast<int>(r) * kColumns + 1, pending_[r]);
    }
    s.step();
    // Ids were checked unique within the file, so a row not inserted is one
    // already stored (ON CONFLICT DO NOTHING).
    const auto inserted = static_cast<uint64_t>(s.changes());
    result_.inserted += inserted;
    result_.duplicates += kRowsPerInsert - inserted;
    s.reset();
  } else {
    for (const PendingTxn& row : pending_) {
      bind_pending(*insert_row_, 1, row);
      count_insert(*insert_row_);
    }
  }
  pending_.clear();
  pending_text_.clear();
}

void Importer::batch_transaction(const TxnValues& v, uint64_t line, std::string_view raw) {
  ImportTransactionBatch& b = batch_;
  b.line.push_back(line);
  b.transaction_id.emplace_back(v.id);
  b.customer_id.emplace_back(v.customer);
  b.timestamp.push_back(v.ts);
  b.amount_minor.push_back(v.amount);
  b.currency.emplace_back(v.currency);
  b.kind.emplace_back(v.kind);
  b.quantity.push_back(v.quantity);
  b.category.emplace_back(v.category);
  b.channel.emplace_back(v.channel);
  b.location.emplace_back(v.location);
  b.reject_reason.emplace_back();
  batch_raw_.emplace_back(raw);
  if (b.size() >= 4096) flush_batch();
}

void Importer::flush_batch() {
  ImportTransactionBatch& b = batch_;
  if (b.size() == 0) return;
  const size_t n = b.size();
  try {
    options_.normalize_transactions(b);
  } catch (const std::exception& e) {
    throw Error::plugin_error(
        fmt::format("sector plugin failed to normalize transactions: {}", e.what()));
  }
  if (b.line.size() != n || b.customer_id.size() != n || b.timestamp.size() != n ||
      b.amount_minor.size() != n || b.currency.size() != n || b.kind.size() != n ||
      b.quantity.size() != n || b.transaction_id.size() != n || b.category.size() != n ||
      b.channel.size() != n || b.location.size() != n || b.reject_reason.size() != n) {
    throw Error::plugin_error("sector plugin resized a transaction batch; it may only edit values");
  }
  for (size_t i = 0; i < n; ++i) {
    std::string reason = b.reject_reason[i];
    const auto kind = canonical_kind(b.kind[i]);
    if (reason.empty() && !kind)
      reason = fmt::format("plugin produced unknown kind '{}'", b.kind[i]);
    if (reason.empty() && !is_currency_code(b.currency[i])) {
      reason = fmt::format("plugin produced unknown currency '{}'", b.currency[i]);
    }
    if (reason.empty() && b.customer_id[i].empty()) reason = "plugin cleared customer_id";
    if (!reason.empty()) {
      reject(b.line[i], batch_raw_[i], "", reason);
      continue;
    }
    TxnValues v;
    v.id = b.transaction_id[i];
    v.customer = b.customer_id[i];
    v.currency = b.currency[i];
    v.kind = *kind;
    v.category = b.category[i];
    v.channel = b.channel[i];
    v.location = b.location[i];
    v.ts = b.timestamp[i];
    v.amount = b.amount_minor[i];
    v.quantity = b.quantity[i] < 0 ? -1 : b.quantity[i];
    v.exponent = currency_exponent(v.currency);
    store_transaction(v, b.line[i], batch_raw_[i]);
  }
  b.clear();
  batch_raw_.clear();
}

void Importer::process_incident(const CsvRecord& r) {
  const std::string_view id = layout_.get(r, kIncId);
  const std::string_view customer = layout_.get(r, kIncCustomer);
  if (customer.empty()) return reject(r, {kIncCustomer, "missing customer_id"});
  int64_t opened = 0, resolved = 0;
  const std::string_view opened_text = layout_.get(r, kIncOpened);
  if (opened_text.empty()) return reject(r, {kIncOpened, "missing opened_at"});
  if (!parse_timestamp(opened_text, opened)) {
    return reject(r,
                  {kIncOpened, fmt::format("unparseable date '{}' ({})", opened_text, kDateHint)});
  }
  const std::string_view resolved_text = layout_.get(r, kIncResolved);
  if (!resolved_text.empty()) {
    if (!parse_timestamp(resolved_text, resolved)) {
      return reject(
          r, {kIncResolved, fmt::format("unparseable date '{}' ({})", resolved_text, kDateHint)});
    }
    if (resolved < opened) {
      return reject(r, {kIncResolved, fmt::format("resolved_at {} is before opened_at {}",
                                                  resolved_text, opened_text)});
    }
  }
  auto score = [&](size_t field, int64_t& value) -> bool {
    const std::string_view text = layout_.get(r, field);
    if (text.empty()) return true;
    if (!parse_int(text, value)) {
      reject(r, {static_cast<int>(field),
                 fmt::format("unparseable {} '{}' (expected a whole number 1-5)", fields_[field],
                             text)});
      return false;
    }
    if (value < 1 || value > 5) {
      reject(r, {static_cast<int>(field),
                 fmt::format("{} {} out of range 1-5", fields_[field], value)});
      return false;
    }
    return true;
  };
  int64_t severity = 0, satisfaction = 0;
  if (!score(kIncSeverity, severity) || !score(kIncSatisfaction, satisfaction)) return;
  const std::string_view compensation_text = layout_.get(r, kIncCompensation);
  int64_t compensation = 0;
  if (!compensation_text.empty() &&
      !parse_amount_minor(compensation_text, default_exponent_, compensation)) {
    return reject(r,
                  {kIncCompensation,
                   fmt::format("unparseable amount '{}' (expected a decimal like 12.34 with at "
                               "most {} decimals for {})",
                               compensation_text, default_exponent_, options_.default_currency)});
  }
  const std::string_view employee = layout_.get(r, kIncEmployee);
  int64_t employee_row = 0;
  if (!employee.empty()) {
    const auto it = employees_.find(employee);
    if (it == employees_.end()) {
      return reject(r, {kIncEmployee,
                        fmt::format("unknown employee '{}': import employees first", employee)});
    }
    employee_row = it->second;
  }
  if (!id.empty() && !first_in_file(id, kIncId, r.line, r.raw, &r)) return;
  const auto customer_id = customer_row(customer);
  if (!customer_id) {
    return reject(
        r, {kIncCustomer, fmt::format("unknown customer '{}' (--require-known-customers): import "
                                      "customers first",
                                      customer)});
  }
  PreparedStatement& s = *insert_row_;
  s.bind_text_or_null(1, id);
  s.bind(2, *customer_id);
  s.bind(3, opened);
  resolved_text.empty() ? s.bind_null(4) : s.bind(4, resolved);
  layout_.get(r, kIncSeverity).empty() ? s.bind_null(5) : s.bind(5, severity);
  s.bind_text_or_null(6, layout_.get(r, kIncCategory));
  s.bind_text_or_null(7, layout_.get(r, kIncChannel));
  s.bind_text_or_null(8, layout_.get(r, kIncOutcome));
  layout_.get(r, kIncSatisfaction).empty() ? s.bind_null(9) : s.bind(9, satisfaction);
  employee.empty() ? s.bind_null(10) : s.bind(10, employee_row);
  compensation_text.empty() ? s.bind_null(11) : s.bind(11, compensation);
  s.bind(12, file_id_);
  count_insert(s);
}

void Importer::process_customer(const CsvRecord& r) {
  const std::string_view id = layout_.get(r, kCusId);
  if (id.empty()) return reject(r, {kCusId, "missing customer_id"});
  const std::string_view acquired_text = layout_.get(r, kCusAcquired);
  int64_t acquired = 0;
  if (!acquired_text.empty() && !parse_timestamp(acquired_text, acquired)) {
    return reject(
        r, {kCusAcquired, fmt::format("unparseable date '{}' ({})", acquired_text, kDateHint)});
  }
  if (!first_in_file(id, kCusId, r.line, r.raw, &r)) return;
  nlohmann::json attributes = nlohmann::json::object();
  for (int column : layout_.extra_columns) {
    if (static_cast<size_t>(column) >= r.fields.size()) continue;
    std::string_view value = r.fields[column];
    if (!value.empty()) attributes[layout_.column_names[column]] = std::string(value);
  }
  const std::string attributes_text = attributes.dump();
  std::string_view sector = layout_.get(r, kCusSector);
  if (sector.empty()) sector = options_.sector;
  PreparedStatement& s = *insert_row_;
  s.bind_text_or_null(1, id);
  s.bind_text_or_null(2, sector);
  s.bind_text_or_null(3, layout_.get(r, kCusSegment));
  s.bind_text_or_null(4, layout_.get(r, kCusRegion));
  acquired_text.empty() ? s.bind_null(5) : s.bind(5, acquired);
  s.bind_text_or_null(6, attributes_text);
  // An upsert that changed a row without inserting one filled in a stored
  // customer (the rowid of the last insert stays).
  sqlite3_set_last_insert_rowid(sqlite_, 0);  // row ids start at 1
  s.step();
  if (s.changes() == 0) {
    ++result_.duplicates;
  } else if (s.last_insert_rowid() != 0) {
    ++result_.inserted;
  } else {
    ++result_.updated;
  }
  s.reset();
}

void Importer::process_employee(const CsvRecord& r) {
  const std::string_view id = layout_.get(r, kEmpId);
  if (id.empty()) return reject(r, {kEmpId, "missing employee_id"});
  double scores[6];
  bool present[6];
  for (int k = 0; k < 6; ++k) {
    const size_t field = kEmpTrust + k;
    const std::string_view text = layout_.get(r, field);
    present[k] = !text.empty();
    if (!present[k]) continue;
    if (!parse_real(text, scores[k])) {
      return reject(
          r, {static_cast<int>(field),
              fmt::format("unparseable {} '{}' (expected a number 0-10)", fields_[field], text)});
    }
    if (scores[k] < 0 || scores[k] > 10) {
      return reject(r,
                    {static_cast<int>(field),
                     fmt::format("behaviour score {} {} out of range 0-10", fields_[field], text)});
    }
  }
  if (!first_in_file(id, kEmpId, r.line, r.raw, &r)) return;
  PreparedStatement& s = *insert_row_;
  s.bind_text_or_null(1, id);
  s.bind_text_or_null(2, layout_.get(r, kEmpRole));
  s.bind_text_or_null(3, layout_.get(r, kEmpLocation));
  for (int k = 0; k < 6; ++k) present[k] ? s.bind(4 + k, scores[k]) : s.bind_null(4 + k);
  count_insert(s);
}

void Importer::process(const CsvRecord& record) {
  if (!record.error.empty()) return reject(record, {-1, "malformed CSV: " + record.error});
  if (record.fields.size() != layout_.expected_fields) {
    return reject(record, {-1, fmt::format("wrong field count: expected {}, found {}",
                                           layout_.expected_fields, record.fields.size())});
  }
  if (!is_plain_ascii(record.raw)) {
    for (size_t c = 0; c < record.fields.size(); ++c) {
      size_t at = 0;
      const std::string_view problem = text_field_problem(record.fields[c], at);
      if (!problem.empty()) {
        return reject(record.line, record.raw, layout_.column_names[c],
                      fmt::format("{} at byte {} of the field", problem, at + 1));
      }
    }
  }
  switch (entity_) {
    case Entity::kTransactions: {
      TxnValues v;
      if (auto bad = parse_transaction(record, v)) return reject(record, *bad);
      if (options_.normalize_transactions) return batch_transaction(v, record.line, record.raw);
      return store_transaction(v, record.line, record.raw);
    }
    case Entity::kIncidents:
      return process_incident(record);
    case Entity::kCustomers:
      return process_customer(record);
    case Entity::kEmployees:
      return process_employee(record);
  }
}

// Rolls back unless committed, so an exception leaves the database as before.
class TransactionGuard {
 public:
  explicit TransactionGuard(SQLite::Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~TransactionGuard() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {  // nothing more to do: the connection is going away or broken
      }
    }
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  SQLite::Database& db_;
  bool done_ = false;
};

// Bulk-load settings for the lifetime of one import. synchronous=OFF only
// skips fsyncs; atomicity still comes from the transaction and the WAL.
class BulkLoadPragmas {
 public:
  BulkLoadPragmas(SQLite::Database& db, int cache_mib) : db_(db) {
    cache_ = db_.execAndGet("PRAGMA cache_size").getInt64();
    db_.exec("PRAGMA synchronous=OFF");
    // The importer resolves every reference itself (customer and employee
    // maps), so SQLite's per-row foreign-key probes are pure overhead.
    db_.exec("PRAGMA foreign_keys=OFF");
    // Same for CHECK constraints: every one of them (kind, quantity, severity,
    // scores, resolved >= opened) is validated per row before the insert, and
    // SQLite evaluates `kind IN (...)` by building a temporary table per row.
    db_.exec("PRAGMA ignore_check_constraints=ON");
    db_.exec(
        fmt::format("PRAGMA cache_size={}", -1024 * static_cast<int64_t>(std::max(cache_mib, 1))));
  }
  ~BulkLoadPragmas() {
    try {
      db_.exec("PRAGMA synchronous=NORMAL");
      db_.exec("PRAGMA foreign_keys=ON");
      db_.exec("PRAGMA ignore_check_constraints=OFF");
      db_.exec(fmt::format("PRAGMA cache_size={}", cache_));
    } catch (...) {  // restoring speed settings must never mask the real error
    }
  }

 private:
  SQLite::Database& db_;
  int64_t cache_ = 0;
};

ImportResult Importer::run(CsvReader& reader, const std::string& content_hash) {
  SQLite::Database& sql = sqlite_of(db_);
  const std::string_view entity = entity_name(entity_);
  if (!is_currency_code(options_.default_currency)) {
    throw Error::invalid_argument(fmt::format(
        "default currency '{}' is not an ISO 4217 code like USD", options_.default_currency));
  }
  default_exponent_ = currency_exponent(options_.default_currency);

  CsvRecord record;
  if (!reader.next(record)) {
    throw Error::invalid_argument(
        fmt::format("'{}' is empty: expected a header line and {} rows", source_name_, entity));
  }
  layout_ = resolve_columns(entity, fields_, required_fields(entity_), record, options_.has_header,
                            options_.column_map);
  reader.expect_fields(layout_.expected_fields);
  const bool has_ids = entity_ == Entity::kCustomers || entity_ == Entity::kEmployees ||
                       layout_.has(0);  // transaction_id / incident_id is field 0

  BulkLoadPragmas pragmas(sql, options_.cache_mib);
  TransactionGuard tx(sql);
  {
    PreparedStatement previous(sqlite_,
                               "SELECT id, inserted + duplicates FROM imported_files "
                               "WHERE entity = ? AND content_hash = ?");
    previous.bind_text_or_null(1, entity);
    previous.bind_text_or_null(2, content_hash);
    if (previous.step()) {
      file_id_ = previous.column_int64(0);
      if (!has_ids) {
        // Rows without ids cannot be matched one by one: the whole file is the unit.
        result_.already_imported = true;
        result_.duplicates = static_cast<uint64_t>(previous.column_int64(1));
        remove_stale_rejects();
        return result_;
      }
    }
  }
  if (file_id_ == 0) {
    PreparedStatement insert(
        sqlite_,
        "INSERT INTO imported_files(entity, path, content_hash, imported_at, "
        "inserted, duplicates, rejected) VALUES (?,?,?,strftime('%s','now'),0,0,0)");
    insert.bind_text_or_null(1, entity);
    insert.bind_text_or_null(2, source_name_);
    insert.bind_text_or_null(3, content_hash);
    insert.step();
    file_id_ = insert.last_insert_rowid();
  }
  // A bulk load into a comparatively small table: sorting once (CREATE INDEX)
  // beats millions of random B-tree inserts (measured ~40% of import time).
  // Both happen inside the transaction, so readers never see it missing.
  std::string index_sql;
  if (entity_ == Entity::kTransactions) {
    const int64_t stored =
        sql.execAndGet("SELECT COALESCE(MAX(id), 0) FROM transactions").getInt64();
    const uint64_t estimated_rows = reader.total_bytes() / 32;
    if (estimated_rows > 100000 && estimated_rows > static_cast<uint64_t>(stored)) {
      {
        SQLite::Statement index(sql,
                                "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
                                "name = 'transactions_by_customer_time'");
        if (index.executeStep() && !index.getColumn(0).isNull()) {
          index_sql = index.getColumn(0).getString();
        }
      }
      // Into an empty table, rows without ids go in customer order: rowids
      // then follow the index, and CREATE INDEX sorts presorted input
      // (measured ~20% less import CPU). Rows with ids keep file order, as
      // the external-id index would get them scattered otherwise.
      // Held rows take ~100 bytes each: beyond 1 GiB of input (~35M rows)
      // memory matters more than the 20%.
      constexpr uint64_t kMaxHeldInputBytes = uint64_t{1} << 30;
      hold_all_ = stored == 0 && !layout_.has(kTxnId) && reader.total_bytes() <= kMaxHeldInputBytes;
      // Virtual memory only until touched, so erring high costs nothing.
      if (hold_all_) held_.reserve(reader.total_bytes() / 16);
      if (!index_sql.empty()) sql.exec("DROP INDEX transactions_by_customer_time");
    }
  }
  prepare_statements();
  // Without any plugin loaded there is nothing to route: the fast path.
  routing_ = entity_ == Entity::kTransactions && options_.plugins != nullptr &&
             !options_.plugins->plugins().empty();
  // Deferred lookup only where it cannot reject (the reject would go out of
  // line order) and no sector routing needs the customer at once.
  track_sectors_ = entity_ == Entity::kTransactions && !routing_ &&
                   (options_.require_plugins || !options_.sector.empty() ||
                    sql.execAndGet("SELECT EXISTS(SELECT 1 FROM customers WHERE sector IS NOT NULL "
                                   "AND sector <> '')")
                            .getInt() != 0);
  defer_customers_ = hold_all_ && !routing_ && !track_sectors_ && !options_.require_known_customers;
  if (entity_ == Entity::kTransactions && layout_.has(kTxnId)) {
    PreparedStatement pending(sqlite_,
                              "SELECT external_id FROM transactions_pending "
                              "WHERE external_id IS NOT NULL");
    while (pending.step()) pending_ids_.emplace(pending.column_text(0));
  }
  if (entity_ == Entity::kTransactions || entity_ == Entity::kIncidents) load_customers();
  if (entity_ == Entity::kIncidents) load_employees();

  ImportProgress progress{0, 0, reader.total_bytes()};
  bool pending = !options_.has_header;  // without a header the first record is data
  while (pending || reader.next(record)) {
    pending = false;
    process(record);
    if ((++progress.rows & 0x3FFF) == 0 && options_.progress) {
      progress.bytes_done = reader.bytes_consumed();
      options_.progress(progress);
    }
  }
  if (options_.normalize_transactions) flush_batch();
  if (defer_customers_) resolve_held_customers();
  if (routing_ || hold_all_) normalize_held();
  flush_transactions();
  rejects_.close();
  normalize_log_.close();
  for (const SectorRoute& route : sectors_) {
    if (route.plugin) {
      if (route.counts.rows > 0) result_.normalized[route.name] = route.counts;
    } else if (route.passed_through > 0) {
      result_.no_plugin[route.name] += route.passed_through;
    }
  }
  {
    PreparedStatement update(sqlite_,
                             "UPDATE imported_files SET inserted = inserted + ?, duplicates = "
                             "duplicates + ?, rejected = rejected + ? WHERE id = ?");
    update.bind(1, static_cast<int64_t>(result_.inserted));
    update.bind(2, static_cast<int64_t>(result_.duplicates));
    update.bind(3, static_cast<int64_t>(result_.rejected));
    update.bind(4, file_id_);
    update.step();
  }
  insert_row_.reset();
  insert_many_.reset();
  insert_customer_.reset();
  if (!index_sql.empty()) sql.exec(index_sql);
  tx.commit();
  if (options_.progress) {
    progress.bytes_done = reader.bytes_consumed();
    options_.progress(progress);
  }
  if (result_.rejected > 0) {
    result_.rejects_file = rejects_.path();
  } else {
    remove_stale_rejects();
  }
  if (normalize_log_.count() > 0) {
    result_.normalized_file = normalize_log_.path();
  } else {
    std::error_code ignored;
    std::filesystem::remove(normalize_log_.path(), ignored);
  }
  return result_;
}

// A rejects file at our path is from an earlier run (this run writes it on
// its first reject): left in place it would report rows that are now fine.
void Importer::remove_stale_rejects() {
  std::error_code ignored;
  std::filesystem::remove(rejects_.path(), ignored);
}

std::string default_rejects_path(const Database& db, const std::string& source_name) {
  namespace fs = std::filesystem;
  const fs::path db_dir = fs::path(db.path()).parent_path();
  return (db_dir / (fs::path(source_name).filename().string() + ".rejects.csv")).string();
}

CsvDialect dialect_for(const ImportOptions& options, std::string_view name,
                       std::string_view first_bytes) {
  CsvDialect dialect;
  dialect.delimiter = options.delimiter;
  switch (options.format) {
    case InputFormat::kCsv:
      break;
    case InputFormat::kWhitespace:
      dialect.format = CsvFormat::kWhitespace;
      break;
    case InputFormat::kAuto: {
      const std::string_view first_line = first_bytes.substr(0, first_bytes.find('\n'));
      const bool txt = name.size() >= 4 && name.substr(name.size() - 4) == ".txt";
      if (txt && first_line.find(options.delimiter) == std::string_view::npos) {
        dialect.format = CsvFormat::kWhitespace;
      }
      break;
    }
  }
  return dialect;
}

ImportResult run_import(Database& db, Entity entity, CsvReader& reader,
                        const std::string& source_name, const std::string& hash,
                        const ImportOptions& options) {
  std::string rejects_path =
      options.rejects_path.empty() ? default_rejects_path(db, source_name) : options.rejects_path;
  std::string normalized_path = options.normalized_path;
  if (normalized_path.empty()) {
    normalized_path = (std::filesystem::path(rejects_path).parent_path() /
                       (std::filesystem::path(source_name).filename().string() + ".normalized.csv"))
                          .string();
  }
  Importer importer(db, entity, options, source_name, rejects_path, normalized_path);
  try {
    return importer.run(reader, hash);
  } catch (...) {
    // The transaction rolled back; rejects of a failed import would mislead.
    std::error_code ignored;
    std::filesystem::remove(rejects_path, ignored);
    std::filesystem::remove(normalized_path, ignored);
    throw;
  }
}

std::string read_prefix(const std::string& path) {
  std::string prefix(4096, '\0');
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return {};
  prefix.resize(std::fread(prefix.data(), 1, prefix.size(), file));
  std::fclose(file);
  return prefix;
}

}  // namespace

const std::vector<std::string_view>& entity_fields(Entity entity) {
  static const std::vector<std::string_view> txn = {
      "transaction_id", "customer_id", "timestamp", "amount",   "currency",  "kind",
      "quantity",       "category",    "channel",   "location", "reference", "payer"};
  static const std::vector<std::string_view> inc = {
      "incident_id", "customer_id", "opened_at",    "resolved_at", "severity",    "category",
      "channel",     "outcome",     "satisfaction", "employee_id", "compensation"};
  static const std::vector<std::string_view> cus = {"customer_id", "sector", "segment", "region",
                                                    "acquired_at"};
  static const std::vector<std::string_view> emp = {"employee_id", "role",  "location",
                                                    "trust",       "tact",  "empathy",
                                                    "conformity",  "focus", "flexibility"};
  switch (entity) {
    case Entity::kTransactions:
      return txn;
    case Entity::kIncidents:
      return inc;
    case Entity::kCustomers:
      return cus;
    case Entity::kEmployees:
      return emp;
  }
  return cus;
}

ImportResult import_file(Database& db, Entity entity, const std::string& path,
                         const ImportOptions& options) {
  const std::string hash = hash_file(path);  // also reports a missing file
  CsvReader reader(path, dialect_for(options, path, read_prefix(path)));
  return run_import(db, entity, reader, path, hash, options);
}

ImportResult import_text(Database& db, Entity entity, std::string_view text,
                         const std::string& source_name, const ImportOptions& options) {
  CsvReader reader =
      CsvReader::from_text(text, dialect_for(options, source_name, text.substr(0, 4096)));
  return run_import(db, entity, reader, source_name, hash_text(text), options);
}

}  // namespace clv
