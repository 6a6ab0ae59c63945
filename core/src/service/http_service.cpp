#include "service/http_service.hpp"

#include <charconv>

#include <fmt/format.h>
#include <httplib.h>

#include "clv/error.hpp"
#include "clv/version.hpp"
#include "clv/whatif_result.hpp"
#include "engine/engine_json.hpp"
#include "service/background_worker.hpp"

namespace clv {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";

void send_error(httplib::Response& res, int status, std::string_view code,
                std::string_view message) {
  res.status = status;
  res.set_content(json{{"error", {{"code", code}, {"message", message}}}}.dump(), kJson);
}

int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kNotConverged:
      return 422;
    case ErrorCode::kCorruptData:
    case ErrorCode::kIo:
      return 503;
    default:
      return 500;
  }
}

// Runs a handler body, mapping every exception to a JSON error.
template <typename Body>
void guarded(httplib::Response& res, Body&& body) {
  try {
    body();
  } catch (const BatchTooLarge& e) {
    send_error(res, 413, "batch_too_large", e.what());
  } catch (const MissingRunError& e) {
    send_error(res, 409, "no_run", e.what());
  } catch (const Error& e) {
    send_error(res, status_of(e.code()), error_code_name(e.code()), e.what());
  } catch (const std::exception& e) {
    send_error(res, 500, "internal", fmt::format("internal error: {}", e.what()));
  }
}

// Constant time in the length of the expected token.
bool same_token(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  return diff == 0;
}

void require_json_type(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind(kJson, 0) != 0) {
    throw Error::invalid_argument(
        fmt::format("send the body as Content-Type: application/json (got '{}')", type));
  }
}

json require_json_body(const httplib::Request& req) {
  require_json_type(req);
  return parse_json(req.body);
}

