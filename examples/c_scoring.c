/* Embedding clv-engine from C through libclv.so (clv/c_api.h).
 * Build: cc -std=c11 -I core/include examples/c_scoring.c -L build/release/core -lclv \
 *          -Wl,-rpath,build/release/core -o c_scoring
 * Run:   ./c_scoring /tmp/crm.db ../shared/data/cdnow/CDNOW_sample.txt */
#include <stdio.h>
#include <stdlib.h>

#include "clv/c_api.h"

static int check(clv_status status, const char* what) {
  if (status == CLV_OK) return 1;
  fprintf(stderr, "%s failed (%s): %s\n", what, clv_status_name(status), clv_last_error());
  return 0;
}

int main(int argc, char** argv) {
  clv_engine* engine = NULL;
  char* text = NULL;
  clv_score score;
  char batch[4096];
  int n = 0, c, k;
  printf("clv-engine %s\n", clv_version());
  if (!check(clv_engine_open(
                 argc > 1 ? argv[1] : "crm.db",
                 "{\"time_unit\":\"week\",\"horizon\":39,\"observation_end\":\"1997-09-30\"}",
                 &engine),
             "open"))
    return 1;
  /* Feed the CDNOW sample (Fader & Hardie) in batches of up to 20 orders. */
  {
    FILE* in = fopen(argc > 2 ? argv[2] : "../shared/data/cdnow/CDNOW_sample.txt", "r");
    char master[16], id[16], date[16];
    int cds;
    double dollars;
    if (!in) {
      fprintf(stderr, "pass the path of CDNOW_sample.txt as the second argument\n");
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
  printf("run: %.200s...\n", text);
  clv_free(text);
  if (!check(clv_score_customer(engine, "1", &score), "score")) return 1;
  printf("customer 1: P(alive) %.3f, expected purchases %.2f, CLV %s%.2f\n", score.p_alive,
         score.expected_purchases, score.has_clv ? "" : "(n/a) ", score.clv);
  /* Errors are values, never crashes. */
  check(clv_score_customer(engine, "nobody", &score), "score unknown customer");
  clv_engine_close(engine);
  return 0;
}
