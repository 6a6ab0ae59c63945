#include "service/http_service.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

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
#include "engine/engine_json.hpp"
#include "service/background_worker.hpp"
#include "service/socket_stream.hpp"

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

// Runs a handler body, mapping every exception to a JSON error.
template <typename Body>
void guarded(Response& res, Body&& body) {
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

void require_json_type(const Request& req) {
  const std::string_view type = view(req[http::field::content_type]);
  if (!type.starts_with(kJson)) {
    throw Error::invalid_argument(
        fmt::format("send the body as Content-Type: application/json (got '{}')", type));
  }
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

void set_socket_timeout(int fd, int option, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
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
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
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

// HTTP/1.1 with Boost.Beast's parser and serializer over blocking sockets, one
// thread per open connection (up to options.threads; more wait to be
// accepted). Blocking I/O keeps a score request to one recv and one sendmsg
// and its handler on the thread that read it.
struct HttpService::Impl {
  Engine& engine;
  ServiceOptions options;
  int listener = -1;
  int port = 0;
  BackgroundWorker ingest_worker;

  std::mutex mutex;  // guards the members below
  std::condition_variable changed;
  std::set<int> connections;
  size_t active = 0;
  bool stopping = false;

  Impl(Engine& e, ServiceOptions o)
      : engine(e), options(std::move(o)), ingest_worker(options.ingest_nice) {}

  ~Impl() {
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
    guarded(res, [&] {
      constexpr std::string_view kCustomers = "/v1/customers/", kRuns = "/v1/runs/";
      if (path == "/v1/health") {
        if (!get) return wrong_method();
        json j = to_json(engine.stats());
        j["status"] = "ok";
        j["version"] = CLV_VERSION_STRING;
        send_json(res, 200, j.dump());
      } else if (path == "/v1/transactions") {
        if (!post) return wrong_method();
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
        json list = json::array();
        for (const auto& s : engine.score_many(ids)) list.push_back(to_json(s));
        send_json(res, 200, json{{"scores", std::move(list)}}.dump());
      } else if (path == "/v1/what-if") {
        if (!post) return wrong_method();
        require_json_type(req);
        const EngineWhatIf request = whatif_request_from_json(req.body(), engine.options());
        send_json(res, 200, whatif_result_to_json_text(engine.what_if(request)));
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

  // Reads what is left of a refused request so that closing does not reset
  // the connection before the client has read our answer.
  static void drain(int fd) {
    set_socket_timeout(fd, SO_RCVTIMEO, 1);
    shutdown(fd, SHUT_WR);
    char sink[16384];
    for (size_t total = 0; total < (size_t{64} << 20);) {
      const ssize_t n = recv(fd, sink, sizeof sink, 0);
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
  }

  void serve(int fd) {
    set_socket_timeout(fd, SO_RCVTIMEO, kIdleSeconds);
    set_socket_timeout(fd, SO_SNDTIMEO, kSendTimeoutSeconds);
    const int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    SocketStream stream(fd);
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      boost::beast::error_code ec;
      // From the first read of this request: the idle wait before it is the
      // recv timeout's (kIdleSeconds), not counted here.
      stream.set_deadline(std::chrono::steady_clock::time_point::max());
      if (buffer.size() == 0) {
        boost::beast::error_code idle;
        const size_t n = stream.read_some(buffer.prepare(4096), idle);
        if (idle) return;  // closed, reset or idle too long
        buffer.commit(n);
      }
      stream.set_deadline(std::chrono::steady_clock::now() +
                          std::chrono::seconds(options.request_seconds));
      http::read_header(stream, buffer, parser, ec);
      if (!ec) {
        // Before any body is invited or read.
        Response denied;
        denied.version(parser.get().version());
        const std::string_view target = view(parser.get().target());
        if (!authorized(parser.get(), target.substr(0, target.find('?')), denied)) {
          denied.keep_alive(false);
          denied.prepare_payload();
          http::write(stream, denied, ec);
          drain(fd);
          return;
        }
      }
      // curl and most HTTP clients wait (curl: 1 s) for this before a large body.
      if (!ec && !parser.is_done() &&
          boost::beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, 11};
        http::write(stream, go_on, ec);
      }
      if (!ec && !parser.is_done()) http::read(stream, buffer, parser, ec);
      Response res;
      res.version(parser.is_header_done() ? parser.get().version() : 11);
      if (ec) {
        if (ec == http::error::body_limit) {
          send_error(res, 413, "body_too_large",
                     "the request body exceeds the server's limit; send smaller batches");
        } else if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
                   ec.category() != http::make_error_code(http::error::bad_target).category()) {
          return;  // closed, timed out or reset: nothing to answer
        } else {
          send_error(res, 400, "bad_request",
                     fmt::format("the HTTP request could not be parsed: {}", ec.message()));
        }
        res.keep_alive(false);
        res.prepare_payload();
        http::write(stream, res, ec);
        drain(fd);
        return;
      }
      const Request& req = parser.get();
      handle(req, res);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
      http::write(stream, res, ec);
      if (ec || !res.keep_alive()) return;
    }
  }

  void run() {
    for (;;) {
      {
        std::unique_lock lock(mutex);
        changed.wait(lock,
                     [&] { return stopping || active < static_cast<size_t>(options.threads); });
        if (stopping) break;
      }
      const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        const int error = errno;
        {
          std::lock_guard lock(mutex);
          if (stopping) break;
        }
        if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));  // until one closes
        }
        continue;
      }
      {
        std::lock_guard lock(mutex);
        if (stopping) {
          close(fd);
          break;
        }
        connections.insert(fd);
        ++active;
      }
      auto finish = [this](int done) {
        // Notified under the lock: once it is released run() may return and
        // this Impl go away, so nothing here touches it afterwards.
        std::lock_guard lock(mutex);
        connections.erase(done);
        --active;
        close(done);
        changed.notify_all();
      };
      try {
        std::thread([this, fd, finish] {
          try {
            serve(fd);
          } catch (...) {  // a connection's failure must not end the process
          }
          finish(fd);
        }).detach();
      } catch (const std::system_error&) {  // no thread to be had: refuse this one
        finish(fd);
      }
    }
    // In-flight requests finish; connections waiting for their next request
    // were woken by stop() and end.
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return active == 0; });
  }

  void stop() {
    std::lock_guard lock(mutex);
    if (stopping) return;
    stopping = true;
    shutdown(listener, SHUT_RDWR);                           // wakes accept()
    for (const int fd : connections) shutdown(fd, SHUT_RD);  // wakes idle reads
    changed.notify_all();
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
  impl_->listener = listen_on(o.host, o.port);
  impl_->port = impl_->listener < 0 ? -1 : bound_port(impl_->listener);
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
  impl_->run();
}

void HttpService::stop() {
  impl_->stop();
}

}  // namespace clv