size_t limit_param(const httplib::Request& req, size_t fallback, size_t max) {
  if (!req.has_param("limit")) return fallback;
  const std::string text = req.get_param_value("limit");
  size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > max) {
    throw Error::invalid_argument(fmt::format("limit must be an integer in 1..{}", max));
  }
  return value;
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct HttpService::Impl {
  Engine& engine;
  ServiceOptions options;
  httplib::Server server;
  int port = 0;
  BackgroundWorker ingest_worker;

  Impl(Engine& e, ServiceOptions o)
      : engine(e), options(std::move(o)), ingest_worker(options.ingest_nice) {}

  void routes() {
    server.Get("/v1/health", [this](const httplib::Request&, httplib::Response& res) {
      guarded(res, [&] {
        json j = to_json(engine.stats());
        j["status"] = "ok";
        j["version"] = CLV_VERSION_STRING;
        res.set_content(j.dump(), kJson);
      });
    });
    server.Post("/v1/transactions", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        require_json_type(req);
        // Parsing too runs on the ingest worker: it is most of a batch's CPU
        // outside SQLite.
        const IngestResult result = ingest_worker.run([&] {
          return engine.ingest_transactions(
              transactions_from_json_text(req.body, options.max_batch));
        });
        res.set_content(to_json(result).dump(), kJson);
      });
    });
    server.Post("/v1/incidents", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        require_json_type(req);
        const IngestResult result = ingest_worker.run([&] {
          return engine.ingest_incidents(
              incidents_from_json(parse_json(req.body), options.max_batch));
        });
        res.set_content(to_json(result).dump(), kJson);
      });
    });
    server.Get("/v1/customers/at-risk",
               [this](const httplib::Request& req, httplib::Response& res) {
                 guarded(res, [&] {
                   json list = json::array();
                   for (const auto& s : engine.top_at_risk(limit_param(req, 20, 10000))) {
                     list.push_back(to_json(s));
                   }
                   res.set_content(json{{"customers", std::move(list)}}.dump(), kJson);
                 });
               });
    // GET /v1/customers/{id}/scores: score_fast_path, before routing.
    server.Post("/v1/scores", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        const json body = require_json_body(req);
        const auto it = body.find("customer_ids");
        if (!body.is_object() || it == body.end() || !it->is_array()) {
          throw Error::invalid_argument("the body must be {\"customer_ids\": [\"id\", ...]}");
        }
        if (it->size() > options.max_batch) {
          throw BatchTooLarge(
              fmt::format("{} customer ids exceed the limit of {}", it->size(), options.max_batch));
        }
        std::vector<std::string> ids;
        for (const auto& id : *it) {
          if (!id.is_string()) throw Error::invalid_argument("customer_ids must be strings");
          ids.push_back(id.get<std::string>());
        }
        json list = json::array();
        for (const auto& s : engine.score_many(ids)) list.push_back(to_json(s));
        res.set_content(json{{"scores", std::move(list)}}.dump(), kJson);
      });
    });
    server.Get(R"(/v1/customers/([^/]+)/churn-drivers)", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
      guarded(res, [&] {
        res.set_content(to_json(engine.churn_risk(req.matches[1].str()), engine.options()).dump(),
                        kJson);
      });
    });
    server.Post("/v1/what-if", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        require_json_type(req);
        const EngineWhatIf request = whatif_request_from_json(req.body, engine.options());
        res.set_content(whatif_result_to_json_text(engine.what_if(request)), kJson);
      });
    });
    server.Get("/v1/runs", [this](const httplib::Request&, httplib::Response& res) {
      guarded(res, [&] {
        json list = json::array();
        for (const auto& r : engine.runs()) list.push_back(to_json(r));
        res.set_content(json{{"runs", std::move(list)}}.dump(), kJson);
      });
    });
    server.Post("/v1/runs", [this](const httplib::Request&, httplib::Response& res) {
      guarded(res, [&] {
        res.status = 201;
        res.set_content(to_json(engine.refit()).dump(), kJson);
      });
    });
    server.Get(
        R"(/v1/runs/(\d{1,18}))", [this](const httplib::Request& req, httplib::Response& res) {
          guarded(res, [&] {
            res.set_content(to_json(engine.run(std::stoll(req.matches[1].str()))).dump(), kJson);
          });
        });
  }

  // False (and a 401 in `res`) when a token is required and missing or wrong.
  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    if (options.token.empty() || req.path == "/v1/health") return true;
    const std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.rfind(kBearer, 0) == 0 &&
        same_token(std::string_view(auth).substr(kBearer.size()), options.token)) {
      return true;
    }
    res.set_header("WWW-Authenticate", "Bearer");
    send_error(res, 401, "unauthorized",
               auth.empty() ? "send Authorization: Bearer <token>" : "the bearer token is wrong");
    return false;
  }

  // GET /v1/customers/{id}/scores, the request-path call of a CRM, answered
  // before httplib's std::regex routing and without a JSON tree: the same
  // response as the routed handler at a fraction of the CPU.
  bool score_fast_path(const httplib::Request& req, httplib::Response& res) {
    constexpr std::string_view kPrefix = "/v1/customers/", kSuffix = "/scores";
    const std::string_view path = req.path;
    if ((req.method != "GET" && req.method != "HEAD") ||
        path.size() <= kPrefix.size() + kSuffix.size() || !path.starts_with(kPrefix) ||
        !path.ends_with(kSuffix)) {
      return false;
    }
    const std::string_view id =
        path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
    if (id.find('/') != std::string_view::npos) return false;
    guarded(res, [&] { res.set_content(score_json_text(engine.score(id)), kJson); });
    return true;
  }

  void guards() {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return httplib::Server::HandlerResponse::Handled;
      return score_fast_path(req, res) ? httplib::Server::HandlerResponse::Handled
                                       : httplib::Server::HandlerResponse::Unhandled;
    });
    // Statuses httplib sets itself (404 no route, 413 body too large, 400
    // unparsable request) get the same JSON error shape as ours.
    server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                     httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      switch (res.status) {
        case 404:
          send_error(res, 404, "no_route", fmt::format("no endpoint {} {}", req.method, req.path));
          break;
        case 413:
          send_error(res, 413, "body_too_large",
                     "the request body exceeds the server's limit; send smaller batches");
          break;
        case 405:
          send_error(res, 405, "method_not_allowed", "this method is not allowed here");
          break;
        default:
          send_error(res, res.status, "bad_request",
                     fmt::format("the HTTP request could not be processed (status {}{})",
                                 res.status, res.status == 411 ? ": send a Content-Length" : ""));
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          send_error(res, 500, "internal", "internal error while handling the request");
        });
    server.set_payload_max_length(options.max_body_bytes);
  }
};

HttpService::HttpService(Engine& engine, ServiceOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {
  const ServiceOptions& o = impl_->options;
  if (!is_loopback_host(o.host) && o.token.empty()) {
    throw Error::invalid_argument(fmt::format(
        "binding {} (not loopback) needs a bearer token: --token-file FILE or CLV_SERVE_TOKEN",
        o.host));
  }
  if (o.threads < 1) throw Error::invalid_argument("threads must be >= 1");
  const int threads = o.threads;
  impl_->server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  impl_->server.set_tcp_nodelay(true);  // else Nagle + delayed ACK add 40 ms per response
  impl_->server.set_keep_alive_max_count(1000000);
  impl_->server.set_read_timeout(30, 0);
  impl_->routes();
  impl_->guards();
  impl_->port = o.port == 0 ? impl_->server.bind_to_any_port(o.host)
                            : (impl_->server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (impl_->port < 0) {
    throw Error::io(
        fmt::format("cannot listen on {}:{} (in use or not a local address)", o.host, o.port));
  }
}

HttpService::~HttpService() = default;

int HttpService::port() const {
  return impl_->port;
}

void HttpService::run() {
  impl_->server.listen_after_bind();
}

void HttpService::stop() {
  impl_->server.stop();
}

}  // namespace clv
