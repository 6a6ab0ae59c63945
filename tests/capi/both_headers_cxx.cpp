// The C++ half of both_headers.c: both C headers in one C++ translation unit.
#include <type_traits>

#include "clv/c_api.h"
#include "clv_sdk/clv_plugin.h"

static_assert(!std::is_same_v<clv_status, clv_plugin_status>);
static_assert(CLV_OK == 0 && CLV_PLUGIN_OK == 0 && CLV_INVALID_ARGUMENT == 1 &&
              CLV_PLUGIN_INVALID_INPUT == 2);

extern "C" int both_headers_cxx(void) {
  return CLV_API_COMPATIBLE(clv_api_version()) ? 0 : 1;
}
