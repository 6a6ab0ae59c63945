// The import pipeline: read records, parse each into typed values
// (row_parsers), route transactions through their sector's plugin
// (sector_router), and store through the store's typed writers inside one
// database transaction, sending every invalid row to the rejects file. Hot
// path (transactions) allocates nothing per row except for customers seen
// for the first time.
#include "clv/importer.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"
#include "ingest/column_layout.hpp"
#include "ingest/content_hash.hpp"
#include "ingest/csv_reader.hpp"
#include "ingest/id_index.hpp"
#include "ingest/import_fields.hpp"
#include "ingest/money.hpp"
#include "ingest/rejects_writer.hpp"
#include "ingest/row_parsers.hpp"
#include "ingest/sector_router.hpp"
#include "ingest/text_validation.hpp"
#include "ingest/transaction_kind.hpp"
#include "store/customer_repository.hpp"
#include "store/database_access.hpp"
#include "store/employee_repository.hpp"
#include "store/import_session.hpp"
#include "store/imported_files.hpp"
#include "store/incident_repository.hpp"
#include "store/transaction_ledger_writer.hpp"

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

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Everything one import needs, alive for the duration of one transaction.
class Importer {
 public:
  Importer(Database& db, Entity entity, const ImportOptions& options, std::string source_name,
           std::string rejects_path, std::string normalized_path)
      : db_(db),
        entity_(entity),
        options_(options),
        fields_(entity_fields(entity)),
        source_name_(std::move(source_name)),
        rejects_(std::move(rejects_path), source_name_),
        router_(options.plugins, std::move(normalized_path), source_name_) {}

  ImportResult run(CsvReader& reader, const std::string& content_hash);
  // True when run() failed on max_rejects: the rejects file then stays.
  bool rejects_kept() const { return rejects_kept_; }

 private:
  void open_writers(sqlite3* db);
  void load_customers(sqlite3* db);
  void process(const CsvRecord& record);
  void reject(const CsvRecord& record, const RowReject& r);
  void reject(uint64_t line, std::string_view raw, std::string_view column,
              std::string_view reason);
  // Resolves a customer's row id, creating it unless --require-known-customers.
  std::optional<int64_t> customer_row(std::string_view external_id);
  // False (and rejects) when `id` already appeared earlier in this file.
  bool first_in_file(std::string_view id, size_t field, uint64_t line, std::string_view raw,
                     const CsvRecord* record);
  void count(bool inserted) { ++(inserted ? result_.inserted : result_.duplicates); }

  void store_transaction(const TransactionRow& v, uint64_t line, std::string_view raw);
  void write_transaction(const TransactionRow& v, int64_t customer);
  void batch_transaction(const TransactionRow& v, uint64_t line, std::string_view raw);
  void flush_batch();
  void resolve_held_customers();
  void process_incident(const CsvRecord& record);
  void process_customer(const CsvRecord& record);
  void process_employee(const CsvRecord& record);
  void remove_stale_rejects();

  Database& db_;
  Entity entity_;
  const ImportOptions& options_;
  const std::vector<std::string_view>& fields_;
  std::string source_name_;
  RejectsWriter rejects_;
  ColumnLayout layout_;
  MoneyDefaults money_;
  int64_t file_id_ = 0;
  ImportResult result_;
  std::string first_reject_;  // "line L, column C: reason", for the max_rejects error
  bool rejects_kept_ = false;

  IdIndex customers_;
  StringMap<int64_t> employees_;
  StringMap<uint64_t> ids_in_file_;  // external id -> first line
  // Ids of transactions the engine accepted over HTTP that wait in
  // transactions_pending: the same id in a file is a duplicate, not a new row.
  std::unordered_set<std::string> pending_ids_;

  std::unique_ptr<CustomerCreator> customer_creator_;
  std::unique_ptr<TransactionLedgerWriter> ledger_;
  std::unique_ptr<IncidentWriter> incidents_;
  std::unique_ptr<CustomerWriter> customer_writer_;
  std::unique_ptr<EmployeeWriter> employee_writer_;

