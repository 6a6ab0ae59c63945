// The C API over clv::Engine. Every entry point runs its body through
// guarded(), which turns any exception into a status plus the thread's last
// error message, so nothing C++ ever crosses the boundary.
#include "clv/c_api.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "clv/engine.hpp"
#include "clv/error.hpp"
#include "clv/predict.hpp"
#include "clv/summary_request.hpp"
#include "clv/version.hpp"
#include "clv/whatif_result.hpp"
#include "engine/engine_json.hpp"

struct clv_engine {
  std::unique_ptr<clv::Engine> engine;
  size_t max_batch = 100000;
};

namespace {

thread_local std::string last_error;

clv_status status_of(clv::ErrorCode code) {
  switch (code) {
    case clv::ErrorCode::kInvalidArgument:
      return CLV_INVALID_ARGUMENT;
    case clv::ErrorCode::kNotFound:
      return CLV_NOT_FOUND;
    case clv::ErrorCode::kCorruptData:
      return CLV_CORRUPT_DATA;
    case clv::ErrorCode::kIo:
      return CLV_IO;
    case clv::ErrorCode::kNotConverged:
      return CLV_NOT_CONVERGED;
    default:
      return CLV_INTERNAL;
  }
}

clv_status fail(clv_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

template <typename Body>
clv_status guarded(Body&& body) noexcept {
  try {
    last_error.clear();
    return body();
  } catch (const clv::BatchTooLarge& e) {
    return fail(CLV_TOO_LARGE, e.what());
  } catch (const clv::Error& e) {
    return fail(status_of(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(CLV_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(CLV_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(CLV_INTERNAL, "internal error: unknown exception");
  }
}

char* copy_out(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

void require(const void* p, const char* what) {
  if (!p) throw clv::Error::invalid_argument(std::string(what) + " must not be NULL");
}

void set_out(char** out, const nlohmann::json& j) {
  if (out) *out = copy_out(j.dump());
}

}  // namespace

extern "C" {

uint32_t clv_api_version(void) {
  return CLV_API_VERSION;
}

const char* clv_version(void) {
  return CLV_VERSION_STRING;
}

int clv_version_number(void) {
  return CLV_VERSION_MAJOR * 10000 + CLV_VERSION_MINOR * 100 + CLV_VERSION_PATCH;
}

const char* clv_last_error(void) {
  return last_error.c_str();
}

const char* clv_status_name(clv_status status) {
  switch (status) {
    case CLV_OK:
      return "ok";
    case CLV_INVALID_ARGUMENT:
      return "invalid_argument";
    case CLV_NOT_FOUND:
      return "not_found";
    case CLV_CORRUPT_DATA:
      return "corrupt_data";
    case CLV_IO:
      return "io";
    case CLV_NOT_CONVERGED:
      return "not_converged";
    case CLV_BUFFER_TOO_SMALL:
      return "buffer_too_small";
    case CLV_TOO_LARGE:
      return "too_large";
    case CLV_INTERNAL:
      return "internal";
  }
  return "unknown";
}

clv_status clv_engine_open(const char* path, const char* options_json, clv_engine** out) {
  return guarded([&] {
    require(path, "path");
    require(out, "out");
    *out = nullptr;
    nlohmann::json options = options_json ? clv::parse_json(options_json) : nlohmann::json();
    auto handle = std::make_unique<clv_engine>();
    if (options.is_object() && options.contains("max_batch")) {
      const auto& m = options["max_batch"];
      if (!m.is_number_unsigned() || m.get<size_t>() == 0) {
        throw clv::Error::invalid_argument("option 'max_batch' must be a positive integer");
      }
      handle->max_batch = m.get<size_t>();
      options.erase("max_batch");
    }
    handle->engine = clv::Engine::open(path, clv::engine_options_from_json(options));
    *out = handle.release();
    return CLV_OK;
  });
}

void clv_engine_close(clv_engine* engine) {
  delete engine;
}

clv_status clv_ingest_transactions(clv_engine* engine, const char* batch_json, char** result_json) {
  return guarded([&] {
    require(engine, "engine");
    require(batch_json, "batch_json");
    if (result_json) *result_json = nullptr;
    const auto batch = clv::transactions_from_json_text(batch_json, engine->max_batch);
    set_out(result_json, clv::to_json(engine->engine->ingest_transactions(batch)));
    return CLV_OK;
  });
}

clv_status clv_ingest_incidents(clv_engine* engine, const char* batch_json, char** result_json) {
  return guarded([&] {
    require(engine, "engine");
    require(batch_json, "batch_json");
    if (result_json) *result_json = nullptr;
    const auto batch = clv::incidents_from_json(clv::parse_json(batch_json), engine->max_batch);
    set_out(result_json, clv::to_json(engine->engine->ingest_incidents(batch)));
    return CLV_OK;
  });
}

clv_status clv_ingest_customers(clv_engine* engine, const char* batch_json, char** result_json) {
  return guarded([&] {
    require(engine, "engine");
    require(batch_json, "batch_json");
    if (result_json) *result_json = nullptr;
    const auto batch = clv::customers_from_json(clv::parse_json(batch_json), engine->max_batch);
    set_out(result_json, clv::to_json(engine->engine->ingest_customers(batch)));
    return CLV_OK;
  });
}

clv_status clv_ingest_employees(clv_engine* engine, const char* batch_json, char** result_json) {
  return guarded([&] {
    require(engine, "engine");
    require(batch_json, "batch_json");
    if (result_json) *result_json = nullptr;
    const auto batch = clv::employees_from_json(clv::parse_json(batch_json), engine->max_batch);
    set_out(result_json, clv::to_json(engine->engine->ingest_employees(batch)));
    return CLV_OK;
  });
}

clv_status clv_flush(clv_engine* engine) {
  return guarded([&] {
    require(engine, "engine");
    engine->engine->flush();
    return CLV_OK;
  });
}

clv_status clv_refit(clv_engine* engine, char** run_json) {
  return guarded([&] {
    require(engine, "engine");
    if (run_json) *run_json = nullptr;
    set_out(run_json, clv::to_json(engine->engine->refit()));
    return CLV_OK;
  });
}

clv_status clv_score_customer(const clv_engine* engine, const char* customer_id, clv_score* out) {
  return guarded([&] {
    require(engine, "engine");
    require(customer_id, "customer_id");
    require(out, "out");
    const clv::CustomerScore s = engine->engine->score(customer_id);
    *out = clv_score{s.frequency,
                     s.recency,
                     s.T,
                     s.monetary,
                     s.p_alive,
                     s.expected_purchases,
                     s.expected_spend.value_or(0),
                     s.clv.value_or(0),
                     s.clv ? 1 : 0,
                     s.run_id};
    return CLV_OK;
  });
}

// The record of API 1.1: callers built against it or later pass at least this.
constexpr size_t kScoreRecordV1_1 = offsetof(clv_score_record, incidents) + sizeof(uint64_t);

clv_status clv_score_customer_record(const clv_engine* engine, const char* customer_id,
                                     clv_score_record* out) {
  return guarded([&] {
    require(engine, "engine");
    require(customer_id, "customer_id");
    require(out, "out");
    const size_t caller_size = out->struct_size;
    if (caller_size < kScoreRecordV1_1) {
      throw clv::Error::invalid_argument("clv_score_record.struct_size is " +
                                         std::to_string(caller_size) +
                                         "; set it to sizeof(clv_score_record) (at least " +
                                         std::to_string(kScoreRecordV1_1) + ") before the call");
    }
    const clv::CustomerScore s = engine->engine->score(customer_id);
    clv_score_record r{};
    r.struct_size = static_cast<uint32_t>(std::min(caller_size, sizeof r));
    r.flags = s.clv ? static_cast<uint32_t>(CLV_SCORE_HAS_SPEND) : 0u;
    r.run_id = s.run_id;
    r.frequency = s.frequency;
    r.recency = s.recency;
    r.T = s.T;
    r.monetary_value = s.monetary;
    r.historical_value = s.historical_value;
    r.p_alive = s.p_alive;
    r.expected_purchases = s.expected_purchases;
    r.expected_spend = s.expected_spend.value_or(0);
    r.clv = s.clv.value_or(0);
    r.incidents = s.incidents;
    // A newer caller's trailing fields are unknown here: zeroed, and
    // struct_size tells it where this library stopped.
    std::memcpy(out, &r, r.struct_size);
    if (caller_size > sizeof r) {
      std::memset(reinterpret_cast<char*>(out) + sizeof r, 0, caller_size - sizeof r);
    }
    return CLV_OK;
  });
}

namespace {

std::string score_response(const clv_engine* engine, const char* request_json) {
  require(engine, "engine");
  require(request_json, "request_json");
  const nlohmann::json request = clv::parse_json(request_json);
  const auto it = request.find("customer_ids");
  if (!request.is_object() || it == request.end() || !it->is_array()) {
    throw clv::Error::invalid_argument("the request must be {\"customer_ids\": [\"id\", ...]}");
  }
  std::vector<std::string> ids;
  for (const auto& id : *it) {
    if (!id.is_string()) throw clv::Error::invalid_argument("customer_ids must be strings");
    ids.push_back(id.get<std::string>());
  }
  nlohmann::json scores = nlohmann::json::array();
  for (const auto& s : engine->engine->score_many(ids)) scores.push_back(clv::to_json(s));
  return nlohmann::json{{"scores", std::move(scores)}}.dump();
}

}  // namespace

clv_status clv_score_json(const clv_engine* engine, const char* request_json,
                          char** response_json) {
  return guarded([&] {
    require(response_json, "response_json");
    *response_json = nullptr;
    *response_json = copy_out(score_response(engine, request_json));
    return CLV_OK;
  });
}

clv_status clv_score_json_into(const clv_engine* engine, const char* request_json, char* buffer,
                               size_t buffer_size, size_t* needed) {
  return guarded([&] {
    require(needed, "needed");
    const std::string text = score_response(engine, request_json);
    *needed = text.size() + 1;
    if (!buffer || buffer_size < text.size() + 1) {
      return fail(CLV_BUFFER_TOO_SMALL,
                  "the buffer is too small: allocate *needed bytes and call again");
    }
    std::memcpy(buffer, text.c_str(), text.size() + 1);
    return CLV_OK;
  });
}

clv_status clv_top_at_risk(const clv_engine* engine, size_t limit, char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(response_json, "response_json");
    *response_json = nullptr;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : engine->engine->top_at_risk(limit)) list.push_back(clv::to_json(s));
    set_out(response_json, nlohmann::json{{"customers", std::move(list)}});
    return CLV_OK;
  });
}

clv_status clv_runs(const clv_engine* engine, char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(response_json, "response_json");
    *response_json = nullptr;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : engine->engine->runs()) list.push_back(clv::to_json(r));
    set_out(response_json, nlohmann::json{{"runs", std::move(list)}});
    return CLV_OK;
  });
}

clv_status clv_stats(const clv_engine* engine, char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(response_json, "response_json");
    *response_json = nullptr;
    set_out(response_json, clv::to_json(engine->engine->stats()));
    return CLV_OK;
  });
}

