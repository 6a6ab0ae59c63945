#include "clv/http_service.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <initializer_list>

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "clv/error.hpp"
#include "clv/predict.hpp"
#include "clv/summary_request.hpp"
#include "clv/version.hpp"
#include "clv/whatif_result.hpp"
#include "domain/json_nesting.hpp"
#include "engine/engine_json.hpp"
#include "service/background_worker.hpp"
#include "service/connection_hub.hpp"
#include "service/json_overflow_path.hpp"

namespace clv {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr const char* kJson = "application/json";

// Boost 1.74's Beast has its own string_view.
std::string_view view(boost::beast::string_view s) {
  return {s.data(), s.size()};
}
// An idle keep-alive connection is closed after this long; so is one whose
// client stops sending or reading mid-request.
constexpr int kIdleSeconds = 5;
constexpr int kSendTimeoutSeconds = 30;

void send_json(Response& res, int status, std::string body) {
  res.result(static_cast<unsigned>(status));
  res.set(http::field::content_type, kJson);
  res.body() = std::move(body);
}

void send_error(Response& res, int status, std::string_view code, std::string_view message) {
  // Messages may quote client bytes (an id, a header) that are not UTF-8:
  // replaced, never thrown.
  send_json(res, status,
            json{{"error", {{"code", code}, {"message", message}}}}.dump(
                -1, ' ', false, json::error_handler_t::replace));
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

// Runs a handler body, mapping every exception to a JSON error. `text` is the
// request body, searched for the field when a number overflows.
template <typename Body>
void guarded(Response& res, std::string_view text, Body&& body) {
  try {
    body();
  } catch (const json::out_of_range& e) {
    if (e.id != 406) throw;  // 406: a number beyond double range, from any of the parsers
    const std::string field = json_path_of_overflow(text);
    send_error(res, 400, error_code_name(ErrorCode::kInvalidArgument),
               fmt::format("{} is out of range: numbers must fit a double (at most about 1.8e308)",
                           field.empty() ? std::string("a number") : "field '" + field + "'"));
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

void require_json_type(const Request& req) {
  const std::string_view type = view(req[http::field::content_type]);
  if (!type.starts_with(kJson)) {
    throw Error::invalid_argument(
        fmt::format("send the body as Content-Type: application/json (got '{}')", type));
  }
}

// A JSON body, checked for nesting before any parser walks it (parse_json
// checks it too; what-if's parser is its own).
void require_json(const Request& req) {
  require_json_type(req);
  check_json_nesting(req.body());
}

json require_json_body(const Request& req) {
  require_json_type(req);
  return parse_json(req.body());
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes of a path or query value (ids may hold any character).
std::string percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
    if (lo < 0) throw Error::invalid_argument("the request path has a bad %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The %-decoded segment of `path` between `prefix` and `suffix`, if the path
// is exactly prefix + one non-empty segment + suffix.
std::optional<std::string> id_between(std::string_view path, std::string_view prefix,
                                      std::string_view suffix) {
  if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
      !path.ends_with(suffix)) {
    return std::nullopt;
  }
  const std::string_view raw =
      path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (raw.find('/') != std::string_view::npos) return std::nullopt;
  return percent_decoded(raw);
}

// The value of `name` in a query string, if present.
std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return percent_decoded(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// Refuses a query parameter the endpoint does not know (a typo must not be
// ignored silently, as unknown JSON fields are not).
void require_known_params(std::string_view query, std::initializer_list<std::string_view> known) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::string name = percent_decoded(pair.substr(0, pair.find('=')));
    if (!name.empty() && std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw Error::invalid_argument(
          fmt::format("query parameter '{}' is not known (known: {})", name, list));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

size_t limit_param(std::string_view query, size_t fallback, size_t max) {
  const std::optional<std::string> text = query_param(query, "limit");
  if (!text) return fallback;
  size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value == 0 || value > max) {
    throw Error::invalid_argument(fmt::format("limit must be an integer in 1..{}", max));
  }
  return value;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// A listening socket on host:port (port 0: any free port), or -1.
int listen_on(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

// Open connections the process can hold: the descriptor limit, raised to its
// hard maximum (as Go's runtime does), less a reserve for the database, the
// plugins and the listener.
size_t connection_capacity() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1000;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = std::min<rlim_t>(limit.rlim_max, 1 << 20);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  constexpr rlim_t kReserve = 128;
  return limit.rlim_cur > 2 * kReserve ? static_cast<size_t>(limit.rlim_cur - kReserve)
                                       : static_cast<size_t>(limit.rlim_cur / 2);
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// HTTP/1.1 with Boost.Beast's parser and serializer: the ConnectionHub reads
// requests on one epoll thread and runs each complete one here, on one of
// options.threads workers that writes the answer with one sendmsg.
struct HttpService::Impl {
  Engine& engine;
  ServiceOptions options;
  int listener = -1;
  int port = 0;
  BackgroundWorker ingest_worker;
  std::unique_ptr<ConnectionHub> hub;

  Impl(Engine& e, ServiceOptions o)
      : engine(e), options(std::move(o)), ingest_worker(options.ingest_nice) {}

  ~Impl() {
    hub.reset();
    if (listener >= 0) close(listener);
  }

  // False (and a 401 in `res`) when a token is required and missing or wrong.
  bool authorized(const Request& req, std::string_view path, Response& res) const {
    if (options.token.empty() || path == "/v1/health") return true;
    const std::string_view auth = view(req[http::field::authorization]);
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.starts_with(kBearer) && same_token(auth.substr(kBearer.size()), options.token)) {
      return true;
    }
    res.set(http::field::www_authenticate, "Bearer");
    send_error(res, 401, "unauthorized",
               auth.empty() ? "send Authorization: Bearer <token>" : "the bearer token is wrong");
    return false;
  }

  void handle(const Request& req, Response& res) {
    const std::string_view target = view(req.target());
    const size_t question = target.find('?');
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    // Routes match the raw path; only an id segment is %-decoded, so that an
    // id may hold any character, '/' included.
    const std::string_view path = target.substr(0, question);
    const http::verb method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    const bool post = method == http::verb::post;
    // Known path, wrong method.
    auto wrong_method = [&] {
      send_error(res, 405, "method_not_allowed",
                 fmt::format("{} is not allowed on {}", view(req.method_string()), path));
    };
    guarded(res, req.body(), [&] {
      constexpr std::string_view kCustomers = "/v1/customers/", kRuns = "/v1/runs/";
      if (path == "/v1/health") {
        if (!get) return wrong_method();
        json j = to_json(engine.stats());
        j["status"] = "ok";
        j["version"] = CLV_VERSION_STRING;
        send_json(res, 200, j.dump());
      } else if (path == "/v1/transactions") {
        if (!post) return wrong_method();
        // Nesting is checked by parse_json, after the fast path (simdjson bounds depth itself).
        require_json_type(req);
        // Parsed here, so that batches from several connections parse in
        // parallel while the worker stores the previous one.
        const std::vector<TransactionRecord> batch =
            transactions_from_json_text(req.body(), options.max_batch);
        const IngestResult result =
            ingest_worker.run([&] { return engine.ingest_transactions(batch); });
        send_json(res, 200, to_json(result).dump());
      } else if (path == "/v1/incidents") {
        if (!post) return wrong_method();
        require_json_type(req);
        const std::vector<IncidentRecord> batch =
            incidents_from_json(parse_json(req.body()), options.max_batch);
        const IngestResult result =
            ingest_worker.run([&] { return engine.ingest_incidents(batch); });
        send_json(res, 200, to_json(result).dump());
      } else if (path == "/v1/customers") {
        // Customers (sector, segment, region, attributes) and employees, with
        // the CSV import's rules, through the same worker as the other writes.
        if (!post) return wrong_method();
        require_json_type(req);
        const std::vector<CustomerDetails> batch =
            customers_from_json(parse_json(req.body()), options.max_batch);
        const IngestResult result =
            ingest_worker.run([&] { return engine.ingest_customers(batch); });
        send_json(res, 200, to_json(result).dump());
      } else if (path == "/v1/employees") {
        if (!post) return wrong_method();
        require_json_type(req);
        const std::vector<EmployeeDetails> batch =
            employees_from_json(parse_json(req.body()), options.max_batch);
        const IngestResult result =
            ingest_worker.run([&] { return engine.ingest_employees(batch); });
        send_json(res, 200, to_json(result).dump());
      } else if (path == "/v1/customers/at-risk") {
        if (!get) return wrong_method();
        json list = json::array();
        for (const auto& s : engine.top_at_risk(limit_param(query, 20, 10000))) {
          list.push_back(to_json(s));
        }
        send_json(res, 200, json{{"customers", std::move(list)}}.dump());
      } else if (const auto id = id_between(path, kCustomers, "/scores")) {
        // The request-path call of a CRM: no JSON tree on the way out.
        if (!get) return wrong_method();
        send_json(res, 200, score_json_text(engine.score(*id)));
      } else if (const auto id = id_between(path, kCustomers, "/churn-drivers")) {
        if (!get) return wrong_method();
        send_json(res, 200, to_json(engine.churn_risk(*id), engine.options()).dump());
      } else if (path == "/v1/scores") {
        if (!post) return wrong_method();
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
        // Per id: one unknown customer must not fail the others. Each score is
        // consistent on its own (a whole ingested batch or none of it).
        json list = json::array(), missing = json::array();
        for (const std::string& id : ids) {
          try {
            list.push_back(to_json(engine.score(id)));
          } catch (const MissingRunError&) {
            throw;  // no run: nothing can be scored (409)
          } catch (const Error& e) {
            if (e.code() != ErrorCode::kNotFound) throw;
            missing.push_back({{"customer_id", id}, {"message", e.what()}});
          }
        }
        send_json(res, 200,
                  json{{"scores", std::move(list)}, {"not_found", std::move(missing)}}.dump(
                      -1, ' ', false, json::error_handler_t::replace));
      } else if (path == "/v1/what-if") {
        if (!post) return wrong_method();
        require_json(req);
        const EngineWhatIf request = whatif_request_from_json(req.body(), engine.options());
        send_json(res, 200, whatif_result_to_json_text(engine.what_if(request)));
      } else if (path == "/v1/churn/fit") {
        if (!post) return wrong_method();
        require_json(req);
        const ChurnFitRequest request = churn_fit_request_from_json(req.body());
        send_json(res, 201, churn_result_json(engine.churn_fit(request)));
      } else if (path == "/v1/pg/run") {
        // The CRM's PostgreSQL job on the source the service was started
        // with (clv serve --pg-source-file, --pg-mapping); a request never
        // carries a connection string.
        if (!post) return wrong_method();
        require_json(req);
        send_json(res, 201, pg_run_json(engine, req.body()));
      } else if (path == "/v1/service") {
        if (!get) return wrong_method();
        require_known_params(
            query, {"by", "run", "horizon", "wom_told_satisfied_low", "wom_told_satisfied_high",
                    "wom_told_unhappy", "wom_conversion", "wom_satisfied_min_satisfaction",
                    "wom_unhappy_max_satisfaction", "wom_value_per_prospect"});
        ServiceReportRequest request = service_request_from_text(
            query_param(query, "by").value_or(""), query_param(query, "run").value_or(""),
            query_param(query, "horizon").value_or(""));
        word_of_mouth_from_text(request,
                                [&](const std::string& name) -> std::optional<std::string> {
                                  if (auto v = query_param(query, name)) return std::string(*v);
                                  return std::nullopt;
                                });
        send_json(res, 200, service_report_json(engine.service_report(request)));
      } else if (path == "/v1/predict") {
        if (!post) return wrong_method();
        require_json_type(req);
        send_json(res, 200, predict_json(req.body()));
      } else if (path == "/v1/summary") {
        if (!post) return wrong_method();
        require_json_type(req);
        send_json(res, 200, summarize_json(req.body()));
      } else if (path == "/v1/runs") {
        if (get) {
          json list = json::array();
          for (const auto& r : engine.runs()) list.push_back(to_json(r));
          send_json(res, 200, json{{"runs", std::move(list)}}.dump());
        } else if (post) {
          send_json(res, 201, to_json(engine.refit()).dump());
        } else {
          wrong_method();
        }
      } else if (path.starts_with(kRuns) && all_digits(path.substr(kRuns.size())) &&
                 path.size() - kRuns.size() <= 18) {
        if (!get) return wrong_method();
        send_json(res, 200,
                  to_json(engine.run(std::stoll(std::string(path.substr(kRuns.size()))))).dump());
      } else {
        send_error(res, 404, "no_route",
                   fmt::format("no endpoint {} {}", view(req.method_string()), path));
      }
    });
  }

  void refuse(Response& res, int status, const char* code, const char* message) const {
    send_error(res, status, code, message);
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
  if (o.header_seconds < 1 || o.request_seconds < 1) {
    throw Error::invalid_argument("header and request timeouts must be >= 1 second");
  }
  if (o.max_connections_per_address < 1) {
    throw Error::invalid_argument("max connections per address must be >= 1");
  }
  impl_->listener = listen_on(o.host, o.port);
  impl_->port = impl_->listener < 0 ? -1 : bound_port(impl_->listener);
  if (impl_->port < 0) {
    throw Error::io(
        fmt::format("cannot listen on {}:{} (in use or not a local address)", o.host, o.port));
  }
  HubOptions hub;
  hub.max_body_bytes = o.max_body_bytes;
  hub.workers = o.threads;
  hub.header_seconds = o.header_seconds;
  hub.request_seconds = o.request_seconds;
  hub.idle_seconds = kIdleSeconds;
  hub.send_timeout_seconds = kSendTimeoutSeconds;
  hub.max_connections = o.max_connections ? o.max_connections : connection_capacity();
  hub.max_connections_per_address = o.max_connections_per_address;
  Impl* impl = impl_.get();
  impl_->hub = std::make_unique<ConnectionHub>(
      impl_->listener, hub,
      [impl](const Request& req, Response& res) {
        const std::string_view target = view(req.target());
        return impl->authorized(req, target.substr(0, target.find('?')), res);
      },
      [impl](const Request& req, Response& res) { impl->handle(req, res); },
      [impl](Response& res, int status, const char* code, const char* message) {
        impl->refuse(res, status, code, message);
      });
}

HttpService::~HttpService() = default;

int HttpService::port() const {
  return impl_->port;
}

void HttpService::run() {
  impl_->hub->run();
}

void HttpService::stop() {
  impl_->hub->stop();
}

}  // namespace clv
