#include "clv/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <unordered_map>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "domain/calendar.hpp"
#include "engine/churn_lookup.hpp"
#include "engine/customer_book.hpp"
#include "engine/engine_file_lock.hpp"
#include "engine/pending_transactions.hpp"
#include "engine/record_validation.hpp"
#include "models/clv_valuation.hpp"
#include "models/gamma_gamma.hpp"
#include "models/model_registry.hpp"
#include "store/database.hpp"

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
  if (!(o.margin > 0) || !std::isfinite(o.margin)) {
    throw Error::invalid_argument("margin must be a positive share of spend, e.g. 0.3");
  }
  if (!(o.annual_discount_rate >= 0) || !std::isfinite(o.annual_discount_rate)) {
    throw Error::invalid_argument("annual_discount_rate must be >= 0, e.g. 0.1 for 10%");
  }
}

// Engine runs live in churn's `runs` table (migration 2) as kind 'fit',
// source 'engine', with what identifies the data and fit in `details`.
RunInfo read_run(SQLite::Statement& q) {
  RunInfo r;
  r.id = q.getColumn(0).getInt64();
  r.created_at = q.getColumn(1).getInt64();
  r.count_model = q.getColumn(2).getString();
  const nlohmann::json d = nlohmann::json::parse(q.getColumn(3).getString());
  r.count_fit_json = d.at("count_fit").dump();
  r.spend_fit_json = d.at("spend_fit").is_null() ? "" : d.at("spend_fit").dump();
  r.observation_end_day = d.at("observation_end_day").get<int64_t>();
  r.n_customers = d.at("n_customers").get<size_t>();
  r.n_transactions = d.at("n_transactions").get<size_t>();
  r.max_transaction_row = d.at("max_transaction_row").get<int64_t>();
  return r;
}

constexpr int kMaxWhatIfDraws = 1000;