clv_status clv_churn_drivers_json(const clv_engine* engine, const char* customer_id,
                                  char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(customer_id, "customer_id");
    require(response_json, "response_json");
    *response_json = nullptr;
    set_out(response_json,
            clv::to_json(engine->engine->churn_risk(customer_id), engine->engine->options()));
    return CLV_OK;
  });
}

clv_status clv_whatif_json(const clv_engine* engine, const char* request_json,
                           char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(request_json, "request_json");
    require(response_json, "response_json");
    *response_json = nullptr;
    const clv::EngineWhatIf request =
        clv::whatif_request_from_json(request_json, engine->engine->options());
    *response_json = copy_out(clv::whatif_result_to_json_text(engine->engine->what_if(request)));
    return CLV_OK;
  });
}

clv_status clv_churn_fit_json(clv_engine* engine, const char* request_json, char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(request_json, "request_json");
    require(response_json, "response_json");
    *response_json = nullptr;
    const clv::ChurnFitRequest request = clv::churn_fit_request_from_json(request_json);
    *response_json = copy_out(clv::churn_result_json(engine->engine->churn_fit(request)));
    return CLV_OK;
  });
}

clv_status clv_service_report_json(clv_engine* engine, const char* request_json,
                                   char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(request_json, "request_json");
    require(response_json, "response_json");
    *response_json = nullptr;
    const clv::ServiceReportRequest request = clv::service_request_from_json(request_json);
    *response_json = copy_out(clv::service_report_json(engine->engine->service_report(request)));
    return CLV_OK;
  });
}

clv_status clv_pg_run_json(const clv_engine* engine, const char* request_json,
                           char** response_json) {
  return guarded([&] {
    require(engine, "engine");
    require(request_json, "request_json");
    require(response_json, "response_json");
    *response_json = nullptr;
    *response_json = copy_out(clv::pg_run_json(*engine->engine, request_json));
    return CLV_OK;
  });
}

void clv_free(char* text) {
  std::free(text);
}

clv_status clv_predict_json(const char* request_json, char** response_json) {
  return guarded([&] {
    require(request_json, "request_json");
    require(response_json, "response_json");
    *response_json = nullptr;
    *response_json = copy_out(clv::predict_json(request_json));
    return CLV_OK;
  });
}

clv_status clv_summarize_json(const char* request_json, char** response_json) {
  return guarded([&] {
    require(request_json, "request_json");
    require(response_json, "response_json");
    *response_json = nullptr;
    *response_json = copy_out(clv::summarize_json(request_json));
    return CLV_OK;
  });
}

}  // extern "C"
