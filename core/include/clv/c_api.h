/* The stable C API of clv-engine (libclv.so), for CRM back-ends in Java (JNA/
 * Panama), C#, Python (ctypes), Go (cgo) and C.
 *
 * Rules:
 * - Every function returns a clv_status; CLV_OK is 0. On failure,
 *   clv_last_error() returns a message for the calling thread, valid until
 *   that thread's next call into the library.
 * - Handles are opaque. A clv_engine may be used from many threads at once
 *   (scoring concurrently with one ingesting thread); close it once, last.
 * - Options and batches are JSON text (UTF-8); the shapes are in
 *   docs/embedding.md.
 * - Output text comes either in a library-owned buffer (char** out, release
 *   with clv_free) or in a caller-provided buffer (the *_into variants: on
 *   CLV_BUFFER_TOO_SMALL *needed holds the size including the NUL).
 * - No C++ exception or type crosses this boundary.
 *
 * Versioning (CLV_API_VERSION_*, independent of the package version): a
 * minor release only adds functions and appends fields to size-prefixed
 * structs, so a program built against 1.x runs with any libclv.so.1 whose
 * minor is >= x; a major release changes the soname. Check at start-up:
 *   if (!CLV_API_COMPATIBLE(clv_api_version())) ... refuse to run.
 * 1.0: the functions up to clv_free. 1.1: clv_api_version, clv_score_record
 * and clv_score_customer_record. 1.2: clv_churn_fit_json and
 * clv_service_report_json. 1.3: clv_ingest_customers, clv_ingest_employees and
 * clv_pg_run_json. */
#ifndef CLV_C_API_H_
#define CLV_C_API_H_

#include <stddef.h>
#include <stdint.h>

#define CLV_API_VERSION_MAJOR 1
#define CLV_API_VERSION_MINOR 3
/* major << 16 | minor << 8, the form clv_api_version() returns. */
#define CLV_API_VERSION \
  ((uint32_t)(((uint32_t)CLV_API_VERSION_MAJOR << 16) | ((uint32_t)CLV_API_VERSION_MINOR << 8)))
/* Whether a library reporting `runtime` (clv_api_version()) provides the API
 * this program was compiled against: same major, minor at least ours. */
#define CLV_API_COMPATIBLE(runtime)                        \
  (((uint32_t)(runtime) >> 16) == CLV_API_VERSION_MAJOR && \
   (((uint32_t)(runtime) >> 8) & 0xffu) >= CLV_API_VERSION_MINOR)

#if defined(_WIN32)
#if defined(CLV_BUILDING_LIBRARY)
#define CLV_API __declspec(dllexport)
#else
#define CLV_API __declspec(dllimport)
#endif
#else
#define CLV_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clv_status {
  CLV_OK = 0,
  CLV_INVALID_ARGUMENT = 1, /* malformed JSON, wrong types, bad values, NULL pointers */
  CLV_NOT_FOUND = 2,        /* unknown customer or run, no run fitted yet (see
                               clv_last_error: "no model run yet" / "no churn run") */
  CLV_CORRUPT_DATA = 3,
  CLV_IO = 4,
  CLV_NOT_CONVERGED = 5,
  CLV_BUFFER_TOO_SMALL = 6, /* *_into: *needed says how much to allocate */
  CLV_TOO_LARGE = 7,        /* batch over the engine's max_batch */
  CLV_INTERNAL = 8
} clv_status;

typedef struct clv_engine clv_engine;

/* Per-customer score of API 1.0 (fixed layout, kept for existing callers;
 * new code uses clv_score_record); clv and expected_spend are NaN-free:
 * has_clv says whether they were computed (a spend model exists). */
typedef struct clv_score {
  double frequency, recency, T, monetary_value;
  double p_alive;
  double expected_purchases;
  double expected_spend;
  double clv;
  int has_clv;
  int64_t run_id;
} clv_score;

/* Per-customer score, size-prefixed so that later minors can append fields:
 * set struct_size = sizeof(clv_score_record) before the call. The library
 * fills the fields it knows that fit in struct_size, zeroes any further
 * bytes, and sets struct_size to the number of bytes it filled. Values are
 * never NaN or infinite: CLV_SCORE_HAS_SPEND in flags says whether
 * expected_spend and clv were computed (a spend model exists). */
enum clv_score_flags { CLV_SCORE_HAS_SPEND = 1u << 0 };
typedef struct clv_score_record {
  uint32_t struct_size;         /* in: sizeof(clv_score_record) of the caller; out: bytes filled */
  uint32_t flags;               /* enum clv_score_flags */
  int64_t run_id;               /* the run whose parameters produced this score */
  double frequency, recency, T; /* x, t_x, T in the engine's time unit */
  double monetary_value;        /* mean repeat-day spend, major units */
  double historical_value;      /* all purchase spend to the observation end */
  double p_alive;
  double expected_purchases; /* over the engine's horizon */
  double expected_spend;     /* 0 without CLV_SCORE_HAS_SPEND */
  double clv;                /* 0 without CLV_SCORE_HAS_SPEND */
  uint64_t incidents;        /* service incidents on record */
  /* 1.1 ends here; new fields go below. */
} clv_score_record;

