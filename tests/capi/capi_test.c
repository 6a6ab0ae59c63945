/* The C API from a program compiled as C: CDNOW through ingest and refit,
 * scores against the published BG/NBD closed form, errors, buffers, and the
 * per-thread last error. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "clv/c_api.h"

static int failures = 0;
#define CHECK(cond)                                                                            \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              clv_last_error());                                                               \
      ++failures;                                                                              \
    }                                                                                          \
  } while (0)

/* CDNOW_sample.txt as one {"transactions":[...]} batch. */
static char* cdnow_batch(void) {
  FILE* in = fopen(CLV_SHARED_DATA_DIR "/cdnow/CDNOW_sample.txt", "r");
  size_t cap = 1 << 20, len = 0;
  char* out = malloc(cap);
  char master[16], sample[16], date[16];
  int cds;
  double dollars;
  if (!in || !out) return NULL;
  len += (size_t)sprintf(out, "{\"transactions\":[");
  while (fscanf(in, "%15s %15s %15s %d %lf", master, sample, date, &cds, &dollars) == 5) {
    if (cap - len < 256) {
      cap *= 2;
      out = realloc(out, cap);
      if (!out) return NULL;
    }
    len += (size_t)sprintf(out + len,
                           "%s{\"customer_id\":\"%d\",\"timestamp\":\"%.4s-%.2s-%.2s\","
                           "\"amount\":%.2f}",
                           out[len - 1] == '[' ? "" : ",", atoi(sample), date, date + 4, date + 6,
                           dollars);
  }
  fclose(in);
  sprintf(out + len, "]}");
  return out;
}

/* P(alive) of BG/NBD (Fader, Hardie & Lee 2005, eq. 13) at published CDNOW
 * parameters, independent of the engine's implementation. */
static double published_p_alive(double x, double t_x, double T) {
  const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
  if (x == 0) return 1.0;
  return 1.0 / (1.0 + a / (b + x - 1) * pow((alpha + T) / (alpha + t_x), r + x));
}

/* A churn run as `clv churn` stores it (schema migration 2), for customer 1. */
static int store_churn_run(const char* path) {
  sqlite3* db = NULL;
  int rc = sqlite3_open(path, &db);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    rc = sqlite3_exec(
        db,
        "INSERT INTO runs (id, kind, model, created_at, source, horizon, details) VALUES (100, "
        "'churn', 'pnbd_cov', 1750000000, 'test', 26, '{\"time_unit\": \"week\"}');"
        "INSERT INTO churn_scores VALUES (100, '1', 0.3, 0.64, 'high', 0.5, "
        "'[{\"covariate\": \"incident_count\", \"effect\": 0.2}]');",
        NULL, NULL, NULL);
  }
  sqlite3_close(db);
  return rc;
}

/* Rows of a table as another reader of the file sees them, or -1. */
static long count_rows(const char* path, const char* table) {
  sqlite3* db = NULL;
  sqlite3_stmt* q = NULL;
  char sql[256];
  long n = -1;
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
    n = (long)sqlite3_column_int64(q, 0);
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return n;
}

/* The "estimate" of parameter `name` in a churn run's JSON (keys sorted:
 * {"estimate":E,"name":"r","std_error":S}), or NAN. */
static double churn_estimate(const char* json, const char* name) {
  char pattern[64];
  const char* at;
  double value = NAN;
  snprintf(pattern, sizeof pattern, "\"name\":\"%s\"", name);
  at = json ? strstr(json, pattern) : NULL;
  while (at && at > json && *at != '{') --at;
  if (at && sscanf(at, "{\"estimate\":%lf", &value) != 1) value = NAN;
  return value;
}

static void* other_thread(void* engine) {
  clv_score s;
  /* An error on this thread must not be visible on the main thread. */
  clv_status st = clv_score_customer((const clv_engine*)engine, "no-such-customer", &s);
  return (void*)(st == CLV_NOT_FOUND && strstr(clv_last_error(), "no-such-customer") ? engine
                                                                                     : NULL);
}

