// libFuzzer target: untrusted HTTP ingest bodies (transactions, incidents,
// customers and employees JSON) through the engine's record parsers: the SAX fast path and the tree
// path must both answer with records or a clv::Error; likewise the churn fit
// and service request bodies (POST /v1/churn/fit, clv_*_json).
#include <cstdint>
#include <string_view>

#include "clv/churn_run.hpp"
#include "clv/error.hpp"
#include "clv/service_run.hpp"
#include "domain/nesting_limits.hpp"
#include "engine/engine_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    clv::transactions_from_json_text(text, 1000);
  } catch (const clv::Error&) {
  }
  try {
    const nlohmann::json body = clv::parse_json_limited(text, "body");
    try {
      clv::incidents_from_json(body, 1000);
    } catch (const clv::Error&) {
    }
    try {
      clv::customers_from_json(body, 1000);
    } catch (const clv::Error&) {
    }
    clv::employees_from_json(body, 1000);
  } catch (const clv::Error&) {
  }
  try {
    clv::churn_fit_request_from_json(text);
  } catch (const clv::Error&) {
  }
  try {
    clv::service_request_from_json(text);
  } catch (const clv::Error&) {
  }
  return 0;
}