/* CLV_API_VERSION of the library at run time (major << 16 | minor << 8). */
CLV_API uint32_t clv_api_version(void);

/* "0.1.0"; static storage. */
CLV_API const char* clv_version(void);
/* major * 10000 + minor * 100 + patch, for compile-time vs run-time checks. */
CLV_API int clv_version_number(void);
/* The calling thread's last error message ("" when none); never NULL. */
CLV_API const char* clv_last_error(void);
/* Stable lower-case name of a status ("not_found"). */
CLV_API const char* clv_status_name(clv_status status);

/* options_json may be NULL or e.g. {"count_model":"bgnbd","time_unit":"week",
 * "horizon":52,"margin":0.3,"annual_discount_rate":0.1,"max_batch":100000}. */
CLV_API clv_status clv_engine_open(const char* path, const char* options_json, clv_engine** out);
CLV_API void clv_engine_close(clv_engine* engine);

/* Ingest a JSON batch ({"transactions":[...]} / {"incidents":[...]}). Records take
 * the CSV import's columns under the same names (docs/embedding.md); an unknown
 * field is CLV_INVALID_ARGUMENT naming it, and nothing of the batch is stored.
 * result_json (may be NULL) receives {"inserted","updated","duplicates","new_customers",
 * "normalized_away"}. */
CLV_API clv_status clv_ingest_transactions(clv_engine* engine, const char* batch_json,
                                           char** result_json);
CLV_API clv_status clv_ingest_incidents(clv_engine* engine, const char* batch_json,
                                        char** result_json);
/* Since 1.3. {"customers":[{"customer_id","sector","segment","region","acquired_at",
 * "attributes":{...}}]} and {"employees":[{"employee_id","role","location","trust",
 * ...,"flexibility"}]}, with the CSV import's rules (`clv import customers` /
 * `clv import employees`). A sector must name a loaded plugin. A stored customer's
 * empty attributes are filled in ("updated"), stored values never overwritten. */
CLV_API clv_status clv_ingest_customers(clv_engine* engine, const char* batch_json,
                                        char** result_json);
CLV_API clv_status clv_ingest_employees(clv_engine* engine, const char* batch_json,
                                        char** result_json);

/* Moves ingested transactions that are durable but still pending into the
 * database's transactions table now, so other readers of the file see them.
 * The engine also does this by itself: in large merges, on refit and on close. */
CLV_API clv_status clv_flush(clv_engine* engine);

/* Explicit refit; run_json (may be NULL) receives the stored run. */
CLV_API clv_status clv_refit(clv_engine* engine, char** run_json);

/* The 1.0 fixed-layout score; prefer clv_score_customer_record. */
CLV_API clv_status clv_score_customer(const clv_engine* engine, const char* customer_id,
                                      clv_score* out);
/* One customer's score into a size-prefixed record (out->struct_size set by
 * the caller). CLV_INVALID_ARGUMENT when struct_size is smaller than the 1.1
 * record; CLV_NOT_FOUND for an unknown customer. */
CLV_API clv_status clv_score_customer_record(const clv_engine* engine, const char* customer_id,
                                             clv_score_record* out);
/* {"customer_ids":[...]} -> {"scores":[...]}, library-owned or caller buffer. */
CLV_API clv_status clv_score_json(const clv_engine* engine, const char* request_json,
                                  char** response_json);
CLV_API clv_status clv_score_json_into(const clv_engine* engine, const char* request_json,
                                       char* buffer, size_t buffer_size, size_t* needed);
/* {"customers":[...]} highest value at risk first. */
CLV_API clv_status clv_top_at_risk(const clv_engine* engine, size_t limit, char** response_json);
/* {"runs":[...]} newest first. */
CLV_API clv_status clv_runs(const clv_engine* engine, char** response_json);
/* {"customers","customers_with_purchases","scorable_customers","customers_in_fit",
 *  "transactions","incidents","run_id","observation_end"}: see EngineStats. */
CLV_API clv_status clv_stats(const clv_engine* engine, char** response_json);

/* The latest churn run's answer for one customer (runs stored by `clv churn`):
 * {"customer_id","churn_risk","risk_band","p_alive","expected_purchases",
 *  "horizon","time_unit","drivers":[{"covariate","effect","direction"}],
 *  "churn_run":{...},"engine":{"run_id","p_alive","expected_purchases",...}|null}.
 * CLV_NOT_FOUND for an unknown customer and when no churn run exists. */
CLV_API clv_status clv_churn_drivers_json(const clv_engine* engine, const char* customer_id,
                                          char** response_json);

