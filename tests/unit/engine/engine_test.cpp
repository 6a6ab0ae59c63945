// clv::Engine end to end on the CDNOW sample: the fit through ingest matches
// the published BG/NBD and Gamma-Gamma estimates, incremental updates agree
// with the batch scoring API, runs persist, bad batches change nothing.
#include "clv/engine.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"
#include "clv/sector_economics.hpp"
#include "domain/calendar.hpp"
#include "engine/engine_json.hpp"
#include "engine/fast_transaction_json.hpp"

namespace clv {
namespace {

TransactionRecord purchase(std::string customer, int64_t ts, int64_t amount_minor,
                           std::string id = "") {
  TransactionRecord t;
  t.customer_id = std::move(customer);
  t.timestamp = ts;
  t.amount_minor = amount_minor;
  t.id = std::move(id);
  return t;
}

std::vector<TransactionRecord> read_cdnow_sample() {
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) + "/cdnow/CDNOW_sample.txt");
  EXPECT_TRUE(in.good());
  std::vector<TransactionRecord> out;
  std::string master, sample, date;
  int cds;
  double dollars;
  while (in >> master >> sample >> date >> cds >> dollars) {
    TransactionRecord t;
    t.customer_id = std::to_string(std::stoi(sample));
    const int64_t day = days_from_civil(std::stoi(date.substr(0, 4)),
                                        static_cast<unsigned>(std::stoi(date.substr(4, 2))),
                                        static_cast<unsigned>(std::stoi(date.substr(6, 2))));
    t.timestamp = day * 86400 + 12 * 3600;
    t.amount_minor = std::llround(dollars * 100);
    out.push_back(std::move(t));
  }
  return out;
}

EngineOptions cdnow_options() {
  EngineOptions o;
  o.observation_end_day = days_from_civil(1997, 9, 30);
  o.horizon = 39;
  o.margin = 0.3;
  o.annual_discount_rate = 0.1;
  return o;
}

std::string fresh_db(const std::string& name) {
  const std::string path = testing::TempDir() + "/engine_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

double param(const std::string& fit_json, const std::string& name) {
  const FitResult fit = fit_result_from_json_text(fit_json);
  for (size_t i = 0; i < fit.param_names.size(); ++i) {
    if (fit.param_names[i] == name) return fit.params[i];
  }
  ADD_FAILURE() << "no parameter " << name;
  return 0;
}

void ingest_in_batches(Engine& engine, const std::vector<TransactionRecord>& all, size_t n) {
  for (size_t i = 0; i < all.size(); i += n) {
    const size_t len = std::min(n, all.size() - i);
    engine.ingest_transactions(std::span(all).subspan(i, len));
  }
}

class EngineCdnow : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = new std::string(fresh_db("cdnow"));
    auto engine = Engine::open(*path_, cdnow_options());
    ingest_in_batches(*engine, read_cdnow_sample(), 1000);
    run_ = new RunInfo(engine->refit());
  }
  static void TearDownTestSuite() {
    delete path_;
    delete run_;
  }
  static std::string* path_;
  static RunInfo* run_;
};
std::string* EngineCdnow::path_ = nullptr;
RunInfo* EngineCdnow::run_ = nullptr;

TEST_F(EngineCdnow, RefitReproducesPublishedBgNbdAndGammaGamma) {
  // Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426.
  EXPECT_NEAR(param(run_->count_fit_json, "r"), 0.243, 0.002);
  EXPECT_NEAR(param(run_->count_fit_json, "alpha"), 4.414, 0.01);
  EXPECT_NEAR(param(run_->count_fit_json, "a"), 0.793, 0.003);
  EXPECT_NEAR(param(run_->count_fit_json, "b"), 2.426, 0.01);
  EXPECT_NEAR(fit_result_from_json_text(run_->count_fit_json).log_likelihood, -9582.4, 0.1);
  ASSERT_FALSE(run_->spend_fit_json.empty());
  EXPECT_NEAR(param(run_->spend_fit_json, "p"), 6.25, 0.02);
  EXPECT_NEAR(param(run_->spend_fit_json, "q"), 3.74, 0.02);
  EXPECT_NEAR(param(run_->spend_fit_json, "gamma"), 15.44, 0.1);
  EXPECT_EQ(run_->n_customers, 2357u);
  EXPECT_EQ(run_->n_transactions, 6919u);
  EXPECT_EQ(run_->max_transaction_row, 6919);
}