  SectorRouter router_;
  // Sector plugins loaded: rows of their customers are held for the plugin.
  bool routing_ = false;
  // Without plugins, customers' sectors are still looked up so that rows of
  // sectors without a plugin are counted (or rejected: require_plugins).
  bool track_sectors_ = false;
  // A bulk load into an empty table without ids: every row is held and
  // stored in customer order (see run()).
  bool hold_all_ = false;
  // Held rows from unresolved_from_ on still carry SectorRouter::kUnresolved
  // as customer (see resolve_held_customers).
  bool defer_customers_ = false;
  size_t unresolved_from_ = 0;
  static constexpr size_t kResolveBatch = 256;

  ImportTransactionBatch batch_;
  std::vector<std::string> batch_raw_;
};

void Importer::open_writers(sqlite3* db) {
  customer_creator_ = std::make_unique<CustomerCreator>(db);
  switch (entity_) {
    case Entity::kTransactions: {
      // Optional columns only when the file has them or a plugin may fill them.
      const bool plugins_may_fill =
          static_cast<bool>(options_.normalize_transactions) ||
          (options_.plugins != nullptr && !options_.plugins->plugins().empty());
      TransactionLedgerWriter::Columns columns;
      columns.id = plugins_may_fill || layout_.has(kTxnId);
      columns.quantity = plugins_may_fill || layout_.has(kTxnQuantity);
      columns.category = plugins_may_fill || layout_.has(kTxnCategory);
      columns.channel = plugins_may_fill || layout_.has(kTxnChannel);
      columns.location = plugins_may_fill || layout_.has(kTxnLocation);
      ledger_ = std::make_unique<TransactionLedgerWriter>(db, columns, file_id_);
      break;
    }
    case Entity::kIncidents:
      incidents_ = std::make_unique<IncidentWriter>(db);
      break;
    case Entity::kCustomers:
      customer_writer_ = std::make_unique<CustomerWriter>(db);
      break;
    case Entity::kEmployees:
      employee_writer_ = std::make_unique<EmployeeWriter>(db);
      break;
  }
}

void Importer::load_customers(sqlite3* db) {
  const bool sectors = routing_ || track_sectors_;
  for_each_customer(db, sectors, [&](int64_t row, std::string_view id, std::string_view sector) {
    customers_.insert(id, row);
    if (sectors) router_.set_customer_sector(row, router_.sector_index(sector));
  });
}

void Importer::reject(uint64_t line, std::string_view raw, std::string_view column,
                      std::string_view reason) {
  rejects_.write(line, column, reason, raw);
  if (++result_.rejected == 1) {
    first_reject_ =
        fmt::format("line {}{}{}: {}", line, column.empty() ? "" : ", column ", column, reason);
  }
  if (result_.rejected > options_.max_rejects) {
    // The database stays unchanged (the transaction rolls back), but the
    // rows rejected so far are kept so the user sees why the file failed.
    rejects_.close();
    rejects_kept_ = true;
    throw Error::invalid_argument(fmt::format(
        "'{}': more than {} rows rejected (--max-rejects {}; the limit was crossed on line {}); "
        "nothing was imported. First reject: {}. The {} rejected rows up to line {} are in '{}'",
        source_name_, options_.max_rejects, options_.max_rejects, line, first_reject_,
        result_.rejected, line, rejects_.path()));
  }
}

void Importer::reject(const CsvRecord& record, const RowReject& r) {
  reject(record.line, record.raw, r.field >= 0 ? layout_.column_name(r.field) : std::string_view(),
         r.reason);
}