/* What-if scenarios on the current run: request_json is a scenario file in its
 * JSON form without file names ({"scenario":[...],"run":{"horizon","margin",
 * "discount_rate"}} with run optional) plus optional "draws" (0..1000) and
 * "seed". The response is the JSON of `clv whatif --json`: per scenario "cost",
 * "net_benefit" and "roi" (null when the scenario gives no cost; docs/whatif.md).
 * CLV_INVALID_ARGUMENT names the field; CLV_NOT_FOUND when no run with a spend
 * model exists. */
CLV_API clv_status clv_whatif_json(const clv_engine* engine, const char* request_json,
                                   char** response_json);

/* (1.2) A churn run on the engine's database, the code `clv churn` runs:
 * request_json {"horizon": 26 (required, in the run's time unit),
 * "covariates": "incidents,staff" | ["unresolved","empathy",...], "plain",
 * "run" (a stored covariate fit; 0 = the latest), "calibration_end":
 * "YYYY-MM-DD" (default: the engine's observation end), "unit" (default: the
 * engine's time unit for a fresh fit), "snapshot", "top" (20), "drivers" (3),
 * "store" (true)}. The response is the JSON of `clv churn --json`: {"run_id",
 * "fit_run_id", "horizon", "time_unit", "customers_scored", "model", "notes",
 * "fit_check" (the plain model's expected vs actual repeat purchases, "misfit",
 * "warnings"), "parameters", "effects", "ranking", "customers":[{"customer_id",
 * ...}]}. The churn run is
 * stored (clv_churn_drivers_json then reads it). Flushes pending rows and
 * holds the engine's writer lock: ingest calls wait for the fit.
 * CLV_INVALID_ARGUMENT names the field, and refuses an in-memory engine;
 * CLV_NOT_FOUND for an unknown fit run; CLV_NOT_CONVERGED. */
CLV_API clv_status clv_churn_fit_json(clv_engine* engine, const char* request_json,
                                      char** response_json);

/* (1.2) The service breakdown of the stored covariate fit, the code `clv
 * service --json` runs: request_json {"by": "location" | "department" |
 * "employee" | "region" (default location), "run": 0 (the covariate fit; 0 =
 * the latest), "horizon": 26 (required)} -> {"by", "fit_run",
 * "calibration_end", "time_unit", "horizon", "customers",
 * "total_attributable_churn", "groups":[...], "figures":{...}, "notes"}.
 * CLV_INVALID_ARGUMENT names the field; CLV_NOT_FOUND when there is no
 * covariate fit (clv_last_error says "no covariate fit run yet") or no such
 * run. */
CLV_API clv_status clv_service_report_json(clv_engine* engine, const char* request_json,
                                           char** response_json);

/* (1.3) The CRM's PostgreSQL job, the code `clv pg run` runs: the customer
 * summary pushed down as SQL, the fit on the histogram, every customer
 * scored and the scores written back into the mapping's scores table in one
 * transaction. The source is the engine's: open it with the options
 * "pg_source" (a libpq connection string or postgresql:// URI) or
 * "pg_source_file" (its first line), and "pg_mapping" (a .toml/.json
 * mapping file; default the engine's own table names). request_json
 * {"calibration_end": "YYYY-MM-DD" (required unless the engine has
 * "observation_end"), "holdout_end", "unit", "model", "horizon", "margin",
 * "discount_rate", "run_id", "spend_model": bool, "threads"}, defaults the
 * engine's options -> the JSON of `clv pg run --json`: {"source" (password
 * shown as ***), "mapping", "run_id", "scores_table", "time_unit",
 * "calibration_end", "histogram_rows", "customers_scored",
 * "customers_not_scored", "count_fit", "spend_fit", "rows", "transfer",
 * "seconds"}. The engine's own database is not touched; runs take turns.
 * CLV_INVALID_ARGUMENT names the field or says the engine has no source;
 * CLV_IO when the server cannot be reached or goes away (nothing written). */
CLV_API clv_status clv_pg_run_json(const clv_engine* engine, const char* request_json,
                                   char** response_json);

/* Frees text returned through a char** out parameter; NULL is ignored. */
CLV_API void clv_free(char* text);

/* Predictions from given count-model parameters, no engine needed (the JSON
 * of `clv predict --json`, docs/predict.md): request {"fit":{"model","params"},
 * "t", "pmf":{"from","to"}, "customers":[{"id","x","t_x","T"}],
 * "spend_per_purchase", "margin", "discount_rate"} -> {"expected_purchases_new",
 * "pmf":[{"k","probability"}], "pmf_mass", "customers":[...]}. */
CLV_API clv_status clv_predict_json(const char* request_json, char** response_json);

/* Customer summary (x, t_x, T[, mean spend]) of transaction CSV text, no engine
 * needed: request {"transactions": "<CSV text>", "calibration_end": "YYYY-MM-DD",
 * "unit", "map": {"customer_id": ..., "timestamp": ..., "amount": ...}, ...}
 * (clv/summary_request.hpp); the amount column is optional. */
CLV_API clv_status clv_summarize_json(const char* request_json, char** response_json);

#ifdef __cplusplus
}
#endif

#endif /* CLV_C_API_H_ */