int main(int argc, char** argv) {
  char path[1024];
  clv_engine* engine = NULL;
  char* text = NULL;
  char* batch;
  clv_score s;
  size_t needed = 0;
  char small[8];
  pthread_t thread;
  void* thread_ok = NULL;
  snprintf(path, sizeof path, "%s/capi_test.db", argc > 1 ? argv[1] : ".");
  remove(path);

  CHECK(strlen(clv_version()) >= 5);
  CHECK(clv_version_number() >= 100);
  CHECK(clv_api_version() == CLV_API_VERSION && CLV_API_COMPATIBLE(clv_api_version()));
  CHECK(CLV_API_COMPATIBLE(CLV_API_VERSION + (1u << 8)));  /* a newer library minor serves us */
  CHECK(!CLV_API_COMPATIBLE(CLV_API_VERSION - (1u << 8))); /* an older one lacks our calls */
  CHECK(CLV_API_VERSION_MAJOR == 1 && CLV_API_VERSION_MINOR >= 3); /* customers, employees */
  CHECK(!CLV_API_COMPATIBLE(CLV_API_VERSION + (1u << 16)));        /* another major */
  CHECK(strcmp(clv_status_name(CLV_NOT_FOUND), "not_found") == 0);

  CHECK(clv_engine_open(path, "{\"horizon\": -3}", &engine) == CLV_INVALID_ARGUMENT);
  CHECK(engine == NULL && strstr(clv_last_error(), "horizon") != NULL);
  CHECK(clv_engine_open(path, "{not json", &engine) == CLV_INVALID_ARGUMENT);
  CHECK(clv_engine_open(NULL, NULL, &engine) == CLV_INVALID_ARGUMENT);
  CHECK(clv_engine_open(path,
                        "{\"observation_end\":\"1997-09-30\",\"horizon\":39,\"margin\":0.3,"
                        "\"max_batch\":10000}",
                        &engine) == CLV_OK);
  CHECK(engine != NULL);
  if (!engine) return 1;
  CHECK(clv_last_error()[0] == '\0');

  /* No run yet. */
  CHECK(clv_score_customer(engine, "1", &s) == CLV_NOT_FOUND);

  batch = cdnow_batch();
  CHECK(batch != NULL);
  CHECK(clv_ingest_transactions(engine, batch, &text) == CLV_OK);
  CHECK(text && strstr(text, "\"inserted\":6919") != NULL);
  clv_free(text);
  text = NULL;
  /* The same batch again: no ids, so it is stored again; use ids for idempotence. */
  CHECK(clv_ingest_transactions(
            engine, "{\"transactions\":[{\"customer_id\":\"1\",\"timestamp\":1,\"amount\":\"x\"}]}",
            NULL) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "amount") != NULL);
  CHECK(clv_ingest_transactions(engine, "[", NULL) == CLV_INVALID_ARGUMENT);
  free(batch);
  /* Durable but pending until a flush moves them into `transactions`. */
  CHECK(count_rows(path, "transactions_pending") == 6919);
  CHECK(clv_flush(engine) == CLV_OK);
  CHECK(count_rows(path, "transactions_pending") == 0);
  CHECK(count_rows(path, "transactions") == 6919);
  CHECK(clv_flush(NULL) == CLV_INVALID_ARGUMENT);

  CHECK(clv_refit(engine, &text) == CLV_OK);
  CHECK(text && strstr(text, "\"n_customers\":2357") != NULL);
  clv_free(text);
  text = NULL;

  /* A plain churn fit (API 1.2), not stored: Pareto/NBD on the engine's
   * database at its observation end, in weeks, recovers the published CDNOW
   * estimates (Fader, Hardie & Lee 2005: r 0.553, alpha 10.58, s 0.606,
   * beta 11.67). */
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 39, \"plain\": true, \"store\": false}", &text) ==
        CLV_OK);
  if (text) {
    CHECK(fabs(churn_estimate(text, "r") / 0.553 - 1) < 0.01);
    CHECK(fabs(churn_estimate(text, "alpha") / 10.58 - 1) < 0.01);
    CHECK(fabs(churn_estimate(text, "s") / 0.606 - 1) < 0.01);
    CHECK(fabs(churn_estimate(text, "beta") / 11.67 - 1) < 0.01);
    CHECK(strstr(text, "\"run_id\":0") != NULL && strstr(text, "\"customers_scored\":2357"));
    CHECK(strstr(text, "\"time_unit\":\"week\"") != NULL);
  }
  clv_free(text);
  text = NULL;
  CHECK(clv_churn_fit_json(engine, "{\"plain\": true}", &text) == CLV_INVALID_ARGUMENT);
  CHECK(text == NULL && strstr(clv_last_error(), "\"horizon\" is required") != NULL);
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 39, \"colour\": 1}", &text) ==
        CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "\"colour\"") != NULL);
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 1e400}", &text) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "out of range") != NULL);
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 39, \"run\": 777}", &text) == CLV_NOT_FOUND);
  CHECK(clv_churn_fit_json(NULL, "{\"horizon\": 39}", &text) == CLV_INVALID_ARGUMENT);
  CHECK(clv_churn_fit_json(engine, NULL, &text) == CLV_INVALID_ARGUMENT);
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 39}", NULL) == CLV_INVALID_ARGUMENT);

  /* Customer 1: x = 2, t_x = 30.43, T = 38.86 weeks (lifetimes' summary). */
  CHECK(clv_score_customer(engine, "1", &s) == CLV_OK);
  CHECK(s.frequency == 2);
  CHECK(fabs(s.recency - 30.43) < 0.01 && fabs(s.T - 38.86) < 0.01);
  CHECK(fabs(s.p_alive - published_p_alive(s.frequency, s.recency, s.T)) < 2e-3);
  CHECK(s.has_clv == 1 && s.clv > 0 && isfinite(s.clv));
  CHECK(s.run_id == 1);
  /* The size-prefixed record (API 1.1) gives the same numbers. */
  {
    clv_score_record r;
    struct newer_caller { /* a program built against a later minor */
      clv_score_record r;
      double appended;
    } newer;
    memset(&r, 0xff, sizeof r);
    r.struct_size = sizeof r;
    CHECK(clv_score_customer_record(engine, "1", &r) == CLV_OK);
    CHECK(r.struct_size == sizeof r);
    CHECK(r.frequency == s.frequency && r.recency == s.recency && r.T == s.T);
    CHECK(r.monetary_value == s.monetary_value && r.p_alive == s.p_alive);
    CHECK(r.expected_purchases == s.expected_purchases && r.clv == s.clv);
    CHECK(r.expected_spend == s.expected_spend && r.run_id == s.run_id);
    CHECK(r.flags == CLV_SCORE_HAS_SPEND && r.incidents == 0);
    /* Customer 1's two repeat purchases and first one, all spend to 1997-09-30. */
    CHECK(r.historical_value > r.monetary_value);
    memset(&newer, 0xff, sizeof newer);
    newer.r.struct_size = sizeof newer;
    CHECK(clv_score_customer_record(engine, "1", &newer.r) == CLV_OK);
    CHECK(newer.r.struct_size == sizeof(clv_score_record) && newer.appended == 0.0);
    CHECK(newer.r.p_alive == s.p_alive);
    r.struct_size = 8; /* not set to sizeof: refused, nothing written */
    CHECK(clv_score_customer_record(engine, "1", &r) == CLV_INVALID_ARGUMENT);
    CHECK(strstr(clv_last_error(), "struct_size is 8") != NULL);
    r.struct_size = sizeof r;
    CHECK(clv_score_customer_record(engine, "nobody", &r) == CLV_NOT_FOUND);
    CHECK(clv_score_customer_record(engine, "1", NULL) == CLV_INVALID_ARGUMENT);
  }
  /* A one-time buyer is alive with certainty under BG/NBD. */
  CHECK(clv_score_customer(engine, "3", &s) == CLV_OK);
  CHECK(s.frequency == 0 && s.p_alive == 1.0);
  CHECK(clv_score_customer(engine, "nobody", &s) == CLV_NOT_FOUND);
  CHECK(strstr(clv_last_error(), "nobody") != NULL);

  /* Library-owned and caller-provided buffers hold the same text. */
  CHECK(clv_score_json(engine, "{\"customer_ids\":[\"1\",\"3\"]}", &text) == CLV_OK);
  CHECK(clv_score_json_into(engine, "{\"customer_ids\":[\"1\",\"3\"]}", small, sizeof small,
                            &needed) == CLV_BUFFER_TOO_SMALL);
  CHECK(text && needed == strlen(text) + 1);
  if (text && needed == strlen(text) + 1) {
    char* mine = malloc(needed);
    CHECK(clv_score_json_into(engine, "{\"customer_ids\":[\"1\",\"3\"]}", mine, needed, &needed) ==
          CLV_OK);
    CHECK(strcmp(mine, text) == 0);
    free(mine);
  }
  clv_free(text);
  text = NULL;
  CHECK(clv_score_json(engine, "{\"customer_ids\":[1]}", &text) == CLV_INVALID_ARGUMENT);
  CHECK(text == NULL);

  /* Incremental: a purchase on the calibration end day, no refit. */
  CHECK(clv_ingest_transactions(engine,
                                "{\"transactions\":[{\"customer_id\":\"3\",\"timestamp\":"
                                "\"1997-09-30\",\"amount_minor\":1999,\"id\":\"crm-1\"}]}",
                                NULL) == CLV_OK);
  CHECK(clv_score_customer(engine, "3", &s) == CLV_OK);
  CHECK(s.frequency == 1 && s.recency == s.T && s.run_id == 1);
  CHECK(fabs(s.p_alive - published_p_alive(s.frequency, s.recency, s.T)) < 2e-3);
  CHECK(clv_ingest_incidents(engine,
                             "{\"incidents\":[{\"customer_id\":\"2\",\"opened_at\":"
                             "\"1997-09-01\",\"severity\":3}]}",
                             &text) == CLV_OK);
  clv_free(text);
  text = NULL;
  CHECK(clv_ingest_incidents(engine,
                             "{\"incidents\":[{\"customer_id\":\"2\",\"opened_at\":1,"
                             "\"severity\":9}]}",
                             NULL) == CLV_INVALID_ARGUMENT);

  CHECK(clv_top_at_risk(engine, 5, &text) == CLV_OK);
  CHECK(text && strstr(text, "\"customers\":[{") != NULL);
  clv_free(text);
  CHECK(clv_runs(engine, &text) == CLV_OK);
  CHECK(text && strstr(text, "\"id\":1") != NULL);
  clv_free(text);
  CHECK(clv_stats(engine, &text) == CLV_OK);
  CHECK(text && strstr(text, "\"transactions\":6920") != NULL && strstr(text, "\"incidents\":1"));
  clv_free(text);

  /* Churn drivers: none before `clv churn` stored a run, then the latest
   * run's row next to the engine's own P(alive). */
  CHECK(clv_churn_drivers_json(engine, "1", &text) == CLV_NOT_FOUND);
  CHECK(text == NULL && strstr(clv_last_error(), "clv churn") != NULL);
  CHECK(store_churn_run(path) == 0);
  CHECK(clv_churn_drivers_json(engine, "1", &text) == CLV_OK);
  CHECK(text && strstr(text, "\"churn_risk\":0.64") && strstr(text, "\"risk_band\":\"high\"") &&
        strstr(text, "\"covariate\":\"incident_count\"") &&
        strstr(text, "\"direction\":\"raises_risk\"") && strstr(text, "\"time_unit\":\"week\""));
  CHECK(clv_score_customer(engine, "1", &s) == CLV_OK);
  if (text) {
    const char* engine_part = strstr(text, "\"engine\":{");
    const char* p_alive = engine_part ? strstr(engine_part, "\"p_alive\":") : NULL;
    CHECK(p_alive && fabs(atof(p_alive + 10) - s.p_alive) < 1e-12);
  }
  clv_free(text);
  text = NULL;
  CHECK(clv_churn_drivers_json(engine, "2", &text) == CLV_NOT_FOUND);
  CHECK(strstr(clv_last_error(), "'2'") != NULL);

  /* A stored churn fit (API 1.2) flushes the pending purchase first and
   * becomes the run the churn drivers answer from, number for number. */
  CHECK(count_rows(path, "transactions_pending") == 1);
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 26, \"plain\": true, \"top\": 5}", &text) ==
        CLV_OK);
  CHECK(count_rows(path, "transactions_pending") == 0);
  if (text) {
    long run = 0;
    double risk = -1;
    char first[32] = "";
    char* drivers = NULL;
    const char* at = strstr(text, "\"run_id\":");
    const char* customers = strstr(text, "\"customers\":[{");
    CHECK(at && sscanf(at, "\"run_id\":%ld", &run) == 1 && run > 100);
    CHECK(customers &&
          sscanf(customers, "\"customers\":[{\"churn_risk\":%lf,\"customer_id\":\"%31[^\"]\"",
                 &risk, first) == 2);
    /* The plain model's fit check, as clv fit shows it (misfit, warnings). */
    CHECK(strstr(text, "\"fit_check\":{") != NULL && strstr(text, "\"misfit\":") != NULL);
    CHECK(risk >= 0 && risk <= 1);
    CHECK(clv_churn_drivers_json(engine, first, &drivers) == CLV_OK);
    if (drivers) {
      const char* stored = strstr(drivers, "\"churn_risk\":");
      const char* id = strstr(drivers, "\"churn_run\":{");
      char expect_id[48];
      snprintf(expect_id, sizeof expect_id, "\"id\":%ld", run);
      CHECK(stored && atof(stored + 13) == risk);
      CHECK(id && strstr(id, expect_id) != NULL);
      CHECK(strstr(drivers, "\"horizon\":26.0") != NULL);
    }
    clv_free(drivers);
  }
  clv_free(text);
  text = NULL;

  /* The service breakdown needs a covariate fit: none here. Bad requests name
   * the field before anything runs. */
  CHECK(clv_service_report_json(engine, "{\"horizon\": 26}", &text) == CLV_NOT_FOUND);
  CHECK(text == NULL && strstr(clv_last_error(), "no covariate fit") != NULL);
  CHECK(clv_service_report_json(engine, "{\"by\": \"planet\", \"horizon\": 26}", &text) ==
        CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "\"by\"") != NULL && strstr(clv_last_error(), "planet"));
  CHECK(clv_service_report_json(engine, "{\"by\": \"region\", \"horizon\": 0}", &text) ==
        CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "\"horizon\"") != NULL);
  CHECK(clv_service_report_json(engine, "{\"horizon\": 26, \"run\": -1}", &text) ==
        CLV_INVALID_ARGUMENT);
  CHECK(clv_service_report_json(engine, "[", &text) == CLV_INVALID_ARGUMENT);

  /* What-if on the current run: a lower dropout rate raises CLV; the same
   * seed gives the same answer; bad scenarios name the field. */
  {
    const char* request =
        "{\"scenario\":[{\"name\":\"offer\",\"target\":{\"top_by_value_at_risk\":100},"
        "\"retention_offer\":{\"hazard_ratio\":{\"value\":0.7,\"low90\":0.5,\"high90\":0.9},"
        "\"cost_per_customer\":2}}],\"draws\":30,\"seed\":11}";
    char* again = NULL;
    CHECK(clv_whatif_json(engine, request, &text) == CLV_OK);
    CHECK(clv_whatif_json(engine, request, &again) == CLV_OK);
    CHECK(text && again && strcmp(text, again) == 0);
    if (text) {
      const char* delta = strstr(text, "\"delta_clv\"");
      const char* estimate = delta ? strstr(delta, "\"estimate\":") : NULL;
      const char* targeted = strstr(text, "\"targeted\":");
      CHECK(estimate && atof(estimate + 11) > 0);
      CHECK(targeted && atof(targeted + 11) == 100);
      CHECK(strstr(text, "\"model\": \"bgnbd\"") != NULL);
    }
    clv_free(text);
    clv_free(again);
    text = NULL;
    CHECK(clv_whatif_json(engine,
                          "{\"scenario\":[{\"name\":\"x\",\"target\":\"all\","
                          "\"purchase_rate\":{\"factor\":\"high\"}}]}",
                          &text) == CLV_INVALID_ARGUMENT);
    CHECK(text == NULL && strstr(clv_last_error(), "purchase_rate") != NULL);
    CHECK(clv_whatif_json(engine, "{\"scenario\": [}", &text) == CLV_INVALID_ARGUMENT);
    CHECK(strstr(clv_last_error(), "what-if body:1") != NULL);
  }

  /* The last error is per thread. */
  CHECK(clv_score_customer(engine, "1", &s) == CLV_OK);
  CHECK(pthread_create(&thread, NULL, other_thread, engine) == 0);
  pthread_join(thread, &thread_ok);
  CHECK(thread_ok == engine);
  CHECK(clv_last_error()[0] == '\0');

  clv_engine_close(engine);
  clv_engine_close(NULL);
  clv_free(NULL);

  /* An in-memory engine has no file for the churn and service code. */
  CHECK(clv_engine_open(":memory:", NULL, &engine) == CLV_OK);
  CHECK(clv_churn_fit_json(engine, "{\"horizon\": 26, \"plain\": true}", &text) ==
        CLV_INVALID_ARGUMENT);
  CHECK(text == NULL && strstr(clv_last_error(), "in memory") != NULL);
  CHECK(clv_service_report_json(engine, "{\"horizon\": 26}", &text) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "in memory") != NULL);
  clv_engine_close(engine);

  /* Reopen: the run and the data persist. */
  CHECK(clv_engine_open(path, "{\"observation_end\":\"1997-09-30\"}", &engine) == CLV_OK);
  CHECK(clv_score_customer(engine, "3", &s) == CLV_OK);
  CHECK(s.frequency == 1 && s.run_id == 1);
  /* Records take the CSV import's columns and store them there (issue 13,
     item 18); an unknown field or employee is refused by name. */
  CHECK(clv_ingest_incidents(engine,
                             "{\"incidents\":[{\"incident_id\":\"case-9\",\"customer_id\":"
                             "\"2\",\"opened_at\":\"1997-09-02\",\"outcome\":\"refunded\","
                             "\"compensation\":12.5}]}",
                             NULL) == CLV_OK);
  CHECK(count_rows(path, "incidents WHERE external_id = 'case-9' AND compensation_minor = 1250") ==
        1);
  CHECK(clv_ingest_incidents(engine,
                             "{\"incidents\":[{\"customer_id\":\"2\",\"opened_at\":1,"
                             "\"employee_id\":\"nobody\"}]}",
                             NULL) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "unknown employee 'nobody'") != NULL);
  CHECK(clv_ingest_transactions(engine,
                                "{\"transactions\":[{\"customer_id\":\"3\",\"timestamp\":"
                                "\"1997-09-30\",\"amount_minor\":100,\"qty\":2}]}",
                                NULL) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "field 'qty'") != NULL);
  CHECK(clv_ingest_transactions(engine,
                                "{\"transactions\":[{\"customer_id\":\"3\",\"timestamp\":"
                                "\"1997-09-30\",\"amount_minor\":100,\"quantity\":2,"
                                "\"location\":\"Lyon\",\"transaction_id\":\"crm-2\"}]}",
                                NULL) == CLV_OK);
  CHECK(clv_flush(engine) == CLV_OK);
  CHECK(count_rows(path,
                   "transactions WHERE external_id = 'crm-2' AND quantity = 2 AND "
                   "location = 'Lyon'") == 1);
  /* Employees and customers (1.3) with the CSV import's rules: an incident may
     then name the employee; a sector no loaded plugin serves, a score out of
     0..10 and a negative compensation are refused by field. */
  CHECK(clv_ingest_employees(engine,
                             "{\"employees\":[{\"employee_id\":\"E5\",\"role\":\"agent\","
                             "\"trust\":7.5}]}",
                             &text) == CLV_OK);
  CHECK(text && strstr(text, "\"inserted\":1") != NULL);
  clv_free(text);
  text = NULL;
  CHECK(clv_ingest_employees(engine, "{\"employees\":[{\"employee_id\":\"E6\",\"tact\":11}]}",
                             NULL) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "behaviour score tact 11 out of range 0-10") != NULL);
  CHECK(count_rows(path, "employees WHERE external_id = 'E5' AND trust = 7.5") == 1);
  CHECK(clv_ingest_incidents(engine,
                             "{\"incidents\":[{\"customer_id\":\"2\",\"opened_at\":"
                             "\"1997-09-03\",\"employee_id\":\"E5\",\"currency\":\"KWD\","
                             "\"compensation\":1.25}]}",
                             NULL) == CLV_OK);
  CHECK(count_rows(path, "incidents WHERE compensation_minor = 1250 AND employee_id IS NOT NULL") ==
        1);
  CHECK(clv_ingest_incidents(engine,
                             "{\"incidents\":[{\"customer_id\":\"2\",\"opened_at\":"
                             "\"1997-09-03\",\"compensation_minor\":-100}]}",
                             NULL) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "negative compensation") != NULL);
  CHECK(clv_ingest_customers(engine,
                             "{\"customers\":[{\"customer_id\":\"new-1\",\"sector\":"
                             "\"no-such-sector\"}]}",
                             NULL) == CLV_INVALID_ARGUMENT);
  CHECK(strstr(clv_last_error(), "field 'sector'") != NULL);
  CHECK(clv_ingest_customers(engine,
                             "{\"customers\":[{\"customer_id\":\"new-1\",\"segment\":"
                             "\"gold\"},{\"customer_id\":\"2\",\"region\":\"EU\"}]}",
                             &text) == CLV_OK);
  CHECK(text && strstr(text, "\"inserted\":1") != NULL && strstr(text, "\"updated\":1") != NULL);
  clv_free(text);
  text = NULL;
  CHECK(count_rows(path, "customers WHERE external_id = '2' AND region = 'EU'") == 1);
  clv_engine_close(engine);

  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("C API: all checks passed\n");
  return failures ? 1 : 0;
}
