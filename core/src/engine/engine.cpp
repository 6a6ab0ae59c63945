#include "clv/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/plugin_registry.hpp"
#include "clv/sector_economics.hpp"
#include "domain/calendar.hpp"
#include "engine/customer_book.hpp"
#include "engine/engine_file_lock.hpp"
#include "engine/record_validation.hpp"
#include "engine/sector_normalization.hpp"
#include "models/clv_valuation.hpp"
#include "models/gamma_gamma.hpp"
#include "models/model_registry.hpp"
#include "scenario/sector_valuation.hpp"
#include "store/churn_lookup.hpp"
#include "store/customer_repository.hpp"
#include "store/database.hpp"
#include "store/employee_repository.hpp"
#include "store/engine_tables.hpp"
#include "store/pending_transactions.hpp"

namespace clv {
namespace {

// Parameters of one run, ready to score with. Immutable once built, shared
// by readers through a shared_ptr so a refit never blocks on them.
struct FittedModel {
  RunInfo run;
  std::unique_ptr<CountModelScorer> scorer;
  std::optional<GammaGammaParams> spend;
};

std::shared_ptr<const FittedModel> build_model(RunInfo run) {
  auto m = std::make_shared<FittedModel>();
  const FitResult count = fit_result_from_json_text(run.count_fit_json);
  m->scorer = find_model(count.model).make_scorer(count.params);
  if (!run.spend_fit_json.empty()) {
    const FitResult gg = fit_result_from_json_text(run.spend_fit_json);
    GammaGammaParams g;
    for (size_t i = 0; i < gg.param_names.size(); ++i) {
      if (gg.param_names[i] == "p") g.p = gg.params[i];
      if (gg.param_names[i] == "q") g.q = gg.params[i];
      if (gg.param_names[i] == "gamma") g.gamma = gg.params[i];
    }
    m->spend = g;
  }
  m->run = std::move(run);
  return m;
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EconomicsOverrides overrides_of(const EngineOptions& o) {
  return {o.margin, o.annual_discount_rate, o.cost_to_serve, o.referral_value};
}

void validate_options(const EngineOptions& o) {
  const ModelEntry& entry = find_model(o.count_model);
  if (entry.kind != ModelRole::kPurchaseCount || !entry.make_scorer) {
    throw Error::invalid_argument(
        fmt::format("count_model '{}' is not a purchase-count model; use bgnbd, mbgnbd or pnbd",
                    o.count_model));
  }
  if (!(o.horizon > 0) || !std::isfinite(o.horizon)) {
    throw Error::invalid_argument("horizon must be a positive number of time units");
  }
  validate_overrides(overrides_of(o));
}

constexpr int kMaxWhatIfDraws = 1000;

// The customers of one ingest batch. Known ones are named by their book
// index; new ones are inserted into `customers` when first seen and numbered
// in that order, and join the book in that order when the batch is published.
// Only writers touch the book's index, and the caller is the writer.
class BatchCustomers {
 public:
  struct Ref {
    int64_t ref;  // >= 0: book index; < 0: new customer number -ref - 1
    int64_t row;  // customers.id
  };

  Ref resolve(const CustomerBook& book, engine_tables::CustomerInserter& insert,
              const std::string& external_id) {
    if (const int64_t index = book.find(external_id); index >= 0) {
      return {index, book.at(static_cast<size_t>(index)).row_id};
    }
    if (auto it = number_.find(external_id); it != number_.end()) {
      return {-static_cast<int64_t>(it->second) - 1, created_[it->second].second};
    }
    const int64_t row = insert.insert(external_id);
    number_.emplace(external_id, created_.size());
    created_.emplace_back(external_id, row);
    return {-static_cast<int64_t>(created_.size()), row};
  }

  size_t created() const { return created_.size(); }

  // Adds the new customers to the book; caller holds the book's mutex.
  void publish(CustomerBook& book) {
    base_ = book.size();
    for (auto& [id, row] : created_) book.add(std::move(id), row);
  }
  // Book index of a resolved customer, once published.
  size_t book_index(int64_t ref) const {
    return ref >= 0 ? static_cast<size_t>(ref) : base_ + static_cast<size_t>(-ref - 1);
  }

 private:
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> number_;
  std::vector<std::pair<std::string, int64_t>> created_;
  size_t base_ = 0;
};

}  // namespace

// A sector's economics with what scoring derives from them.
struct Valuation {
  SectorEconomicsUsed economics;
  PreparedValuation prepared;  // the constants of the one CLV formula
};

struct Engine::State {
  std::string path;  // of the database
  EngineOptions options;
  EngineFileLock file_lock;
  PluginRegistry plugins;
  std::vector<PluginProblem> plugin_problems;
  // Per sector of the customers at open, and "" (customers without one);
  // built once at open, read without a lock.
  std::map<std::string, Valuation, std::less<>> valuations;