TEST_F(EngineCdnow, RunAndItsScoresAreStoredAndReloaded) {
  SQLite::Database db(*path_);
  EXPECT_EQ(db.execAndGet("SELECT estimate FROM run_parameters WHERE name = 'gg.q' AND run_id = " +
                          std::to_string(run_->id))
                .getDouble(),
            param(run_->spend_fit_json, "q"));
  EXPECT_EQ(
      db.execAndGet("SELECT COUNT(*) FROM run_scores WHERE run_id = " + std::to_string(run_->id))
          .getInt(),
      2357);
  // Lifetimes' summary: customer 1 has x = 2, t_x = 30.43, T = 38.86.
  auto engine = Engine::open(*path_, cdnow_options());
  ASSERT_TRUE(engine->current_run());
  EXPECT_EQ(engine->current_run()->id, run_->id);
  const CustomerScore s = engine->score("1");
  EXPECT_EQ(s.frequency, 2);
  EXPECT_NEAR(s.recency, 30.43, 0.01);
  EXPECT_NEAR(s.T, 38.86, 0.01);
  EXPECT_EQ(s.run_id, run_->id);
  const double stored = db.execAndGet(
                              "SELECT p_alive FROM run_scores s JOIN customers c ON c.id = "
                              "s.customer_id WHERE c.external_id = '1'")
                            .getDouble();
  EXPECT_DOUBLE_EQ(s.p_alive, stored);
}

// The engine's single-customer path must agree with the batch scoring API.
void expect_matches_batch_api(const CustomerScore& s, const RunInfo& run) {
  RfmData one;
  one.x = {s.frequency};
  one.t_x = {s.recency};
  one.T = {s.T};
  one.monetary = {s.monetary};
  const FitResult count = fit_result_from_json_text(run.count_fit_json);
  const FitResult gg = fit_result_from_json_text(run.spend_fit_json);
  const Scores ref = score(count, one, {39, 0.3, 0.1}, &gg);
  EXPECT_NEAR(s.p_alive, ref.p_alive[0], 1e-12);
  EXPECT_NEAR(s.expected_purchases, ref.expected_purchases[0], 1e-10);
  ASSERT_TRUE(s.clv);
  EXPECT_NEAR(*s.clv, ref.clv[0], 1e-8 * std::max(1.0, ref.clv[0]));
}

TEST_F(EngineCdnow, IngestUpdatesScoresWithoutRefit) {
  const std::string path = fresh_db("incremental");
  std::filesystem::copy_file(*path_, path);
  auto engine = Engine::open(path, cdnow_options());
  const CustomerScore before = engine->score("1");
  expect_matches_batch_api(before, *run_);
  // A purchase on the calibration end day: one more repeat day, recency = T.
  TransactionRecord t = purchase("1", days_from_civil(1997, 9, 30) * 86400 + 3600, 5000);
  const IngestResult r = engine->ingest_transactions(std::span(&t, 1));
  EXPECT_EQ(r.inserted, 1u);
  const CustomerScore after = engine->score("1");
  EXPECT_EQ(after.frequency, before.frequency + 1);
  EXPECT_DOUBLE_EQ(after.recency, after.T);
  EXPECT_EQ(after.run_id, before.run_id);
  EXPECT_GT(after.p_alive, before.p_alive);
  expect_matches_batch_api(after, *run_);
  EXPECT_EQ(engine->runs().size(), 1u);
}

