/* An out-of-tree C consumer of the installed libclv.so: checks the API
 * version, feeds CDNOW_sample (argv[2]) into a new database (argv[1]), refits
 * and scores customer 1 through the size-prefixed record. Includes the plugin
 * SDK header too: both must coexist in one translation unit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clv/c_api.h>
#include <clv_sdk/clv_plugin.h>

static int ok(clv_status status, const char* what) {
  if (status == CLV_OK) return 1;
  fprintf(stderr, "%s failed (%s): %s\n", what, clv_status_name(status), clv_last_error());
  return 0;
}

int main(int argc, char** argv) {
  clv_engine* engine = NULL;
  clv_score_record r;
  char* batch;
  size_t size = 1 << 20, n = 0;
  int c = 0;
  char master[16], id[16], date[16];
  int cds;
  double dollars;
  FILE* in;
  /* The plugin status and the engine status: distinct names, same process. */
  const clv_plugin_status plugin_ok = CLV_PLUGIN_OK;
  if (argc != 3) {
    fprintf(stderr, "usage: consumer_c DB CDNOW_sample.txt\n");
    return 2;
  }
  if (!CLV_API_COMPATIBLE(clv_api_version())) {
    fprintf(stderr, "libclv API %u is not compatible with %u\n", (unsigned)clv_api_version(),
            (unsigned)CLV_API_VERSION);
    return 1;
  }
  printf("clv %s, C API %u.%u, plugin ABI %u.%u, %d\n", clv_version(),
         (unsigned)(clv_api_version() >> 16), (unsigned)((clv_api_version() >> 8) & 0xff),
         CLV_PLUGIN_ABI_MAJOR, CLV_PLUGIN_ABI_MINOR, (int)plugin_ok);
  remove(argv[1]);
  if (!ok(clv_engine_open(argv[1], "{\"time_unit\":\"week\",\"observation_end\":\"1997-09-30\"}",
                          &engine),
          "open"))
    return 1;
  in = fopen(argv[2], "r");
  batch = malloc(size);
  if (!in || !batch) return 1;
  n = (size_t)snprintf(batch, size, "{\"transactions\":[");
  while (fscanf(in, "%15s %15s %15s %d %lf", master, id, date, &cds, &dollars) == 5) {
    n += (size_t)snprintf(
        batch + n, size - n,
        "%s{\"customer_id\":\"%d\",\"timestamp\":\"%.4s-%.2s-%.2s\",\"amount\":%.2f}",
        c++ ? "," : "", atoi(id), date, date + 4, date + 6, dollars);
    if (n + 256 > size) return 1;
  }
  snprintf(batch + n, size - n, "]}");
  fclose(in);
  if (!ok(clv_ingest_transactions(engine, batch, NULL), "ingest")) return 1;
  free(batch);
  if (!ok(clv_refit(engine, NULL), "refit")) return 1;
  memset(&r, 0, sizeof r);
  r.struct_size = sizeof r;
  if (!ok(clv_score_customer_record(engine, "1", &r), "score")) return 1;
  /* Customer 1 of CDNOW: x = 2, t_x = 30.43, T = 38.86 weeks. */
  if (r.frequency != 2 || fabs(r.recency - 30.43) > 0.01 || fabs(r.T - 38.86) > 0.01 ||
      !(r.p_alive > 0 && r.p_alive < 1) || !(r.flags & CLV_SCORE_HAS_SPEND)) {
    fprintf(stderr, "unexpected score: x=%g t_x=%g T=%g p_alive=%g flags=%u\n", r.frequency,
            r.recency, r.T, r.p_alive, (unsigned)r.flags);
    return 1;
  }
  printf("customer 1: x %.0f, t_x %.2f, T %.2f, P(alive) %.3f, CLV %.2f\n", r.frequency, r.recency,
         r.T, r.p_alive, r.clv);
  clv_engine_close(engine);
  return 0;
}
