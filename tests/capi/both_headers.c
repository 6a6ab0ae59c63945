/* clv/c_api.h and clv_sdk/clv_plugin.h in one C translation unit: since
 * plugin ABI 1.1 the plugin status codes are clv_plugin_status /
 * CLV_PLUGIN_*, so nothing is defined twice. The C++ half is
 * both_headers_cxx.cpp. */
#include <stdio.h>
#include <string.h>

#include "clv/c_api.h"
#include "clv_sdk/clv_plugin.h"

int both_headers_cxx(void);

int main(void) {
  const clv_status engine_ok = CLV_OK;
  const clv_plugin_status plugin_error = CLV_PLUGIN_ERROR;
  if (engine_ok != 0 || CLV_PLUGIN_OK != 0 || plugin_error != 1 || CLV_PLUGIN_UNSUPPORTED != 3 ||
      strcmp(clv_status_name(engine_ok), "ok") != 0) {
    fprintf(stderr, "unexpected status values\n");
    return 1;
  }
  return both_headers_cxx();
}