TEST_F(EngineCdnow, TopAtRiskIsOrderedByValueAtRisk) {
  auto engine = Engine::open(*path_, cdnow_options());
  std::vector<std::string> ids;
  for (int i = 1; i <= 2357; ++i) ids.push_back(std::to_string(i));
  double max_risk = 0;
  for (const auto& s : engine->score_many(ids)) {
    max_risk = std::max(max_risk, (1 - s.p_alive) * s.historical_value);
  }
  const auto top = engine->top_at_risk(20);
  ASSERT_EQ(top.size(), 20u);
  EXPECT_DOUBLE_EQ((1 - top[0].p_alive) * top[0].historical_value, max_risk);
  for (size_t k = 1; k < top.size(); ++k) {
    EXPECT_GE((1 - top[k - 1].p_alive) * top[k - 1].historical_value,
              (1 - top[k].p_alive) * top[k].historical_value);
  }
  EXPECT_EQ(engine->top_at_risk(100000).size(), 2357u);
}

TEST(Engine, BadRecordRejectsTheWholeBatch) {
  auto engine = Engine::open(fresh_db("bad"), {});
  std::vector<TransactionRecord> batch = {purchase("a", 1700000000, 100),
                                          purchase("b", 1700000000, 100)};
  batch[1].kind = "gift";
  EXPECT_THROW(
      {
        try {
          engine->ingest_transactions(batch);
        } catch (const Error& e) {
          EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
          EXPECT_NE(std::string(e.what()).find("record 1"), std::string::npos) << e.what();
          throw;
        }
      },
      Error);
  EXPECT_EQ(engine->stats().customers, 0u);
  EXPECT_EQ(engine->stats().transactions, 0u);
  batch[1].kind = "purchase";
  batch[1].timestamp = 1700000000000;  // milliseconds by mistake
  EXPECT_THROW(engine->ingest_transactions(batch), Error);
  EXPECT_EQ(engine->stats().transactions, 0u);
}

TEST(Engine, RepeatedIdsAreDuplicatesAndChangeNothing) {
  const std::string path = fresh_db("dups");
  auto engine = Engine::open(path, {});
  std::vector<TransactionRecord> batch = {purchase("a", 1700000000, 100, "t1"),
                                          purchase("a", 1700090000, 250, "t2")};
  EXPECT_EQ(engine->ingest_transactions(batch).inserted, 2u);
  const IngestResult again = engine->ingest_transactions(batch);
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(again.duplicates, 2u);
  EXPECT_EQ(engine->stats().transactions, 2u);
  IncidentRecord inc;
  inc.customer_id = "a";
  inc.opened_at = 1700000000;
  inc.id = "i1";
  EXPECT_EQ(engine->ingest_incidents(std::span(&inc, 1)).inserted, 1u);
  EXPECT_EQ(engine->ingest_incidents(std::span(&inc, 1)).duplicates, 1u);
  engine.reset();
  auto reopened = Engine::open(path, {});
  EXPECT_EQ(reopened->stats().transactions, 2u);
  EXPECT_EQ(reopened->stats().incidents, 1u);
  EXPECT_EQ(reopened->stats().customers, 1u);
}

int64_t count_rows(const std::string& path, const char* table) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet(fmt::format("SELECT count(*) FROM {}", table)).getInt64();
}

// Live ingest appends to transactions_pending (migration 5); a flush moves the
// rows into `transactions` in index order, and ids stay unique across both.
TEST(Engine, IngestedRowsArePendingUntilAFlushMovesThem) {
  const std::string path = fresh_db("pending");
  auto engine = Engine::open(path, {});
  EXPECT_EQ(engine
                ->ingest_transactions(std::vector{purchase("b", 1700090000, 300, "t1"),
                                                  purchase("a", 1700000000, 100),
                                                  purchase("b", 1700000000, 200)})
                .inserted,
            3u);
  EXPECT_EQ(count_rows(path, "transactions"), 0);
  EXPECT_EQ(count_rows(path, "transactions_pending"), 3);
  // A repeat of a pending id is a duplicate.
  EXPECT_EQ(engine->ingest_transactions(std::vector{purchase("b", 1, 1, "t1")}).duplicates, 1u);
  engine->flush();
  EXPECT_EQ(count_rows(path, "transactions_pending"), 0);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement rows(db,
                           "SELECT c.external_id, t.ts, t.amount_minor, COALESCE(t.external_id, "
                           "'-') FROM transactions t JOIN customers c ON c.id = t.customer_id "
                           "ORDER BY t.id");
    std::string got;
    while (rows.executeStep()) {
      got +=
          fmt::format("{}:{}:{}:{} ", rows.getColumn(0).getString(), rows.getColumn(1).getInt64(),
                      rows.getColumn(2).getInt64(), rows.getColumn(3).getString());
    }
    // Customer b was created first (row 1): its rows move first, by time.
    EXPECT_EQ(got, "b:1700000000:200:- b:1700090000:300:t1 a:1700000000:100:- ");
  }
  // A repeat of a stored id is a duplicate too, and changes nothing.
  const IngestResult again = engine->ingest_transactions(std::vector{purchase("c", 1, 1, "t1")});
  EXPECT_EQ(again.duplicates, 1u);
  EXPECT_EQ(again.new_customers, 0u);
  EXPECT_EQ(engine->stats().transactions, 3u);
  EXPECT_EQ(engine->stats().customers, 2u);
  // Closing flushes.
  engine->ingest_transactions(std::vector{purchase("a", 1700500000, 400)});
  EXPECT_EQ(count_rows(path, "transactions_pending"), 1);
  engine.reset();
  EXPECT_EQ(count_rows(path, "transactions_pending"), 0);
  EXPECT_EQ(count_rows(path, "transactions"), 4);
}