std::optional<int64_t> Importer::customer_row(std::string_view external_id) {
  if (const int64_t row = customers_.find(external_id); row >= 0) return row;
  if (options_.require_known_customers) return std::nullopt;
  const int64_t row = customer_creator_->create(external_id, options_.sector);
  customers_.insert(external_id, row);
  ++result_.customers_created;
  if (routing_ || track_sectors_) {
    router_.set_customer_sector(row, router_.sector_index(options_.sector));
  }
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

void Importer::store_transaction(const TransactionRow& v, uint64_t line, std::string_view raw) {
  if (!v.id.empty() && !first_in_file(v.id, kTxnId, line, raw, nullptr)) return;
  if (!pending_ids_.empty() && !v.id.empty() && pending_ids_.count(std::string(v.id)) > 0) {
    ++result_.duplicates;  // accepted over HTTP, not merged yet
    return;
  }
  if (defer_customers_) {
    router_.hold(v, SectorRouter::kUnresolved, SectorRouter::kPassThrough, line);
    if (router_.held() - unresolved_from_ >= kResolveBatch) resolve_held_customers();
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
    const int32_t sector = router_.sector_of(*customer);
    if (router_.has_plugin(sector)) return router_.hold(v, *customer, sector, line);
    if (options_.require_plugins && !router_.sector_name(sector).empty()) {
      reject(line, raw, layout_.column_name(kTxnCustomer),
             fmt::format("customer '{}' is in sector '{}', which has no plugin loaded "
                         "(--require-plugins): install the plugin or pass --plugin-dir",
                         v.customer, router_.sector_name(sector)));
      return;
    }
    router_.count_passed_through(sector);
  }
  if (hold_all_) return router_.hold(v, *customer, SectorRouter::kPassThrough, line);
  write_transaction(v, *customer);
}

void Importer::write_transaction(const TransactionRow& v, int64_t customer) {
  const std::string_view texts[TransactionLedgerWriter::kTextCount] = {v.id, v.currency, v.category,
                                                                       v.channel, v.location};
  ledger_->add(customer, v.ts, v.amount, v.quantity, v.kind, texts);
}

// Rows are resolved in file order, so new customers get the same row ids as
// with immediate lookup.
void Importer::resolve_held_customers() {
  router_.resolve_customers(unresolved_from_, customers_, [&](std::string_view id) {
    return *customer_row(id);  // never nullopt: deferred only without require_known
  });
  unresolved_from_ = router_.held();
}

void Importer::batch_transaction(const TransactionRow& v, uint64_t line, std::string_view raw) {
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
    if (reason.empty() && (b.amount_minor[i] < 0 || b.amount_minor[i] > kMaxAmountMinor)) {
      reason = fmt::format("plugin produced amount {} minor units (0 to {} allowed)",
                           b.amount_minor[i], kMaxAmountMinor);
    }
    if (!reason.empty()) {
      reject(b.line[i], batch_raw_[i], "", reason);
      continue;
    }
    TransactionRow v;
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
  IncidentRow v;
  if (auto bad = parse_incident_row(layout_, r, money_, v)) return reject(r, *bad);
  std::optional<int64_t> employee_row;
  if (!v.employee.empty()) {
    const auto it = employees_.find(v.employee);
    if (it == employees_.end()) {
      return reject(r, {kIncEmployee,
                        fmt::format("unknown employee '{}': import employees first", v.employee)});
    }
    employee_row = it->second;
  }
  if (!v.id.empty() && !first_in_file(v.id, kIncId, r.line, r.raw, &r)) return;
  const auto customer = customer_row(v.customer);
  if (!customer) {
    return reject(r, {kIncCustomer, fmt::format("unknown customer '{}' (--require-known-"
                                                "customers): import customers first",
                                                v.customer)});
  }
  ImportedIncidentRow record;
  record.external_id = v.id;
  record.customer_row = *customer;
  record.opened_at = v.opened;
  record.resolved_at = v.resolved;
  record.severity = v.severity;
  record.satisfaction = v.satisfaction;
  record.employee_row = employee_row;
  record.compensation_minor = v.compensation_minor;
  record.category = v.category;
  record.channel = v.channel;
  record.outcome = v.outcome;
  record.file_id = file_id_;
  count(incidents_->insert(record));
}

void Importer::process_customer(const CsvRecord& r) {
  CustomerRow v;
  if (auto bad = parse_customer_row(layout_, r, v)) return reject(r, *bad);
  if (!first_in_file(v.id, kCusId, r.line, r.raw, &r)) return;
  CustomerRecord record;
  record.external_id = v.id;
  record.sector = v.sector.empty() ? std::string_view(options_.sector) : v.sector;
  record.segment = v.segment;
  record.region = v.region;
  record.acquired_at = v.acquired_at;
  record.attributes_json = v.attributes_json;
  switch (customer_writer_->write(record)) {
    case CustomerWrite::kInserted:
      ++result_.inserted;
      break;
    case CustomerWrite::kUpdated:
      ++result_.updated;
      break;
    case CustomerWrite::kUnchanged:
      ++result_.duplicates;
      break;
  }
}

void Importer::process_employee(const CsvRecord& r) {
  EmployeeRow v;
  if (auto bad = parse_employee_row(layout_, r, v)) return reject(r, *bad);
  if (!first_in_file(v.id, kEmpId, r.line, r.raw, &r)) return;
  EmployeeRecord record;
  record.external_id = v.id;
  record.role = v.role;
  record.location = v.location;
  std::copy(std::begin(v.scores), std::end(v.scores), std::begin(record.scores));
  count(employee_writer_->insert(record));
}

void Importer::process(const CsvRecord& record) {
  if (!record.error.empty()) return reject(record, {-1, "malformed CSV: " + record.error});
  if (record.fields.size() != layout_.expected_fields) {
    return reject(record, {-1, fmt::format("wrong field count: expected {}, found {}",
                                           layout_.expected_fields, record.fields.size())});
  }
  // Stored text must be valid UTF-8 without NUL: it ends up in JSON.
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
      TransactionRow v;
      if (auto bad = parse_transaction_row(layout_, record, money_, &customers_, v)) {
        return reject(record, *bad);
      }
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

ImportResult Importer::run(CsvReader& reader, const std::string& content_hash) {
  SQLite::Database& sql = sqlite_of(db_);
  const std::string_view entity = entity_name(entity_);
  if (!is_currency_code(options_.default_currency)) {
    throw Error::invalid_argument(fmt::format(
        "default currency '{}' is not an ISO 4217 code like USD", options_.default_currency));
  }
  money_.currency = options_.default_currency;
  money_.exponent = currency_exponent(options_.default_currency);

  CsvRecord record;
  if (!reader.next(record)) {
    throw Error::invalid_argument(
        fmt::format("'{}' is empty: expected a header line and {} rows", source_name_, entity));
  }
  try {
    layout_ = resolve_columns(entity, fields_, required_fields(entity_), record,
                              options_.has_header, options_.column_map);
  } catch (const Error& e) {
    // Name the file: an import of several files must say which one is wrong.
    throw Error(e.code(), fmt::format("'{}': {}", source_name_, e.what()));
  }
  reader.expect_fields(layout_.expected_fields);
  const bool has_ids = entity_ == Entity::kCustomers || entity_ == Entity::kEmployees ||
                       layout_.has(0);  // transaction_id / incident_id is field 0

  ImportSession session(sql, options_.cache_mib);
  sqlite3* const db = session.handle();
  if (const auto previous = find_imported_file(db, entity, content_hash)) {
    file_id_ = previous->id;
    if (!has_ids) {
      // Rows without ids cannot be matched one by one: the whole file is the unit.
      result_.already_imported = true;
      result_.duplicates = previous->rows;
      remove_stale_rejects();
      if (options_.progress) {
        const uint64_t size = reader.total_bytes();
        options_.progress(Progress{"import", size, size, "bytes", previous->rows});
      }
      return result_;
    }
  }
  if (file_id_ == 0) file_id_ = add_imported_file(db, entity, source_name_, content_hash);
  // A bulk load into a comparatively small table: sorting once (CREATE INDEX)
  // beats millions of random B-tree inserts (measured ~40% of import time).
  // Both happen inside the transaction, so readers never see it missing.
  std::optional<CustomerTimeIndexDrop> index_drop;
  if (entity_ == Entity::kTransactions) {
    const int64_t stored = max_transaction_row(db);
    const uint64_t estimated_rows = reader.total_bytes() / 32;
    if (estimated_rows > 100000 && estimated_rows > static_cast<uint64_t>(stored)) {
      // Into an empty table, rows without ids go in customer order: rowids
      // then follow the index, and CREATE INDEX sorts presorted input
      // (measured ~20% less import CPU). Rows with ids keep file order, as
      // the external-id index would get them scattered otherwise.
      // Held rows take ~100 bytes each: beyond 1 GiB of input (~35M rows)
      // memory matters more than the 20%.
      constexpr uint64_t kMaxHeldInputBytes = uint64_t{1} << 30;
      hold_all_ = stored == 0 && !layout_.has(kTxnId) && reader.total_bytes() <= kMaxHeldInputBytes;
      // Virtual memory only until touched, so erring high costs nothing.
      if (hold_all_) router_.reserve_held(reader.total_bytes() / 16);
      index_drop.emplace(db);
    }
  }
  open_writers(db);
  // Without any plugin loaded there is nothing to route: the fast path.
  routing_ = entity_ == Entity::kTransactions && options_.plugins != nullptr &&
             !options_.plugins->plugins().empty();
  track_sectors_ =
      entity_ == Entity::kTransactions && !routing_ &&
      (options_.require_plugins || !options_.sector.empty() || any_customer_has_sector(db));
  // Deferred lookup only where it cannot reject (the reject would go out of
  // line order) and no sector routing needs the customer at once.
  defer_customers_ = hold_all_ && !routing_ && !track_sectors_ && !options_.require_known_customers;
  if (entity_ == Entity::kTransactions || entity_ == Entity::kIncidents) load_customers(db);
  if (entity_ == Entity::kIncidents) {
    for_each_employee(db, [&](int64_t row, std::string_view id) { employees_.emplace(id, row); });
  }
  if (entity_ == Entity::kTransactions && layout_.has(kTxnId)) {
    pending_ids_ = pending_transaction_ids(db);
  }

  Progress progress{"import", 0, reader.total_bytes(), "bytes", 0};
  bool pending = !options_.has_header;  // without a header the first record is data
  while (pending || reader.next(record)) {
    pending = false;
    process(record);
    if ((++progress.items & (kProgressRowStride - 1)) == 0 && options_.progress) {
      progress.done = std::min(reader.bytes_consumed(), progress.total);
      if (progress.total == 0) progress.done = reader.bytes_consumed();
      options_.progress(progress);
    }
  }
  // Every byte is read: the import stage ends here; writing the last batch,
  // the sector normalization and the commit are stage "commit" (steps), so
  // progress does not sit below 100% while they run (issue 16).
  if (options_.progress) {
    progress.done = progress.total = std::max(progress.total, reader.bytes_consumed());
    options_.progress(progress);
  }
  constexpr uint64_t kCommitSteps = 4;
  auto commit_step = [&](uint64_t done) {
    if (options_.progress) options_.progress(Progress{"commit", done, kCommitSteps, "steps", 0});
  };
  commit_step(0);
  if (options_.normalize_transactions) flush_batch();
  if (defer_customers_) resolve_held_customers();
  commit_step(1);
  if (ledger_) {
    ledger_->flush();
    result_.normalized_away += router_.normalize_and_store(*ledger_, hold_all_);
    result_.inserted += ledger_->inserted();
    result_.duplicates += ledger_->duplicates();
  }
  commit_step(2);
  rejects_.close();
  router_.log().close();
  router_.report(result_);
  add_imported_file_counts(db, file_id_, result_.inserted, result_.duplicates, result_.rejected);
  ledger_.reset();
  incidents_.reset();
  customer_writer_.reset();
  employee_writer_.reset();
  customer_creator_.reset();
  if (index_drop) index_drop->restore();
  commit_step(3);
  session.commit();
  commit_step(kCommitSteps);
  if (result_.rejected > 0) {
    result_.rejects_file = rejects_.path();
  } else {
    remove_stale_rejects();
  }
  if (router_.log().count() > 0) {
    result_.normalized_file = router_.log().path();
  } else {
    std::error_code ignored;
    std::filesystem::remove(router_.log().path(), ignored);
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
    // The transaction rolled back; rejects of a failed import would mislead,
    // except those of an import refused for too many rejects: they are why.
    std::error_code ignored;
    if (!importer.rejects_kept()) std::filesystem::remove(rejects_path, ignored);
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