  const Valuation& valuation_of(std::string_view sector) const {
    const auto it = valuations.find(sector);
    return it != valuations.end() ? it->second : valuations.at("");
  }
  void add_valuation(const std::string& sector) {
    if (valuations.count(sector)) return;
    Valuation v;
    v.economics = economics_for_sector(&plugins, sector, overrides_of(options), options.time_unit);
    v.prepared = sector_valuation(v.economics, options.time_unit, options.horizon);
    valuations.emplace(sector, std::move(v));
  }
  PgMapping pg_mapping;                  // read at open from options.pg_mapping
  mutable std::mutex pg_mutex;           // one PostgreSQL run at a time
  std::unique_ptr<SQLite::Database> db;  // used only under write_mutex
  mutable std::mutex write_mutex;        // serializes writers and DB access
  // A second connection for queries (runs, churn runs, attributes): under WAL
  // it reads committed data while a writer holds `db`, so lookups never wait
  // for an ingest. Null for an in-memory database (one connection only).
  std::unique_ptr<SQLite::Database> read_db;
  mutable std::mutex read_mutex;

  // Runs `query(db)` on the read connection (or the writer's when there is none).
  template <typename Query>
  auto with_reader(Query&& query) const {
    if (read_db) {
      std::lock_guard lock(read_mutex);
      return query(*read_db);
    }
    std::lock_guard lock(write_mutex);
    return query(*db);
  }
  // Guards everything below. Held only to look up or summarize a customer, or
  // to swap in a batch's rebuilt purchase days (tens of nanoseconds each),
  // never while scoring, so a plain mutex serves many readers and, unlike a
  // reader-preferring rwlock, never starves the writer.
  mutable std::mutex mutex;
  CustomerBook book;
  size_t transactions = 0, incidents = 0, scorable = 0;
  // Only writers (under write_mutex) touch it.
  PendingTransactions pending;
  int64_t max_purchase_day = std::numeric_limits<int64_t>::min();
  std::shared_ptr<const FittedModel> model;

  // Caller holds write_mutex.
  void flush_locked() {
    try {
      pending.merge(*db);
    } catch (const SQLite::Exception& e) {
      throw Error::io(fmt::format(
          "moving {} acknowledged transactions into the transactions table failed (they stay "
          "pending and move on the next flush): {}",
          pending.size(), e.what()));
    }
  }

  int64_t observation_end() const { return options.observation_end_day.value_or(max_purchase_day); }

  // What scoring one customer needs, copied under `mutex`.
  struct Snapshot {
    std::string customer_id;
    DaySummary summary;
    size_t incidents = 0;
    std::string sector;
  };

  // Caller holds `mutex`.
  Snapshot snapshot(const CustomerPurchases& c) const {
    const int64_t end = observation_end();
    if (c.days.empty() || c.days.front().day > end) {
      throw Error::not_found(fmt::format(
          "customer '{}' has no purchase up to the observation end yet; it is scored after its "
          "first purchase",
          c.external_id));
    }
    return {c.external_id, summarize_days(c.days, end), c.incidents, c.sector};
  }

  // Needs no lock: the snapshot is a copy and the model is immutable.
  CustomerScore score_one(const Snapshot& c, const FittedModel& m) const {
    const DaySummary& s = c.summary;
    const double unit = options.time_unit.days;
    CustomerScore out;
    out.customer_id = c.customer_id;
    out.frequency = s.x;
    out.recency = s.t_x_days / unit;
    out.T = s.T_days / unit;
    out.monetary = s.monetary;
    out.historical_value = s.total_value;
    out.incidents = c.incidents;
    out.run_id = m.run.id;
    out.sector = c.sector;
    const Valuation& v = valuation_of(c.sector);
    // The same per-customer formula as clv score (models/clv_valuation.hpp).
    std::optional<double> spend;
    if (m.spend) spend = gg_conditional_expected_spend(*m.spend, out.frequency, out.monetary);
    const CustomerValue value =
        value_customer(*m.scorer, out.frequency, out.recency, out.T, spend, v.prepared);
    out.p_alive = value.p_alive;
    out.expected_purchases = value.expected_purchases;
    out.expected_spend = value.expected_spend;
    out.clv = value.clv;
    if (!is_finite(value)) {
      throw Error::internal(fmt::format(
          "scoring customer '{}' produced a non-finite value (x={}, t_x={}, T={}); please report",
          c.customer_id, out.frequency, out.recency, out.T));
    }
    return out;
  }