TEST(Engine, AnIngestPastTheMergeMarkMovesThePendingRows) {
  const std::string path = fresh_db("merge_mark");
  EngineOptions o;
  o.merge_pending_rows = 5;
  auto engine = Engine::open(path, o);
  std::vector<TransactionRecord> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(purchase("a", 1700000000 + i * 86400, 100));
  engine->ingest_transactions(batch);
  engine->ingest_transactions(batch);  // 4 pending: below the mark, stays
  EXPECT_EQ(count_rows(path, "transactions_pending"), 8);
  engine->ingest_transactions(batch);  // 8 pending: merged first, then 4 appended
  EXPECT_EQ(count_rows(path, "transactions"), 8);
  EXPECT_EQ(count_rows(path, "transactions_pending"), 4);
  EXPECT_EQ(engine->stats().transactions, 12u);
  // A refit fits on everything and names it: all rows are in `transactions`.
  engine.reset();
  const std::string cdnow = fresh_db("merge_mark_cdnow");
  EngineOptions co = cdnow_options();
  co.merge_pending_rows = 1000;
  engine = Engine::open(cdnow, co);
  const std::vector<TransactionRecord> sample = read_cdnow_sample();
  for (size_t i = 0; i < sample.size(); i += 300) {
    engine->ingest_transactions(
        std::span(sample).subspan(i, std::min<size_t>(300, sample.size() - i)));
    EXPECT_LT(count_rows(cdnow, "transactions_pending"), 1300);
  }
  EXPECT_GT(count_rows(cdnow, "transactions"), 5000);
  const RunInfo run = engine->refit();
  EXPECT_EQ(count_rows(cdnow, "transactions_pending"), 0);
  SQLite::Database db(cdnow, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT max(id) FROM transactions").getInt64(), run.max_transaction_row);
  EXPECT_EQ(static_cast<size_t>(count_rows(cdnow, "transactions")), run.n_transactions);
  EXPECT_EQ(run.n_transactions, sample.size());
}

// Pending rows are one engine's: a second engine on the same file is refused
// (it would merge and delete the first one's rows).
TEST(Engine, OneEnginePerDatabaseFile) {
  const std::string path = fresh_db("one_engine");
  auto first = Engine::open(path, {});
  try {
    Engine::open(path, {});
    FAIL() << "a second engine opened the same database";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("already open"), std::string::npos) << e.what();
  }
  first.reset();
  EXPECT_NO_THROW(Engine::open(path, {}));
}

