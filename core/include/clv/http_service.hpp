// `clv serve`: the engine as a local HTTP/JSON service (Boost.Beast over epoll). Every
// endpoint is under /v1; errors are {"error": {"code", "message"}} with a 4xx
// or 5xx status. Ingests are committed before they are acknowledged, so a
// crash after a 200 loses nothing.
#pragma once

#include <memory>
#include <string>

#include "clv/engine.hpp"

namespace clv {

struct ServiceOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port (see HttpService::port)
  // Bearer token; required when host is not a loopback address.
  std::string token;
  size_t max_body_bytes = 64 << 20;
  size_t max_batch = 100000;  // records per ingest batch
  // Workers running complete requests; reading requests (idle, slow or
  // unauthenticated clients) is one event thread's, so needs none.
  int threads = 64;
  // Ingests run on one background thread this much nicer than the request
  // threads (Linux nice), so scoring keeps its latency when CPU is short.
  int ingest_nice = 10;
  // A request must arrive whole within this many seconds of its first read,
  // so a client trickling bytes cannot hold a connection thread for long.
  int request_seconds = 60;
  // A request's header must arrive within this many seconds of the accept (of
  // its first byte on a kept-alive connection).
  int header_seconds = 1;
  // Open connections, in all (0 = what the descriptor limit allows) and per
  // client address. At a cap the oldest connection not being served is closed.
  size_t max_connections = 0;
  size_t max_connections_per_address = 256;
};

class HttpService {
 public:
  // Throws Error::invalid_argument for a non-loopback host without a token
  // and Error::io when the address cannot be bound.
  HttpService(Engine& engine, ServiceOptions options);
  ~HttpService();

  int port() const;
  // Serves until stop(); returns after in-flight requests have finished.
  void run();
  // Thread- and signal-thread-safe.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace clv