constexpr const char* kRunColumns = "id, created_at, model, details";
constexpr const char* kEngineRuns = "kind = 'fit' AND source = 'engine'";

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

  Ref resolve(const CustomerBook& book, SQLite::Database& db, SQLite::Statement& insert,
              const std::string& external_id) {
    if (const int64_t index = book.find(external_id); index >= 0) {
      return {index, book.at(static_cast<size_t>(index)).row_id};
    }
    if (auto it = number_.find(external_id); it != number_.end()) {
      return {-static_cast<int64_t>(it->second) - 1, created_[it->second].second};
    }
    insert.bindNoCopy(1, external_id);
    insert.exec();
    insert.reset();
    const int64_t row = db.getLastInsertRowid();
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

struct Engine::State {
  EngineOptions options;
  EngineFileLock file_lock;
  double discount_delta = 0;
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
  };

  // Caller holds `mutex`.
  Snapshot snapshot(const CustomerHistory& c) const {
    const int64_t end = observation_end();
    if (c.days.empty() || c.days.front().day > end) {
      throw Error::not_found(fmt::format(
          "customer '{}' has no purchase up to the observation end yet; it is scored after its "
          "first purchase",
          c.external_id));
    }
    return {c.external_id, summarize_days(c.days, end), c.incidents};
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
    out.p_alive = m.scorer->p_alive(out.frequency, out.recency, out.T);
    out.expected_purchases =
        out.p_alive * m.scorer->expected_purchases_if_alive(out.frequency, out.T, options.horizon);
    if (m.spend) {
      const double spend = gg_conditional_expected_spend(*m.spend, out.frequency, out.monetary);
      out.expected_spend = spend;
      out.clv = options.margin * spend * out.p_alive *
                m.scorer->discounted_purchases_if_alive(out.frequency, out.T, options.horizon,
                                                        discount_delta);
    }
    if (!std::isfinite(out.p_alive) || !std::isfinite(out.expected_purchases) ||
        (out.clv && !std::isfinite(*out.clv))) {
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

const EngineOptions& Engine::options() const {
  return state_->options;
}

std::unique_ptr<Engine> Engine::open(const std::string& path, const EngineOptions& options) {
  validate_options(options);
  auto s = std::make_unique<State>();
  s->options = options;
  s->discount_delta = discount_per_unit(options.annual_discount_rate, options.time_unit);
  // Each connection is only used under its own mutex (write_mutex, read_mutex).
  s->file_lock = EngineFileLock::acquire(path);
  s->db = open_database(path, true);
  if (!path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0) {
    s->read_db = open_database(path, true);
  }
  // Ingest inserts land on random pages of the per-customer index; with
  // SQLite's default 2 MB cache each batch re-reads them from the OS.
  for (SQLite::Database* db : {s->db.get(), s->read_db.get()}) {
    if (!db) continue;
    db->exec("PRAGMA cache_size = -65536");  // KiB: 64 MB per connection
    db->exec("PRAGMA mmap_size = 268435456");
  }
  // Each batch dirties pages all over that index; checkpointing every 1000
  // WAL pages (the default) copied them back after nearly every batch. A
  // larger WAL lets a page changed by many batches be copied once.
  s->db->exec("PRAGMA wal_autocheckpoint = 16384");  // pages: 64 MB
  try {
    // Acknowledged rows of an engine that did not close (killed, crashed).
    s->pending.add_leftovers(static_cast<size_t>(
        s->db->execAndGet("SELECT count(*) FROM transactions_pending").getInt64()));
    s->pending.merge(*s->db);
    std::unordered_map<int64_t, size_t> by_row;
    SQLite::Statement customers(*s->db, "SELECT id, external_id FROM customers ORDER BY id");
    while (customers.executeStep()) {
      const int64_t row = customers.getColumn(0).getInt64();
      by_row.emplace(row, s->book.add(customers.getColumn(1).getString(), row));
    }
    SQLite::Statement purchases(
        *s->db, "SELECT customer_id, ts, amount_minor FROM transactions WHERE kind = 'purchase'");
    while (purchases.executeStep()) {
      CustomerHistory& c = s->book.at(by_row.at(purchases.getColumn(0).getInt64()));
      const int64_t day = day_of(purchases.getColumn(1).getInt64());
      c.add_purchase(static_cast<int32_t>(day), purchases.getColumn(2).getInt64());
      s->max_purchase_day = std::max(s->max_purchase_day, day);
    }
    s->transactions =
        static_cast<size_t>(s->db->execAndGet("SELECT COUNT(*) FROM transactions").getInt64());
    SQLite::Statement incidents(*s->db,
                                "SELECT customer_id, COUNT(*) FROM incidents GROUP BY customer_id");
    while (incidents.executeStep()) {
      const size_t n = static_cast<size_t>(incidents.getColumn(1).getInt64());
      s->book.at(by_row.at(incidents.getColumn(0).getInt64())).incidents = n;
      s->incidents += n;
    }
    for (const CustomerHistory& c : s->book.all()) s->scorable += c.days.empty() ? 0 : 1;
    SQLite::Statement latest(
        *s->db, fmt::format("SELECT {} FROM runs WHERE {} ORDER BY id DESC LIMIT 1", kRunColumns,
                            kEngineRuns));
    if (latest.executeStep()) s->model = build_model(read_run(latest));
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("loading database '{}' failed: {}", path, e.what()));
  }
  return std::unique_ptr<Engine>(new Engine(std::move(s)));
}

IngestResult Engine::ingest_transactions(std::span<const TransactionRecord> batch) {
  for (size_t i = 0; i < batch.size(); ++i) validate_transaction(batch[i], i);
  State& s = *state_;
  std::lock_guard write(s.write_mutex);
  IngestResult result;
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
    SQLite::Statement add_customer(*s.db, "INSERT INTO customers (external_id) VALUES (?)");
    // Appended to the pending table (see migration 5); ids are unique across
    // both tables: the pending table's own index, and a probe of the stored.
    SQLite::Statement add(*s.db,
                          "INSERT INTO transactions_pending (external_id, customer_id, ts, "
                          "amount_minor, currency, kind) VALUES (?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT DO NOTHING");
    // Rows without an id cannot conflict: they go kRowsPerInsert to a
    // statement, which saves most of SQLite's per-statement work.
    constexpr size_t kRowsPerInsert = 64;
    std::optional<SQLite::Statement> add_many;
    std::vector<std::pair<size_t, BatchCustomers::Ref>> queued;  // (record, customer)
    auto bind_row = [](SQLite::Statement& q, int first, const TransactionRecord& r, int64_t row) {
      q.bind(first, row);
      q.bind(first + 1, r.timestamp);
      q.bind(first + 2, r.amount_minor);
      q.bindNoCopy(first + 3, r.currency);
      q.bindNoCopy(first + 4, r.kind);
    };
    // A stored row: applied to the book, and kept for the merge.
    auto keep = [&](size_t i, const BatchCustomers::Ref& customer) {
      const TransactionRecord& r = batch[i];
      stored.push_back(i);
      customer_refs.push_back(customer.ref);
      pending_rows.push_back({customer.row, r.timestamp, r.amount_minor, r.currency, r.kind, r.id});
    };
    auto store_queued = [&] {
      if (!add_many) {
        std::string sql =
            "INSERT INTO transactions_pending (customer_id, ts, amount_minor, currency, kind) "
            "VALUES (?, ?, ?, ?, ?)";
        for (size_t k = 1; k < kRowsPerInsert; ++k) sql += ", (?, ?, ?, ?, ?)";
        add_many.emplace(*s.db, sql);
      }
      for (size_t k = 0; k < queued.size(); ++k) {
        bind_row(*add_many, static_cast<int>(k * 5 + 1), batch[queued[k].first],
                 queued[k].second.row);
      }
      add_many->exec();
      add_many->reset();
      for (const auto& [i, customer] : queued) keep(i, customer);
      queued.clear();
    };
    std::optional<SQLite::Statement> stored_id;
    customer_refs.reserve(batch.size());
    stored.reserve(batch.size());
    pending_rows.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      const TransactionRecord& r = batch[i];
      if (i + 8 < batch.size()) s.book.prefetch(batch[i + 8].customer_id);
      if (r.id.empty()) {
        queued.emplace_back(i, customers.resolve(s.book, *s.db, add_customer, r.customer_id));
        if (queued.size() == kRowsPerInsert) store_queued();
        continue;
      }
      if (!stored_id) stored_id.emplace(*s.db, "SELECT 1 FROM transactions WHERE external_id = ?");
      stored_id->bindNoCopy(1, r.id);
      const bool known = stored_id->executeStep();
      stored_id->reset();
      if (known) {
        ++result.duplicates;
        continue;
      }
      const BatchCustomers::Ref customer =
          customers.resolve(s.book, *s.db, add_customer, r.customer_id);
      add.bindNoCopy(1, r.id);
      bind_row(add, 2, r, customer.row);
      const int changed = add.exec();
      add.reset();
      if (changed == 0) {
        ++result.duplicates;
        continue;
      }
      keep(i, customer);
    }
    // The last few without an id, one statement each.
    for (const auto& [i, customer] : queued) {
      add.bind(1);
      bind_row(add, 2, batch[i], customer.row);
      add.exec();
      add.reset();
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
      add_purchase_day(t.days, static_cast<int32_t>(day), r.amount_minor);
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
    SQLite::Statement add_customer(*s.db, "INSERT INTO customers (external_id) VALUES (?)");
    SQLite::Statement add(*s.db,
                          "INSERT INTO incidents (external_id, customer_id, opened_at, "
                          "resolved_at, severity, satisfaction, category, channel, outcome) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    for (const IncidentRecord& r : batch) {
      const BatchCustomers::Ref customer =
          customers.resolve(s.book, *s.db, add_customer, r.customer_id);
      auto bind_text = [&add](int col, const std::string& v) {
        if (v.empty()) {
          add.bind(col);
        } else {
          add.bindNoCopy(col, v);
        }
      };
      bind_text(1, r.id);
      add.bind(2, customer.row);
      add.bind(3, r.opened_at);
      if (r.resolved_at)
        add.bind(4, *r.resolved_at);
      else
        add.bind(4);
      if (r.severity)
        add.bind(5, *r.severity);
      else
        add.bind(5);
      if (r.satisfaction)
        add.bind(6, *r.satisfaction);
      else
        add.bind(6);
      bind_text(7, r.category);
      bind_text(8, r.channel);
      bind_text(9, r.outcome);
      const int changed = add.exec();
      add.reset();
      if (changed == 0) {
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
    run.max_transaction_row =
        s.db->execAndGet("SELECT COALESCE(MAX(id), 0) FROM transactions").getInt64();
    run.n_transactions = s.transactions;
    for (size_t i = 0; i < s.book.size(); ++i) {
      const CustomerHistory& c = s.book.at(i);
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
    SQLite::Statement add_run(*s.db,
                              "INSERT INTO runs (kind, model, created_at, source, horizon, "
                              "log_likelihood, details) VALUES ('fit', ?, ?, 'engine', ?, ?, ?)");
    const FitResult count_fit = fit_result_from_json_text(run.count_fit_json);
    nlohmann::json details = {
        {"count_fit", nlohmann::json::parse(run.count_fit_json)},
        {"spend_fit", run.spend_fit_json.empty() ? nlohmann::json(nullptr)
                                                 : nlohmann::json::parse(run.spend_fit_json)},
        {"observation_end_day", run.observation_end_day},
        {"n_customers", run.n_customers},
        {"n_transactions", run.n_transactions},
        {"max_transaction_row", run.max_transaction_row},
        {"options",
         {{"time_unit", o.time_unit.name},
          {"time_unit_days", o.time_unit.days},
          {"horizon", o.horizon},
          {"margin", o.margin},
          {"annual_discount_rate", o.annual_discount_rate}}}};
    add_run.bind(1, run.count_model);
    add_run.bind(2, run.created_at);
    add_run.bind(3, o.horizon);
    add_run.bind(4, count_fit.log_likelihood);
    add_run.bind(5, details.dump());
    add_run.exec();
    run.id = s.db->getLastInsertRowid();
    model->run.id = run.id;
    SQLite::Statement add_param(
        *s.db,
        "INSERT INTO run_parameters (run_id, name, estimate, std_error) VALUES (?, ?, ?, ?)");
    auto store_params = [&](const FitResult& fit, const std::string& prefix) {
      for (size_t i = 0; i < fit.params.size(); ++i) {
        add_param.bind(1, run.id);
        add_param.bind(2, prefix + fit.param_names[i]);
        add_param.bind(3, fit.params[i]);
        add_param.bind(4, i < fit.std_errors.size() ? fit.std_errors[i] : 0.0);
        add_param.exec();
        add_param.reset();
      }
    };
    store_params(count_fit, "");
    if (!run.spend_fit_json.empty()) {
      store_params(fit_result_from_json_text(run.spend_fit_json), "gg.");
    }
    // The run's own scores, on the snapshot it was fitted on.
    SQLite::Statement add_score(*s.db,
                                "INSERT INTO run_scores (run_id, customer_id, frequency, "
                                "recency, T, p_alive, expected_purchases, clv) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    const double delta = s.discount_delta;
    for (size_t k = 0; k < members.size(); ++k) {
      const double p = model->scorer->p_alive(data.x[k], data.t_x[k], data.T[k]);
      const double e =
          p * model->scorer->expected_purchases_if_alive(data.x[k], data.T[k], o.horizon);
      // Row ids never change and only writers (we) add customers.
      const int64_t row = s.book.at(members[k]).row_id;
      add_score.bind(1, run.id);
      add_score.bind(2, row);
      add_score.bind(3, data.x[k]);
      add_score.bind(4, data.t_x[k]);
      add_score.bind(5, data.T[k]);
      add_score.bind(6, p);
      add_score.bind(7, e);
      if (model->spend) {
        add_score.bind(
            8, o.margin * gg_conditional_expected_spend(*model->spend, data.x[k], monetary[k]) * p *
                   model->scorer->discounted_purchases_if_alive(data.x[k], data.T[k], o.horizon,
                                                                delta));
      } else {
        add_score.bind(8);
      }
      add_score.exec();
      add_score.reset();
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
    const CustomerHistory& c = s.book.at(i);
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
  return state_->with_reader([](SQLite::Database& db) {
    std::vector<RunInfo> out;
    SQLite::Statement q(
        db, fmt::format("SELECT {} FROM runs WHERE {} ORDER BY id DESC", kRunColumns, kEngineRuns));
    while (q.executeStep()) out.push_back(read_run(q));
    return out;
  });
}

RunInfo Engine::run(int64_t id) const {
  return state_->with_reader([id](SQLite::Database& db) {
    SQLite::Statement q(
        db, fmt::format("SELECT {} FROM runs WHERE id = ? AND {}", kRunColumns, kEngineRuns));
    q.bind(1, id);
    if (!q.executeStep()) throw Error::not_found(fmt::format("no model run with id {}", id));
    return read_run(q);
  });
}

CustomerChurnRisk Engine::churn_risk(std::string_view customer_id) const {
  const State& s = *state_;
  CustomerChurnRisk out = s.with_reader(
      [customer_id](SQLite::Database& db) { return latest_churn_risk(db, customer_id); });
  std::unique_lock lock(s.mutex);
  const int64_t index = s.book.find(customer_id);
  if (!s.model || index < 0) return out;
  const CustomerHistory& c = s.book.at(static_cast<size_t>(index));
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
  for (const Scenario& sc : request.scenarios) {
    if (!sc.plugin_levers.empty()) {
      throw Error::invalid_argument(fmt::format(
          "scenario '{}' uses a plugin lever; plugin levers need the plugin registry: run it "
          "with `clv whatif --plugin-dir`",
          sc.name));
    }
  }
  WhatIfInputs in;
  std::vector<int64_t> rows;
  std::shared_ptr<const FittedModel> model;
  {
    std::lock_guard lock(s.mutex);
    model = s.require_model();
    const int64_t end = s.observation_end();
    const double unit = o.time_unit.days;
    in.data.customer_id.reserve(s.scorable);
    for (const CustomerHistory& c : s.book.all()) {
      if (c.days.empty() || c.days.front().day > end) continue;
      const DaySummary d = summarize_days(c.days, end);
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
  in.run.horizon = request.horizon.value_or(o.horizon);
  in.run.margin = request.margin.value_or(o.margin);
  in.run.annual_discount_rate = request.annual_discount_rate.value_or(o.annual_discount_rate);
  in.scenarios = request.scenarios;
  in.attributes =
      s.with_reader([&rows](SQLite::Database& db) { return customer_attributes(db, rows); });
  WhatIfOptions wo;
  wo.draws = request.draws;
  wo.seed = request.seed;
  wo.threads = o.fit_threads;
  return run_whatif(in, wo);
}

EngineStats Engine::stats() const {
  const State& s = *state_;
  std::lock_guard lock(s.mutex);
  EngineStats st;
  st.customers = s.book.size();
  st.scorable_customers = s.scorable;
  st.transactions = s.transactions;
  st.incidents = s.incidents;
  if (s.model) st.run_id = s.model->run.id;
  st.observation_end_day = s.scorable ? s.observation_end() : 0;
  return st;
}

}  // namespace clv