// An engine that never closes (a killed server) leaves its acknowledged rows
// pending; the next open moves them and counts them.
TEST(Engine, PendingRowsOfAnEngineThatDidNotCloseAreMovedOnOpen) {
  const std::string path = fresh_db("unclosed");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto engine = Engine::open(path, {});
    const bool ok = engine
                        ->ingest_transactions(std::vector{purchase("a", 1700000000, 100),
                                                          purchase("a", 1700090000, 200),
                                                          purchase("b", 1700000000, 300)})
                        .inserted == 3;
    _exit(ok ? 0 : 1);  // no destructor: nothing flushes
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(count_rows(path, "transactions_pending"), 3);
  auto engine = Engine::open(path, {});
  EXPECT_EQ(engine->stats().transactions, 3u);
  EXPECT_EQ(engine->stats().scorable_customers, 2u);
  EXPECT_EQ(count_rows(path, "transactions_pending"), 0);
  EXPECT_EQ(count_rows(path, "transactions"), 3);
}

TEST(Engine, ScoringWithoutRunOrCustomerIsNotFound) {
  auto engine = Engine::open(fresh_db("norun"), {});
  TransactionRecord t = purchase("a", 1700000000, 100);
  engine->ingest_transactions(std::span(&t, 1));
  try {
    engine->score("a");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("refit"), std::string::npos);
  }
  EXPECT_THROW(engine->refit(), Error);  // one customer cannot identify four parameters
}

TEST(Engine, RejectsOptionsThatCannotScore) {
  EngineOptions o;
  o.count_model = "gg";
  EXPECT_THROW(Engine::open(fresh_db("opts"), o), Error);
  o = {};
  o.horizon = -1;
  EXPECT_THROW(Engine::open(fresh_db("opts"), o), Error);
}

// A churn run as `clv churn` stores it (schema of migration 2).
int64_t store_churn_run(const std::string& path, double risk, const std::string& details) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  db.exec(fmt::format(
      "INSERT INTO runs (kind, model, created_at, source, horizon, details) VALUES ('churn', "
      "'pnbd_cov', 1750000000, 'test', 26, '{}')",
      details));
  const int64_t run = db.getLastInsertRowid();
  SQLite::Statement row(db, "INSERT INTO churn_scores VALUES (?, '1', 0.4, ?, 'high', 0.8, ?)");
  row.bind(1, run);
  row.bind(2, risk);
  row.bind(3, R"([{"covariate": "incidents", "effect": 0.12},
                  {"covariate": "satisfaction", "effect": -0.05}])");
  row.exec();
  return run;
}

