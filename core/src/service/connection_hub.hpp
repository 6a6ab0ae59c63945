// The service's connections: one epoll thread accepts them, reads each request
// with Beast's push parser as its bytes arrive and hands only complete (and
// authorized) requests to a pool of worker threads. An idle, slow or
// unauthenticated client therefore holds a few kilobytes of memory, never a
// worker: health and scoring stay fast while thousands of such connections
// are open (issue 13, item 17). Limits: a request's header must arrive within
// header_seconds (of the accept, or of its first byte on a kept-alive
// connection) and the whole request within request_seconds; an address holds
// at most max_connections_per_address connections and all addresses
// max_connections. At a cap the new connection is kept and the oldest one that
// is not being served is closed (connections that never completed a request
// first), so a flood from one address cannot shut out another, nor a newcomer.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace clv {

struct HubOptions {
  size_t max_body_bytes = 64 << 20;
  int workers = 64;
  int header_seconds = 1;
  int request_seconds = 60;
  int idle_seconds = 5;  // a kept-alive connection waiting for its next request
  int send_timeout_seconds = 30;
  // A worker that has answered waits this long for the connection's next
  // request before handing it back to the event thread (0: never waits).
  int linger_ms = 10;
  size_t max_connections = 10000;
  size_t max_connections_per_address = 256;
};

using HubRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HubResponse = boost::beast::http::response<boost::beast::http::string_body>;

class ConnectionHub {
 public:
  // Called on the event thread with the request's header only (its body not
  // yet read): false refuses it with the response filled in.
  using Authorize = std::function<bool(const HubRequest&, HubResponse&)>;
  // Called on a worker thread with the whole request.
  using Handle = std::function<void(const HubRequest&, HubResponse&)>;
  // A response to a request Beast could not parse (400) or whose body is too
  // large (413): status, code and message.
  using Refuse = std::function<void(HubResponse&, int, const char*, const char*)>;

  // `listener` is a listening socket the hub does not own.
  ConnectionHub(int listener, HubOptions options, Authorize authorize, Handle handle,
                Refuse refuse);
  ~ConnectionHub();
  ConnectionHub(const ConnectionHub&) = delete;
  ConnectionHub& operator=(const ConnectionHub&) = delete;

  // Serves until stop(); returns after in-flight requests have been answered.
  void run();
  // Thread- and signal-thread-safe; before or during run().
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clv