  std::shared_ptr<const FittedModel> require_model() const {
    if (!model) {
      throw MissingRunError(
          "no model run yet: ingest transactions and refit first (POST /v1/runs, clv_refit)");
    }
    return model;
  }
};

Engine::Engine(std::unique_ptr<State> state) : state_(std::move(state)) {}
Engine::~Engine() {
  // Leaves no rows pending for other readers of the database; if this fails
  // they stay in transactions_pending and the next open moves them.
  try {
    flush();
  } catch (const std::exception&) {
  }
}

void Engine::flush() {
  State& s = *state_;
  std::lock_guard write(s.write_mutex);
  s.flush_locked();
}

std::vector<std::string> Engine::plugin_problems() const {
  std::vector<std::string> out;
  for (const PluginProblem& p : state_->plugin_problems) {
    out.push_back(fmt::format("{}: {}", p.path, p.message));
  }
  return out;
}

std::vector<std::string> Engine::plugin_ids() const {
  std::vector<std::string> out;
  for (const SectorPlugin& p : state_->plugins.plugins()) out.push_back(p.id());
  return out;
}

const EngineOptions& Engine::options() const {
  return state_->options;
}

std::unique_ptr<Engine> Engine::open(const std::string& path, const EngineOptions& options) {
  validate_options(options);
  auto s = std::make_unique<State>();
  s->options = options;
  s->path = path;
  // A bad mapping file fails the open (a service refuses to start), not the first run.
  s->pg_mapping =
      options.pg_mapping.empty() ? default_pg_mapping() : load_pg_mapping(options.pg_mapping);
  if (options.use_plugins) {
    PluginSearchOptions search;
    search.plugin_dirs = options.plugin_dirs;
    s->plugin_problems = s->plugins.discover(search);
  }
  // Each connection is only used under its own mutex (write_mutex, read_mutex).
  s->file_lock = EngineFileLock::acquire(path);
  s->db = open_database(path, true);
  if (!path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0) {
    s->read_db = open_database(path, true);
  }
  for (SQLite::Database* db : {s->db.get(), s->read_db.get()}) {
    if (db) engine_tables::tune_connection(*db, db == s->db.get());
  }
  try {
    // Acknowledged rows of an engine that did not close (killed, crashed).
    s->pending.add_leftovers(static_cast<size_t>(engine_tables::pending_rows(*s->db)));
    s->pending.merge(*s->db);
    std::unordered_map<int64_t, size_t> by_row;
    engine_tables::read_customers(*s->db, [&](int64_t row, std::string id, std::string sector) {
      by_row.emplace(row, s->book.add(std::move(id), row, std::move(sector)));
    });
    engine_tables::read_purchases(
        *s->db, [&](int64_t customer, int64_t ts, int64_t amount_minor, std::string_view currency) {
          CustomerPurchases& c = s->book.at(by_row.at(customer));
          const int64_t day = day_of(ts);
          c.add_purchase(static_cast<int32_t>(day), major_units(amount_minor, currency));
          s->max_purchase_day = std::max(s->max_purchase_day, day);
        });
    s->transactions = engine_tables::transaction_count(*s->db);
    engine_tables::read_incident_counts(*s->db, [&](int64_t customer, size_t n) {
      s->book.at(by_row.at(customer)).incidents = n;
      s->incidents += n;
    });
    s->add_valuation("");
    // Every sector a customer may be given (ingest_customers takes only
    // sectors of loaded plugins), so valuations never change after open.
    for (const SectorPlugin& p : s->plugins.plugins()) s->add_valuation(p.id());
    for (const CustomerPurchases& c : s->book.all()) {
      s->scorable += c.days.empty() ? 0 : 1;
      s->add_valuation(c.sector);
    }
    if (auto latest = engine_tables::latest_run(*s->db)) s->model = build_model(std::move(*latest));
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("loading database '{}' failed: {}", path, e.what()));
  }
  return std::unique_ptr<Engine>(new Engine(std::move(s)));
}

IngestResult Engine::ingest_transactions(std::span<const TransactionRecord> records) {
  for (size_t i = 0; i < records.size(); ++i) validate_transaction(records[i], i);
  State& s = *state_;
  std::lock_guard write(s.write_mutex);
  IngestResult result;
  // Hook 1: the sector plugin of each customer nets, merges and drops rows
  // as the CSV import does. Sectors change only under write_mutex (held).
  std::optional<NormalizedBatch> normalized;
  if (!s.plugins.plugins().empty()) {
    normalized = normalize_for_sectors(records, s.plugins, [&s](std::string_view id) {
      const int64_t index = s.book.find(id);
      return index < 0 ? std::string() : s.book.at(static_cast<size_t>(index)).sector;
    });
    result.normalized_away = normalized->normalized_away;
  }
  const std::span<const TransactionRecord> batch =
      normalized ? std::span<const TransactionRecord>(normalized->records) : records;
  BatchCustomers customers;
  std::vector<int64_t> customer_refs;  // of the stored rows
  std::vector<size_t> stored;
  std::vector<PendingTransactions::Row> pending_rows;  // of this batch, for the merge
  try {
    // Larger merges touch each page of the per-customer index fewer times
    // per row; the call that crosses the mark pays for the merge.
    if (s.pending.size() >= s.options.merge_pending_rows) {
      try {
        s.flush_locked();
      } catch (const Error&) {
        // The rows stay pending and this batch is appended all the same; a
        // merge that keeps failing surfaces in flush(), refit() and close.
      }
    }
    SQLite::Transaction tx(*s.db);
    engine_tables::CustomerInserter add_customer(*s.db);
    engine_tables::PendingTransactionWriter writer(*s.db);
    constexpr size_t kRowsPerInsert = engine_tables::PendingTransactionWriter::kRowsPerInsert;
    std::vector<std::pair<size_t, BatchCustomers::Ref>> queued;  // (record, customer)
    std::vector<std::pair<const TransactionRecord*, int64_t>> queued_rows;
    // A stored row: applied to the book, and kept for the merge.
    auto keep = [&](size_t i, const BatchCustomers::Ref& customer) {
      const TransactionRecord& r = batch[i];
      stored.push_back(i);
      customer_refs.push_back(customer.ref);
      pending_rows.push_back({customer.row, r.timestamp, r.amount_minor, r.currency, r.kind, r.id,
                              r.quantity.value_or(-1), r.category, r.channel, r.location});
    };
    auto store_queued = [&] {
      queued_rows.clear();
      for (const auto& [i, customer] : queued) queued_rows.emplace_back(&batch[i], customer.row);
      writer.insert_many(queued_rows);
      for (const auto& [i, customer] : queued) keep(i, customer);
      queued.clear();
    };
    customer_refs.reserve(batch.size());
    stored.reserve(batch.size());
    pending_rows.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      const TransactionRecord& r = batch[i];
      if (i + 8 < batch.size()) s.book.prefetch(batch[i + 8].customer_id);
      if (r.id.empty()) {
        queued.emplace_back(i, customers.resolve(s.book, add_customer, r.customer_id));
        if (queued.size() == kRowsPerInsert) store_queued();
        continue;
      }
      if (writer.id_stored(r.id)) {
        ++result.duplicates;
        continue;
      }
      const BatchCustomers::Ref customer = customers.resolve(s.book, add_customer, r.customer_id);
      if (!writer.insert(r, customer.row)) {
        ++result.duplicates;
        continue;
      }
      keep(i, customer);
    }
    // The last few without an id, one statement each.
    for (const auto& [i, customer] : queued) {
      writer.insert(batch[i], customer.row);
      keep(i, customer);
    }
    // Everything that can fail (allocate) happens before the commit, so the
    // memory copies never miss a committed row.
    s.pending.reserve_more(pending_rows.size());
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw Error::io(
        fmt::format("storing the transaction batch failed (nothing stored): {}", e.what()));
  }
  s.pending.add(std::move(pending_rows));
  result.inserted = stored.size();
  result.new_customers = customers.created();
  // The touched customers' purchase days are rebuilt outside `mutex` (only
  // writers change the book, and we are the writer) and published with O(1)
  // swaps: readers, and a score sees the whole batch or none of it, wait
  // microseconds, never for the batch, even when the ingest thread runs at a
  // lower priority than the scoring threads.
  struct Touched {
    int64_t ref;
    std::vector<PurchaseDay> days;
  };
  std::vector<std::pair<int64_t, uint32_t>> purchases;  // (customer ref, stored k)
  purchases.reserve(stored.size());
  for (size_t k = 0; k < stored.size(); ++k) {
    if (batch[stored[k]].kind == "purchase") {
      purchases.emplace_back(customer_refs[k], static_cast<uint32_t>(k));
    }
  }
  std::sort(purchases.begin(), purchases.end());
  std::vector<Touched> touched;
  int64_t max_day = s.max_purchase_day;
  size_t newly_scorable = 0;
  for (size_t k = 0; k < purchases.size();) {
    const int64_t ref = purchases[k].first;
    size_t end = k;
    while (end < purchases.size() && purchases[end].first == ref) ++end;
    Touched& t = touched.emplace_back(Touched{ref, {}});
    if (ref >= 0) {
      const std::vector<PurchaseDay>& old = s.book.at(static_cast<size_t>(ref)).days;
      t.days.reserve(old.size() + (end - k));
      t.days = old;
    }
    if (t.days.empty()) ++newly_scorable;
    for (; k < end; ++k) {
      const TransactionRecord& r = batch[stored[purchases[k].second]];
      const int64_t day = day_of(r.timestamp);
      add_purchase_day(t.days, static_cast<int32_t>(day), major_units(r.amount_minor, r.currency));
      max_day = std::max(max_day, day);
    }
  }
  {
    std::lock_guard lock(s.mutex);
    customers.publish(s.book);
    for (Touched& t : touched) s.book.at(customers.book_index(t.ref)).days.swap(t.days);
    s.max_purchase_day = max_day;
    s.scorable += newly_scorable;
    s.transactions += stored.size();
  }
  return result;  // the replaced day vectors are freed here, outside the lock
}