TEST_F(EngineCdnow, ChurnRiskIsTheLatestChurnRunsRowNextToTheEngineScore) {
  const std::string path = fresh_db("churn");
  std::filesystem::copy_file(*path_, path);
  auto engine = Engine::open(path, cdnow_options());
  EXPECT_THROW(engine->churn_risk("1"), MissingRunError);
  store_churn_run(path, 0.55, "{}");
  const int64_t latest = store_churn_run(path, 0.71, R"({"time_unit": "week"})");
  const CustomerChurnRisk c = engine->churn_risk("1");
  EXPECT_EQ(c.churn_run_id, latest);
  EXPECT_EQ(c.churn_risk, 0.71);
  EXPECT_EQ(c.risk_band, "high");
  EXPECT_EQ(c.horizon, 26);
  EXPECT_EQ(c.time_unit, "week");
  ASSERT_EQ(c.drivers.size(), 2u);
  EXPECT_EQ(c.drivers[0].covariate, "incidents");
  EXPECT_EQ(c.drivers[1].effect, -0.05);
  ASSERT_TRUE(c.engine_score.has_value());
  EXPECT_EQ(c.engine_score->p_alive, engine->score("1").p_alive);
  EXPECT_EQ(c.engine_score->run_id, run_->id);
  // Customer 2 is known to the engine but not scored by the churn run.
  try {
    engine->churn_risk("2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("clv churn"), std::string::npos);
  }
}

TEST_F(EngineCdnow, WhatIfValuesTheCurrentRunLikeScoring) {
  auto engine = Engine::open(*path_, cdnow_options());
  // Independent expectation: every customer's score, and the BG/NBD dropout
  // lever a -> a h applied by rescoring with the batch scoring API.
  std::vector<std::string> ids;
  for (int i = 1; i <= 2357; ++i) ids.push_back(std::to_string(i));
  const auto scores = engine->score_many(ids);
  RfmData data;
  double baseline = 0;
  for (const auto& sc : scores) {
    baseline += *sc.clv;
    data.x.push_back(sc.frequency);
    data.t_x.push_back(sc.recency);
    data.T.push_back(sc.T);
    data.monetary.push_back(sc.monetary);
  }
  const double h = 0.75;
  FitResult count = fit_result_from_json_text(run_->count_fit_json);
  for (size_t i = 0; i < count.param_names.size(); ++i) {
    if (count.param_names[i] == "a") count.params[i] *= h;
  }
  const FitResult spend = fit_result_from_json_text(run_->spend_fit_json);
  const Scores lowered = clv::score(count, data, {39, 0.3, 0.1}, &spend);
  double retained = 0;
  for (double v : lowered.clv) retained += v;

  EngineWhatIf request;
  Scenario offer;
  offer.name = "retain everyone";
  offer.target.all = true;
  offer.retention_offer = RetentionOffer{{h, {}, {}}};
  LeverCost offer_cost;
  offer_cost.lever = "retention_offer";
  offer_cost.per_customer = 2.0;
  offer.costs = {offer_cost};
  request.scenarios = {offer};
  request.draws = 0;
  const WhatIfResult r = engine->what_if(request);
  EXPECT_EQ(r.model, "bgnbd");
  EXPECT_EQ(r.horizon, 39);
  EXPECT_EQ(r.margin, 0.3);
  ASSERT_EQ(r.scenarios.size(), 1u);
  const WhatIfOutcome& t = r.scenarios[0].total;
  EXPECT_EQ(t.targeted, 2357);
  EXPECT_NEAR(t.baseline_clv.value, baseline, 1e-6 * baseline);
  EXPECT_NEAR(t.scenario_clv.value, retained, 1e-6 * retained);
  EXPECT_GT(t.delta_clv.value, 0);
  EXPECT_EQ(t.cost, 2.0 * 2357);
  ASSERT_TRUE(t.net_benefit.has_value());
  EXPECT_DOUBLE_EQ(t.net_benefit->value, t.delta_clv.value - 2.0 * 2357);

  request.draws = 1001;
  EXPECT_THROW(engine->what_if(request), Error);
  request.draws = 0;
  request.scenarios[0].plugin_levers.push_back({"retail", "loyalty", {}, 0, ""});
  EXPECT_THROW(engine->what_if(request), Error);
  auto empty = Engine::open(fresh_db("whatif_norun"), cdnow_options());
  request.scenarios = {offer};
  EXPECT_THROW(empty->what_if(request), MissingRunError);
}

TEST_F(EngineCdnow, DirectScoreJsonIsTheJsonTreesText) {
  auto engine = Engine::open(*path_, cdnow_options());
  for (int id = 1; id <= 300; ++id) {
    const CustomerScore s = engine->score(std::to_string(id));
    // Same keys and bit-identical numbers (digits may differ: fmt writes the
    // shortest round trip, nlohmann's Grisu2 sometimes one digit more).
    ASSERT_EQ(nlohmann::json::parse(score_json_text(s)), to_json(s)) << score_json_text(s);
  }
  CustomerScore odd;
  odd.customer_id = "quote\" and \\ and \n";
  odd.frequency = 1e-7;
  odd.historical_value = 1e17;
  odd.recency = 123456789.5;
  EXPECT_EQ(nlohmann::json::parse(score_json_text(odd)), to_json(odd));
}

// Engine scores (so the C API and HTTP) and clv score (score_by_sector) run
// the one per-customer formula: with cost to serve and a referral value set,
// every customer's CLV is the batch path's to the last bit.
TEST_F(EngineCdnow, ScoresWithSectorEconomicsAreScoreBySectors) {
  EngineOptions o = cdnow_options();
  o.cost_to_serve = 0.05;
  o.referral_value = 4.0;
  auto engine = Engine::open(*path_, o);
  std::vector<std::string> ids;
  for (int i = 1; i <= 2357; ++i) ids.push_back(std::to_string(i));
  const auto scores = engine->score_many(ids);
  RfmData data;
  for (const auto& sc : scores) {
    data.customer_id.push_back(sc.customer_id);
    data.x.push_back(sc.frequency);
    data.t_x.push_back(sc.recency);
    data.T.push_back(sc.T);
    data.monetary.push_back(sc.monetary);
  }
  const FitResult count = fit_result_from_json_text(run_->count_fit_json);
  const FitResult spend = fit_result_from_json_text(run_->spend_fit_json);
  EconomicsOverrides overrides{o.margin, o.annual_discount_rate, o.cost_to_serve, o.referral_value};
  const SectorScores batch = score_by_sector(count, data, std::vector<std::string>(ids.size()), 39,
                                             &spend, overrides, nullptr);
  // Closed form of the economics terms for one customer: CLV with costs and
  // referrals minus CLV without them is referral * P(alive) - cost * P(alive) * A(H).
  const Scores gross = score(count, data, {39, 0.3, 0.1}, &spend);
  const double delta = std::log1p(0.1) * 7.0 / 365.25;
  const double annuity = (1 - std::exp(-delta * 39)) / delta;
  size_t differs = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    ASSERT_TRUE(scores[i].clv);
    EXPECT_EQ(scores[i].p_alive, batch.scores.p_alive[i]);
    EXPECT_EQ(scores[i].expected_purchases, batch.scores.expected_purchases[i]);
    EXPECT_EQ(*scores[i].clv, batch.scores.clv[i]) << "customer " << ids[i];
    const double p = batch.scores.p_alive[i];
    EXPECT_NEAR(batch.scores.clv[i] - gross.clv[i], 4.0 * p - 0.05 * p * annuity, 1e-9);
    differs += batch.scores.clv[i] != gross.clv[i];
  }
  EXPECT_EQ(differs, scores.size());
}

