/* Embedding clv-engine from C through libclv.so (clv/c_api.h).
 * Build against an installed clv (cmake --install build/release --prefix P):
 *   cc -std=c11 examples/c_scoring.c $(PKG_CONFIG_PATH=P/lib/pkgconfig pkg-config \
 *      --cflags --libs clv) -Wl,-rpath,P/lib -o c_scoring
 * Run from any directory: ./c_scoring [DB [CDNOW_sample.txt]]
 * It feeds orders, refits, scores, runs a what-if, then (API 1.2) feeds
 * incidents, fits churn with incident covariates (clv_churn_fit_json) and
 * breaks service down by department (clv_service_report_json).
 * (in the build tree the data defaults to the path CMake was configured with). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv/c_api.h"

#ifndef CLV_EXAMPLE_CDNOW
#define CLV_EXAMPLE_CDNOW "CDNOW_sample.txt"
#endif

static int check(clv_status status, const char* what) {
  if (status == CLV_OK) return 1;
  fprintf(stderr, "%s failed (%s): %s\n", what, clv_status_name(status), clv_last_error());
  return 0;
}

int main(int argc, char** argv) {
  clv_engine* engine = NULL;
  char* text = NULL;
  clv_score_record score;
  char batch[4096];
  int n = 0, c, k;
  printf("clv-engine %s\n", clv_version());
  if (!CLV_API_COMPATIBLE(clv_api_version())) {
    fprintf(stderr, "libclv.so is too old for this program: rebuild or upgrade clv-engine\n");
    return 1;
  }
  if (!check(clv_engine_open(
                 argc > 1 ? argv[1] : "crm.db",
                 "{\"time_unit\":\"week\",\"horizon\":39,\"observation_end\":\"1997-09-30\"}",
                 &engine),
             "open"))
    return 1;
  /* Feed the CDNOW sample (Fader & Hardie) in batches of up to 20 orders. */
  {
    FILE* in = fopen(argc > 2 ? argv[2] : CLV_EXAMPLE_CDNOW, "r");
    char master[16], id[16], date[16];
    int cds;
    double dollars;
    if (!in) {
      fprintf(stderr, "cannot read %s: pass the path of CDNOW_sample.txt as the second argument\n",
              argc > 2 ? argv[2] : CLV_EXAMPLE_CDNOW);
      return 1;
    }
    c = 0;
    n = snprintf(batch, sizeof batch, "{\"transactions\":[");
    for (;;) {
      k = fscanf(in, "%15s %15s %15s %d %lf", master, id, date, &cds, &dollars) == 5;
      if (k) {
        n += snprintf(batch + n, sizeof batch - (size_t)n,
                      "%s{\"customer_id\":\"%d\",\"timestamp\":\"%.4s-%.2s-%.2s\",\"amount\":%.2f}",
                      c ? "," : "", atoi(id), date, date + 4, date + 6, dollars);
        ++c;
      }
      if ((!k && c) || c == 20) {
        snprintf(batch + n, sizeof batch - (size_t)n, "]}");
        if (!check(clv_ingest_transactions(engine, batch, NULL), "ingest")) return 1;
        c = 0;
        n = snprintf(batch, sizeof batch, "{\"transactions\":[");
      }
      if (!k) break;
    }
    fclose(in);
  }
  if (!check(clv_refit(engine, &text), "refit")) return 1;
  {
    const char* n = strstr(text, "\"n_customers\":");
    const char* id = strstr(text, "\"id\":");
    printf("run %ld fitted on %ld customers\n", id ? atol(id + 5) : -1L, n ? atol(n + 14) : -1L);
  }
  clv_free(text);
  /* A size-prefixed record: the library fills what this program's header knows. */
  score.struct_size = sizeof score;
  if (!check(clv_score_customer_record(engine, "1", &score), "score")) return 1;
  printf("customer 1: P(alive) %.3f, expected purchases %.2f, CLV %s%.2f\n", score.p_alive,
         score.expected_purchases, (score.flags & CLV_SCORE_HAS_SPEND) ? "" : "(n/a) ", score.clv);
  /* What-if on the current run: a retention offer that cuts everyone's
   * dropout rate by 20%, point estimates only (draws 0). */
  if (!check(
          clv_whatif_json(engine,
                          "{\"scenario\":[{\"name\":\"retention offer\",\"target\":\"all\","
                          "\"retention_offer\":{\"hazard_ratio\":0.8,\"cost_per_customer\":0.5}}],"
                          "\"draws\":0}",
                          &text),
          "what-if"))
    return 1;
  {
    const char* delta = strstr(text, "\"delta_clv\"");
    const char* estimate = delta ? strstr(delta, "\"estimate\":") : NULL;
    printf("what-if 'retention offer': delta CLV %+.2f\n", estimate ? atof(estimate + 11) : 0.0);
  }
  clv_free(text);
  /* Errors are values, never crashes. */
  check(clv_score_customer_record(engine, "nobody", &score), "score unknown customer");
  check(clv_churn_drivers_json(engine, "1", &text), "churn drivers");
  /* Service incidents as the CRM records them (here made up, one for every
   * fifth customer: some left open, the others surveyed), then (API 1.2) a
   * churn fit with incident covariates and the service breakdown by
   * department (the incident's channel when no employee role is known). */
  c = 0;
  n = snprintf(batch, sizeof batch, "{\"incidents\":[");
  for (k = 1; k <= 2357; k += 5) {
    char resolved[32] = "null";
    char survey[32] = "";
    static const char* const channels[] = {"phone", "email", "chat"};
    const int month = 1 + k % 8, day = 1 + (k * 7) % 25; /* resolved by day 28 */
    if (k % 4 != 0) {
      snprintf(resolved, sizeof resolved, "\"1997-%02d-%02d\"", month, day + 1 + k % 2);
      snprintf(survey, sizeof survey, ",\"satisfaction\":%d", 1 + (k * 3) % 5);
    }
    n += snprintf(batch + n, sizeof batch - (size_t)n,
                  "%s{\"customer_id\":\"%d\",\"opened_at\":\"1997-%02d-%02d\",\"resolved_at\":%s,"
                  "\"severity\":%d,\"channel\":\"%s\",\"category\":\"delivery\"%s}",
                  c ? "," : "", k, month, day, resolved, 1 + k % 5, channels[k % 3], survey);
    if (++c == 20 || k + 5 > 2357) {
      snprintf(batch + n, sizeof batch - (size_t)n, "]}");
      if (!check(clv_ingest_incidents(engine, batch, NULL), "ingest incidents")) return 1;
      c = 0;
      n = snprintf(batch, sizeof batch, "{\"incidents\":[");
    }
  }
  if (!check(clv_churn_fit_json(engine,
                                "{\"horizon\": 39, \"covariates\": [\"unresolved\", "
                                "\"satisfaction\"], \"top\": 3}",
                                &text),
             "churn fit"))
    return 1;
  {
    const char* run = strstr(text, "\"run_id\":");
    const char* scored = strstr(text, "\"customers_scored\":");
    const char* misfit = strstr(text, "\"misfit\":");
    const char* first = strstr(text, "\"customer_id\":\"");
    char id[32] = "?";
    if (first) sscanf(first + 15, "%31[^\"]", id);
    printf("churn fit: run %ld, %ld customers scored, fit check %s, most value at risk: %s\n",
           run ? atol(run + 9) : -1L, scored ? atol(scored + 19) : -1L,
           misfit ? (strncmp(misfit + 9, "true", 4) == 0 ? "MISFIT" : "ok") : "n/a", id);
    /* The churn run is stored: the drivers of that customer now answer. */
    clv_free(text);
    text = NULL;
    if (!check(clv_churn_drivers_json(engine, id, &text), "churn drivers")) return 1;
    {
      const char* risk = strstr(text, "\"churn_risk\":");
      printf("customer %s: churn risk %.3f\n", id, risk ? atof(risk + 13) : -1.0);
    }
  }
  clv_free(text);
  if (!check(clv_service_report_json(engine, "{\"by\": \"department\", \"horizon\": 39}", &text),
             "service report"))
    return 1;
  {
    const char* at = text;
    int groups = 0;
    while ((at = strstr(at, "\"group\":")) != NULL) ++groups, ++at;
    printf(
        "service by department: %d groups (incidents per 100 customers, SLA share, "
        "attributable churn)\n",
        groups);
  }
  clv_free(text);
  clv_engine_close(engine);
  return 0;
}