IngestResult Engine::ingest_incidents(std::span<const IncidentRecord> batch) {
  for (size_t i = 0; i < batch.size(); ++i) validate_incident(batch[i], i);
  State& s = *state_;
  std::lock_guard write(s.write_mutex);
  IngestResult result;
  BatchCustomers customers;
  std::vector<int64_t> stored;  // customer refs of the stored incidents
  try {
    SQLite::Transaction tx(*s.db);
    engine_tables::CustomerInserter add_customer(*s.db);
    engine_tables::IncidentWriter writer(*s.db);
    for (size_t i = 0; i < batch.size(); ++i) {
      const IncidentRecord& r = batch[i];
      std::optional<int64_t> employee;
      if (!r.employee_id.empty()) {
        employee = writer.employee_row(r.employee_id);
        if (!employee) {  // the transaction rolls back: nothing of the batch is stored
          throw Error::invalid_argument(fmt::format(
              "record {}: field 'employee_id' names unknown employee '{}' (import employees "
              "first, as for the CSV import); nothing in this batch was stored",
              i, r.employee_id));
        }
      }
      const BatchCustomers::Ref customer = customers.resolve(s.book, add_customer, r.customer_id);
      if (!writer.insert(r, customer.row, employee)) {
        ++result.duplicates;
        continue;
      }
      stored.push_back(customer.ref);
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw Error::io(
        fmt::format("storing the incident batch failed (nothing stored): {}", e.what()));
  }
  result.inserted = stored.size();
  result.new_customers = customers.created();
  std::lock_guard lock(s.mutex);
  customers.publish(s.book);
  for (const int64_t ref : stored) s.book.at(customers.book_index(ref)).incidents++;
  s.incidents += stored.size();
  return result;
}

namespace {

// Throws when an id repeats within one batch: the importer rejects the
// second row of a file the same way.
class FirstInBatch {
 public:
  explicit FirstInBatch(const char* field) : field_(field) {}
  void check(std::string_view id, size_t index) {
    const auto [it, inserted] = first_.try_emplace(id, index);
    if (!inserted) {
      throw Error::invalid_argument(
          fmt::format("record {}: field '{}': duplicate {} '{}' in this batch (first in record "
                      "{}); nothing in this batch was stored",
                      index, field_, field_, id, it->second));
    }
  }

 private:
  const char* field_;
  std::unordered_map<std::string_view, size_t> first_;
};

}  // namespace

IngestResult Engine::ingest_customers(std::span<const CustomerDetails> batch) {
  State& s = *state_;
  std::vector<std::string> attributes(batch.size());
  FirstInBatch ids("customer_id");
  for (size_t i = 0; i < batch.size(); ++i) {
    const CustomerDetails& c = batch[i];
    validate_customer(c, i, attributes[i]);
    ids.check(c.customer_id, i);
    // The sector selects the plugin that normalizes and values the
    // customer: one no loaded plugin serves would do neither, silently.
    if (!c.sector.empty() && !s.plugins.has_sector(c.sector)) {
      const std::vector<std::string> loaded = plugin_ids();
      throw Error::invalid_argument(fmt::format(
          "record {}: field 'sector': no loaded plugin serves sector '{}' (loaded: {}); install "
          "its plugin or add its directory to the engine's plugin_dirs; nothing in this batch "
          "was stored",
          i, c.sector,
          loaded.empty() ? std::string("none") : fmt::format("{}", fmt::join(loaded, ", "))));
    }
  }
  std::lock_guard write(s.write_mutex);
  IngestResult result;
  std::vector<std::pair<size_t, int64_t>> created;  // (record, customers.id)
  std::vector<std::pair<size_t, size_t>> sectored;  // (record, book index) given a sector
  try {
    SQLite::Transaction tx(*s.db);
    sqlite3* const db = s.db->getHandle();
    CustomerWriter writer(db);
    for (size_t i = 0; i < batch.size(); ++i) {
      const CustomerDetails& c = batch[i];
      CustomerRecord record;
      record.external_id = c.customer_id;
      record.sector = c.sector;
      record.segment = c.segment;
      record.region = c.region;
      record.acquired_at = c.acquired_at;
      record.attributes_json = attributes[i];
      switch (writer.write(record)) {
        case CustomerWrite::kInserted:
          ++result.inserted;
          created.emplace_back(i, writer.last_inserted_id());
          break;
        case CustomerWrite::kUpdated:
          ++result.updated;
          // The stored sector is filled in only where it was empty.
          if (const int64_t index = s.book.find(c.customer_id);
              index >= 0 && !c.sector.empty() &&
              s.book.at(static_cast<size_t>(index)).sector.empty()) {
            sectored.emplace_back(i, static_cast<size_t>(index));
          }
          break;
        case CustomerWrite::kUnchanged:
          ++result.duplicates;
          break;
      }
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw Error::io(
        fmt::format("storing the customer batch failed (nothing stored): {}", e.what()));
  }
  std::lock_guard lock(s.mutex);
  for (const auto& [i, row] : created) {
    s.book.add(batch[i].customer_id, row, batch[i].sector);
  }
  for (const auto& [i, index] : sectored) s.book.at(index).sector = batch[i].sector;
  return result;
}

IngestResult Engine::ingest_employees(std::span<const EmployeeDetails> batch) {
  FirstInBatch ids("employee_id");
  for (size_t i = 0; i < batch.size(); ++i) {
    validate_employee(batch[i], i);
    ids.check(batch[i].employee_id, i);
  }
  State& s = *state_;
  std::lock_guard write(s.write_mutex);
  IngestResult result;
  try {
    SQLite::Transaction tx(*s.db);
    EmployeeWriter writer(s.db->getHandle());
    for (const EmployeeDetails& e : batch) {
      EmployeeRecord record;
      record.external_id = e.employee_id;
      record.role = e.role;
      record.location = e.location;
      const std::optional<double> scores[6] = {e.trust,      e.tact,  e.empathy,
                                               e.conformity, e.focus, e.flexibility};
      std::copy(std::begin(scores), std::end(scores), std::begin(record.scores));
      ++(writer.insert(record) ? result.inserted : result.duplicates);
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw Error::io(
        fmt::format("storing the employee batch failed (nothing stored): {}", e.what()));
  }
  return result;
}

RunInfo Engine::refit() {
  State& s = *state_;
  const EngineOptions& o = s.options;
  // Snapshot the data with the writer lock held, so the stored run names
  // exactly the rows it was fitted on; fit without any lock.
  RfmData data;
  std::vector<size_t> members;
  RunInfo run;
  {
    std::lock_guard write(s.write_mutex);
    s.flush_locked();
    std::lock_guard lock(s.mutex);
    run.observation_end_day = s.observation_end();
    run.max_transaction_row = engine_tables::max_transaction_row(*s.db);
    run.n_transactions = s.transactions;
    for (size_t i = 0; i < s.book.size(); ++i) {
      const CustomerPurchases& c = s.book.at(i);
      if (c.days.empty() || c.days.front().day > run.observation_end_day) continue;
      const DaySummary d = summarize_days(c.days, run.observation_end_day);
      members.push_back(i);
      data.x.push_back(d.x);
      data.t_x.push_back(d.t_x_days / o.time_unit.days);
      data.T.push_back(d.T_days / o.time_unit.days);
      data.monetary.push_back(d.monetary);
    }
  }
  if (members.empty()) {
    throw Error::invalid_argument("no customer has a purchase yet: ingest transactions first");
  }
  run.n_customers = members.size();
  FitOptions fo;
  fo.threads = o.fit_threads;
  const std::vector<double> monetary = std::move(data.monetary);
  data.monetary.clear();
  const FitResult count = fit_model(o.count_model, data, fo, o.time_unit);
  run.count_model = count.model;
  run.count_fit_json = fit_result_to_json_text(count);
  if (o.fit_spend_model) {
    RfmData spenders;
    for (size_t k = 0; k < data.size(); ++k) {
      if (data.x[k] > 0 && monetary[k] > 0) {
        spenders.x.push_back(data.x[k]);
        spenders.t_x.push_back(data.t_x[k]);
        spenders.T.push_back(data.T[k]);
        spenders.monetary.push_back(monetary[k]);
      }
    }
    // Too few repeat buyers cannot identify three parameters: no CLV then.
    // A spend model that does not converge leaves the run without CLV
    // (clv null) instead of failing the purchase model's refit.
    if (spenders.size() >= 10) {
      try {
        run.spend_fit_json = fit_result_to_json_text(fit_model("gg", spenders, fo, o.time_unit));
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kNotConverged) throw;
      }
    }
  }
  run.created_at = now_seconds();
  auto model = std::const_pointer_cast<FittedModel>(build_model(run));

  std::lock_guard write(s.write_mutex);
  try {
    SQLite::Transaction tx(*s.db);
    const FitResult count_fit = fit_result_from_json_text(run.count_fit_json);
    std::vector<engine_tables::RunParameter> parameters;
    auto add_params = [&parameters](const FitResult& fit, const std::string& prefix) {
      for (size_t i = 0; i < fit.params.size(); ++i) {
        parameters.push_back({prefix + fit.param_names[i], fit.params[i],
                              i < fit.std_errors.size() ? fit.std_errors[i] : 0.0});
      }
    };
    add_params(count_fit, "");
    if (!run.spend_fit_json.empty()) {
      add_params(fit_result_from_json_text(run.spend_fit_json), "gg.");
    }
    auto optional_json = [](const std::optional<double>& v) {
      return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    const nlohmann::json options = {{"time_unit", o.time_unit.name},
                                    {"time_unit_days", o.time_unit.days},
                                    {"horizon", o.horizon},
                                    {"margin", optional_json(o.margin)},
                                    {"annual_discount_rate", optional_json(o.annual_discount_rate)},
                                    {"cost_to_serve", optional_json(o.cost_to_serve)},
                                    {"referral_value", optional_json(o.referral_value)}};
    run.id = engine_tables::insert_run(*s.db, run, o.horizon, count_fit.log_likelihood, options,
                                       parameters);
    model->run.id = run.id;
    // The run's own scores, on the snapshot it was fitted on.
    engine_tables::RunScoreWriter scores(*s.db, run.id);
    for (size_t k = 0; k < members.size(); ++k) {
      const Valuation& v = s.valuation_of(s.book.at(members[k]).sector);
      std::optional<double> spend;
      if (model->spend) {
        spend = gg_conditional_expected_spend(*model->spend, data.x[k], monetary[k]);
      }
      const CustomerValue value =
          value_customer(*model->scorer, data.x[k], data.t_x[k], data.T[k], spend, v.prepared);
      // Row ids never change and only writers (we) add customers.
      scores.add(s.book.at(members[k]).row_id, data.x[k], data.t_x[k], data.T[k], value.p_alive,
                 value.expected_purchases, value.clv);
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("storing the model run failed: {}", e.what()));
  }
  std::unique_lock lock(s.mutex);
  s.model = model;
  return run;
}

CustomerScore Engine::score(std::string_view customer_id) const {
  const State& s = *state_;
  std::unique_lock lock(s.mutex);
  const int64_t index = s.book.find(customer_id);
  if (index < 0) {
    throw Error::not_found(fmt::format("unknown customer '{}'", customer_id));
  }
  const auto model = s.require_model();
  const State::Snapshot snap = s.snapshot(s.book.at(static_cast<size_t>(index)));
  lock.unlock();
  return s.score_one(snap, *model);
}

std::vector<CustomerScore> Engine::score_many(std::span<const std::string> customer_ids) const {
  const State& s = *state_;
  std::unique_lock lock(s.mutex);
  for (const std::string& id : customer_ids) {
    if (s.book.find(id) < 0) throw Error::not_found(fmt::format("unknown customer '{}'", id));
  }
  const auto model = s.require_model();
  std::vector<State::Snapshot> snaps;
  snaps.reserve(customer_ids.size());
  for (const std::string& id : customer_ids) {
    const int64_t index = s.book.find(id);
    snaps.push_back(s.snapshot(s.book.at(static_cast<size_t>(index))));
  }
  lock.unlock();
  std::vector<CustomerScore> out;
  out.reserve(snaps.size());
  for (const auto& snap : snaps) out.push_back(s.score_one(snap, *model));
  return out;
}

std::vector<CustomerScore> Engine::top_at_risk(size_t limit) const {
  const State& s = *state_;
  std::unique_lock lock(s.mutex);
  const auto model = s.require_model();
  const int64_t end = s.observation_end();
  std::vector<std::pair<size_t, DaySummary>> summaries;
  summaries.reserve(s.scorable);
  for (size_t i = 0; i < s.book.size(); ++i) {
    const CustomerPurchases& c = s.book.at(i);
    if (c.days.empty() || c.days.front().day > end) continue;
    summaries.emplace_back(i, summarize_days(c.days, end));
  }
  lock.unlock();
  const double unit = s.options.time_unit.days;
  std::vector<std::pair<double, size_t>> risk;
  risk.reserve(summaries.size());
  for (const auto& [i, d] : summaries) {
    const double p = model->scorer->p_alive(d.x, d.t_x_days / unit, d.T_days / unit);
    risk.emplace_back((1 - p) * d.total_value, i);
  }
  limit = std::min(limit, risk.size());
  std::partial_sort(risk.begin(), risk.begin() + static_cast<ptrdiff_t>(limit), risk.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<State::Snapshot> snaps;
  lock.lock();
  for (size_t k = 0; k < limit; ++k) snaps.push_back(s.snapshot(s.book.at(risk[k].second)));
  lock.unlock();
  std::vector<CustomerScore> out;
  out.reserve(limit);
  for (const auto& snap : snaps) out.push_back(s.score_one(snap, *model));
  return out;
}

std::optional<RunInfo> Engine::current_run() const {
  std::lock_guard lock(state_->mutex);
  if (!state_->model) return std::nullopt;
  return state_->model->run;
}

std::vector<RunInfo> Engine::runs() const {
  return state_->with_reader([](SQLite::Database& db) { return engine_tables::runs(db); });
}

RunInfo Engine::run(int64_t id) const {
  return state_->with_reader([id](SQLite::Database& db) {
    std::optional<RunInfo> r = engine_tables::run(db, id);
    if (!r) throw Error::not_found(fmt::format("no model run with id {}", id));
    return *r;
  });
}

CustomerChurnRisk Engine::churn_risk(std::string_view customer_id) const {
  const State& s = *state_;
  CustomerChurnRisk out = s.with_reader(
      [customer_id](SQLite::Database& db) { return latest_churn_risk(db, customer_id); });
  std::unique_lock lock(s.mutex);
  const int64_t index = s.book.find(customer_id);
  if (!s.model || index < 0) return out;
  const CustomerPurchases& c = s.book.at(static_cast<size_t>(index));
  if (c.days.empty() || c.days.front().day > s.observation_end()) return out;
  const auto model = s.model;
  const State::Snapshot snap = s.snapshot(c);
  lock.unlock();
  out.engine_score = s.score_one(snap, *model);
  return out;
}

WhatIfResult Engine::what_if(const EngineWhatIf& request) const {
  const State& s = *state_;
  const EngineOptions& o = s.options;
  if (request.draws < 0 || request.draws > kMaxWhatIfDraws) {
    throw Error::invalid_argument(
        fmt::format("draws must be in 0..{} (0 = point estimates only)", kMaxWhatIfDraws));
  }
  WhatIfInputs in;
  std::vector<std::string> sectors;
  std::vector<int64_t> rows;
  std::shared_ptr<const FittedModel> model;
  {
    std::lock_guard lock(s.mutex);
    model = s.require_model();
    const int64_t end = s.observation_end();
    const double unit = o.time_unit.days;
    in.data.customer_id.reserve(s.scorable);
    for (const CustomerPurchases& c : s.book.all()) {
      if (c.days.empty() || c.days.front().day > end) continue;
      if (!request.sector.empty() && c.sector != request.sector) continue;
      const DaySummary d = summarize_days(c.days, end);
      sectors.push_back(c.sector);
      in.data.customer_id.push_back(c.external_id);
      in.data.x.push_back(d.x);
      in.data.t_x.push_back(d.t_x_days / unit);
      in.data.T.push_back(d.T_days / unit);
      in.data.monetary.push_back(d.monetary);
      rows.push_back(c.row_id);
    }
  }
  if (model->run.spend_fit_json.empty()) {
    throw MissingRunError(fmt::format(
        "run {} has no spend model (fewer than 10 repeat buyers, or Gamma-Gamma did not "
        "converge); what-if values customers with it: ingest more data and refit",
        model->run.id));
  }
  in.count_model = fit_result_from_json_text(model->run.count_fit_json);
  in.spend_model = fit_result_from_json_text(model->run.spend_fit_json);
  if (in.data.size() == 0) {
    throw Error::invalid_argument(
        fmt::format("no scorable customer in sector '{}'", request.sector));
  }
  EconomicsOverrides overrides = overrides_of(o);
  if (request.margin) overrides.margin = request.margin;
  if (request.annual_discount_rate) overrides.annual_discount_rate = request.annual_discount_rate;
  const SectorEconomicsUsed economics = apply_whatif_economics(in, &s.plugins, sectors, overrides);
  in.run.horizon = request.horizon.value_or(o.horizon);
  in.scenarios = request.scenarios;
  if (!request.covariate_fit.empty()) {
    attach_covariate_fit(in, request.covariate_fit, "the request's covariate_fit", s.path);
  }
  in.request_body = true;  // messages name the body's fields, not a file's [run]
  ScenarioFile file;
  file.path = "what-if body";
  file.request_body = true;
  file.scenarios = request.scenarios;
  in.plugin_effects = resolve_plugin_levers(file, s.plugins);
  in.attributes =
      s.with_reader([&rows](SQLite::Database& db) { return customer_attributes(db, rows); });
  WhatIfOptions wo;
  wo.draws = request.draws;
  wo.seed = request.seed;
  wo.threads = o.fit_threads;
  WhatIfResult result = run_whatif(in, wo);
  result.notes.push_back(fmt::format("economics: {}", economics.source));
  return result;
}

namespace {

// The churn and service code opens the database by its path.
void require_file(const std::string& path, const char* what) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    throw Error::invalid_argument(fmt::format(
        "{} needs the engine's database in a file; this engine's database is '{}' (in memory or "
        "a URI): open the engine on a file path",
        what, path));
  }
}

}  // namespace

ChurnFitResult Engine::churn_fit(const ChurnFitRequest& request) {
  State& s = *state_;
  const EngineOptions& o = s.options;
  require_file(s.path, "a churn fit");
  if (!request.summary_path.empty()) {
    throw Error::invalid_argument(
        "the engine fits churn on its own database; a summary file is read by `clv churn "
        "--summary` only");
  }
  ChurnFitRequest r = request;
  r.plugin_dirs = o.plugin_dirs;
  r.use_plugins = o.use_plugins;
  r.threads = o.fit_threads;
  r.default_unit = o.time_unit;
  std::lock_guard write(s.write_mutex);
  s.flush_locked();
  if (!r.calibration_end_day) {
    std::lock_guard lock(s.mutex);
    if (o.observation_end_day || s.scorable > 0) r.calibration_end_day = s.observation_end();
  }
  return run_churn(s.path, r);
}

ServiceReport Engine::service_report(const ServiceReportRequest& request) {
  State& s = *state_;
  require_file(s.path, "a service report");
  std::lock_guard write(s.write_mutex);
  s.flush_locked();
  if (request.run == 0 && !has_stored_covariate_fit(s.path)) {
    throw MissingRunError(
        "no covariate fit run yet: fit churn with covariates first (POST /v1/churn/fit with "
        "\"covariates\", clv_churn_fit_json, or clv fit --db --covariates)");
  }
  ServiceReportRequest with_plugins = request;
  if (!with_plugins.plugins) with_plugins.plugins = &s.plugins;  // sector referral values
  return run_service_report(s.path, with_plugins);
}

PgPipelineOptions Engine::pg_run_defaults() const {
  const EngineOptions& o = state_->options;
  PgPipelineOptions p;
  p.count_model = o.count_model;
  p.fit_spend_model = o.fit_spend_model;
  p.period.unit = o.time_unit;
  if (o.observation_end_day) p.period.calibration_end_day = *o.observation_end_day;
  p.score.horizon = o.horizon;
  p.score.margin = o.margin.value_or(1.0);
  p.score.annual_discount_rate = o.annual_discount_rate.value_or(0.0);
  p.fit_threads = o.fit_threads;
  return p;
}

const PgMapping& Engine::pg_mapping() const {
  return state_->pg_mapping;
}

PgPipelineResult Engine::pg_run(const PgPipelineOptions& request) const {
  const State& s = *state_;
  if (s.options.pg_source.empty()) {
    throw Error::invalid_argument(
        "this engine has no PostgreSQL source: open it with the options pg_source (a connection "
        "string) and pg_mapping (a mapping file), e.g. clv serve --pg-source-file FILE "
        "--pg-mapping FILE");
  }
  std::lock_guard lock(s.pg_mutex);
  return run_pg_pipeline(s.options.pg_source, s.pg_mapping, request);
}

EngineStats Engine::stats() const {
  const State& s = *state_;
  std::lock_guard lock(s.mutex);
  EngineStats st;
  st.customers = s.book.size();
  if (s.scorable) {
    const FitPopulation population = fit_population(s.book.all(), s.observation_end());
    st.customers_with_purchases = population.with_purchases;
    st.scorable_customers = population.scorable;
    st.customers_in_fit = population.in_fit;
  }
  st.transactions = s.transactions;
  st.incidents = s.incidents;
  if (s.model) st.run_id = s.model->run.id;
  st.observation_end_day = s.scorable ? s.observation_end() : 0;
  return st;
}

}  // namespace clv