// /v1/health and clv_stats: customers with a purchase, those scored (a
// purchase by the observation end) and those the fit learns from (first
// purchase before the end) come from one count, and the last is what a
// Pareto/NBD refit reports as its number of customers.
TEST(Engine, StatsSeparateCustomersWithPurchasesFromThoseInTheFit) {
  EngineOptions o = cdnow_options();
  o.count_model = "pnbd";
  o.fit_spend_model = false;
  auto engine = Engine::open(fresh_db("population"), o);
  std::vector<TransactionRecord> all = read_cdnow_sample();
  const int64_t end = days_from_civil(1997, 9, 30);
  all.push_back(purchase("on_end_day", end * 86400 + 3600, 1000));
  all.push_back(purchase("after_end", (end + 5) * 86400, 1000));
  all.push_back(purchase("after_end", (end + 9) * 86400, 1000));
  ingest_in_batches(*engine, all, 1000);
  const EngineStats st = engine->stats();
  EXPECT_EQ(st.customers, 2359u);
  EXPECT_EQ(st.customers_with_purchases, 2359u);
  EXPECT_EQ(st.scorable_customers, 2358u);
  EXPECT_EQ(st.customers_in_fit, 2357u);  // the CDNOW cohort, first purchases in Q1 1997
  const nlohmann::json j = to_json(st);
  EXPECT_EQ(j.at("customers_with_purchases"), 2359);
  EXPECT_EQ(j.at("scorable_customers"), 2358);
  EXPECT_EQ(j.at("customers_in_fit"), 2357);
  EXPECT_EQ(j.at("observation_end"), "1997-09-30");
  const RunInfo run = engine->refit();
  EXPECT_EQ(fit_result_from_json_text(run.count_fit_json).n_customers, 2357.0);
  // The customer first seen on the end day is scored (T = 0); the later one is not.
  EXPECT_EQ(engine->score("on_end_day").T, 0.0);
  EXPECT_THROW(engine->score("after_end"), Error);
}

// The SAX ingest parser gives exactly the tree parser's records or error.
TEST(EngineJson, StreamingTransactionParserAgreesWithTheTreeParser) {
  const std::vector<std::string> bodies = {
      R"({"transactions": [{"customer_id": "a", "timestamp": 1700000000, "amount": 12.5},
                           {"id": "t2", "kind": "refund", "currency": "EUR", "amount_minor": -300,
                            "timestamp": "2024-05-01T10:00:00Z", "customer_id": "b\u00e9"}]})",
      R"([{"customer_id": "a", "timestamp": 1700000000, "amount": 3}])", R"({"transactions": []})",
      R"([])",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1, "amount": 2}]})",
      R"({"transactions": [{"customer_id": "a", "customer_id": "b", "timestamp": 1,
                            "amount_minor": 7}]})",
      // Errors, each with the tree parser's message.
      R"({})", R"({"transactions": [], "more": 1})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1, "x": 1}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1,
                            "amount_minor": 100}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount_minor": 1.5}]})",
      R"({"transactions": [{"customer_id": "", "timestamp": 1, "amount": 1}]})",
      R"({"transactions": [{"customer_id": "a", "amount": 1}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": "yesterday", "amount": 1}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 18446744073709551615,
                            "amount": 1}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1e300}]})",
      R"({"transactions": [{"customer_id": null, "timestamp": 1, "amount": 1}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1}, 5]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1}, {"customer_id": "b", "timestamp": 2, "amount": 2}, {"customer_id": "c", "timestamp": 3, "amount": 3}]})",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1}] trailing)",
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": {"v": 1}}]})", "42", "",
      // Not UTF-8 once unescaped (lone surrogates), and not UTF-8 as sent.
      R"([{"customer_id": "a\uDC00", "timestamp": 1, "amount": 1}])",
      R"([{"customer_id": "a\uD800", "timestamp": 1, "amount": 1}])",
      "[{\"customer_id\": \"a\xff\", \"timestamp\": 1, \"amount\": 1}]"};
  auto outcome = [](auto&& parse) {
    try {
      std::string out;
      for (const TransactionRecord& t : parse()) {
        out += fmt::format("{}|{}|{}|{}|{}|{};", t.customer_id, t.timestamp, t.amount_minor,
                           t.currency, t.kind, t.id);
      }
      return out;
    } catch (const BatchTooLarge& e) {
      return std::string("too large: ") + e.what();
    } catch (const Error& e) {
      return std::string("error: ") + e.what();
    }
  };
  for (const std::string& body : bodies) {
    const std::string tree = outcome([&] { return transactions_from_json(parse_json(body), 2); });
    const std::string streamed = outcome([&] { return transactions_from_json_text(body, 2); });
    EXPECT_EQ(streamed, tree) << body;
  }
  EXPECT_EQ(outcome([&] { return transactions_from_json_text(bodies[0], 2); }),
            "a|1700000000|1250|USD|purchase|;b\u00e9|1714557600|-300|EUR|refund|t2;");
  // The simdjson path parses the valid common shapes itself and leaves every
  // error, and a repeated amount (valid: the last one wins), to the others.
  for (size_t i = 0; i < bodies.size(); ++i) {
    const bool taken = i <= 3 || i == 5;
    EXPECT_EQ(parse_transactions_fast(bodies[i], 2).has_value(), taken) << bodies[i];
  }
}

TEST_F(EngineCdnow, ConcurrentScoringWhileIngesting) {
  const std::string path = fresh_db("concurrent");
  std::filesystem::copy_file(*path_, path);
  auto engine = Engine::open(path, cdnow_options());
  std::atomic<bool> done{false};
  std::atomic<long> scored{0}, bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      long i = t;
      while (!done.load()) {
        const auto s = engine->score(std::to_string(1 + (i++ % 2357)));
        if (!(s.p_alive >= 0 && s.p_alive <= 1) || !std::isfinite(*s.clv)) ++bad;
        ++scored;
      }
    });
  }
  size_t inserted = 0;
  for (int b = 0; b < 40; ++b) {
    std::vector<TransactionRecord> batch;
    for (int k = 0; k < 250; ++k) {
      batch.push_back(purchase(std::to_string(1 + (b * 250 + k) % 3000),
                               days_from_civil(1997, 9, 1 + k % 29) * 86400, 1000 + k));
    }
    inserted += engine->ingest_transactions(batch).inserted;
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(scored.load(), 0);
  EXPECT_EQ(inserted, 10000u);
  EXPECT_EQ(engine->stats().transactions, 6919u + 10000u);
  EXPECT_EQ(engine->stats().customers, 3000u);
}

}  // namespace
}  // namespace clv
