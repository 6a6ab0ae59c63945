#include "service/connection_hub.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include "service/socket_stream.hpp"

namespace clv {
namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kListenerId = 0, kWakeId = 1;
constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kMaxDrainBytes = size_t{64} << 20;

void set_socket_timeout(int fd, int option, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

// The peer's address bytes (port excluded): the key of the per-address cap.
std::string address_key(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a).sin_addr;
    return std::string(reinterpret_cast<const char*>(&v4), sizeof v4);
  }
  if (a.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a).sin6_addr;
    return std::string(reinterpret_cast<const char*>(&v6), sizeof v6);
  }
  return {};
}

// Which connection to close first at a cap: ones that never completed a
// request before ones that did, then the oldest.
using EvictionKey = std::pair<bool, uint64_t>;  // (served, id)

}  // namespace

struct ConnectionHub::Impl {
  enum class State { kReading, kDraining, kWorking };

  struct Connection {
    uint64_t id = 0;
    int fd = -1;
    std::string address;
    State state = State::kReading;
    bool served = false;          // completed at least one request
    bool started = false;         // a byte of the current request has arrived
    bool header_checked = false;  // authorized, 100-continue sent
    Clock::time_point deadline{}, request_deadline{};
    size_t drained = 0;
    boost::beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
  };

  struct Address {
    size_t open = 0;
    std::set<EvictionKey> parked;  // connections not with a worker
  };

  int listener;
  HubOptions options;
  Authorize authorize;
  Handle handle;
  Refuse refuse;
  int epoll = -1;
  int wake = -1;  // eventfd: stop() and pipelined requests handed back
  std::vector<char> chunk = std::vector<char>(kReadChunk);  // the event thread's reads
  bool listener_off = false;  // event thread: out of descriptors, not accepting for a while
  Clock::time_point resume_accept{};
  std::atomic<bool> stopping{false};

  // Guards the members below. The event thread reads and parses a connection
  // in kReading/kDraining without it (only it touches those), workers one in
  // kWorking; the tables and the hand-over between the two are guarded.
  std::mutex mutex;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections;
  std::unordered_map<std::string, Address> addresses;
  std::set<EvictionKey> parked;                                // all addresses
  std::set<std::pair<Clock::time_point, uint64_t>> deadlines;  // parked connections
  std::vector<uint64_t> handed_back;                           // with pipelined bytes to parse
  uint64_t next_id = 2;

  std::mutex work_mutex;
  std::condition_variable work_ready, work_done;
  std::deque<Connection*> work;
  size_t working = 0;    // connections with a worker
  size_t lingering = 0;  // workers waiting for their connection's next request
  bool workers_exit = false;
  std::vector<std::thread> workers;

  Impl(int l, HubOptions o, Authorize a, Handle h, Refuse r)
      : listener(l),
        options(std::move(o)),
        authorize(std::move(a)),
        handle(std::move(h)),
        refuse(std::move(r)) {
    epoll = epoll_create1(EPOLL_CLOEXEC);
    wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll < 0 || wake < 0) throw std::system_error(errno, std::system_category(), "epoll");
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = kWakeId;
    epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &e);
  }

  ~Impl() {
    if (epoll >= 0) close(epoll);
    if (wake >= 0) close(wake);
  }

  void notify() {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake, &one, sizeof one);
  }

  // --- with `mutex` held ------------------------------------------------

  void park(Connection& c, Clock::time_point deadline) {
    c.deadline = deadline;
    deadlines.emplace(deadline, c.id);
    parked.emplace(c.served, c.id);
    addresses[c.address].parked.emplace(c.served, c.id);
  }

  void unpark(Connection& c) {
    deadlines.erase({c.deadline, c.id});
    parked.erase({c.served, c.id});
    addresses[c.address].parked.erase({c.served, c.id});
  }

  void set_deadline(Connection& c, Clock::time_point deadline) {
    deadlines.erase({c.deadline, c.id});
    c.deadline = deadline;
    deadlines.emplace(deadline, c.id);
  }

  void rearm(Connection& c) {
    epoll_event e{};
    e.events = EPOLLIN | EPOLLONESHOT;
    e.data.u64 = c.id;
    epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &e);
  }

  void close_locked(uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    Connection& c = *it->second;
    if (c.state != State::kWorking) unpark(c);
    auto a = addresses.find(c.address);
    if (a != addresses.end() && --a->second.open == 0) addresses.erase(a);
    close(c.fd);  // also leaves the epoll set
    connections.erase(it);
  }

  // Closes the first connection of `from` (an eviction order), if any.
  bool evict_first(const std::set<EvictionKey>& from) {
    if (from.empty()) return false;
    close_locked(from.begin()->second);
    return true;
  }

  // --- event thread -------------------------------------------------------

  void accept_all() {
    for (;;) {
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      const int fd = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: make room from the parked, else wait for a close.
          {
            std::lock_guard lock(mutex);
            if (evict_first(parked)) continue;
          }
          listener_off = true;
          resume_accept = Clock::now() + std::chrono::milliseconds(100);
          epoll_event e{};
          e.data.u64 = kListenerId;
          epoll_ctl(epoll, EPOLL_CTL_MOD, listener, &e);  // no events until resumed
        }
        return;  // EAGAIN: all accepted; others (listener shut down): stop() says
      }
      set_socket_timeout(fd, SO_SNDTIMEO, options.send_timeout_seconds);
      const int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      const Clock::time_point now = Clock::now();
      std::lock_guard lock(mutex);
      std::string key = address_key(peer);
      Address& address = addresses[key];
      if ((address.open >= options.max_connections_per_address && !evict_first(address.parked)) ||
          (connections.size() >= options.max_connections && !evict_first(parked))) {
        close(fd);  // every connection at the cap is being served: refuse this one
        if (auto a = addresses.find(key); a != addresses.end() && a->second.open == 0) {
          addresses.erase(a);
        }
        continue;
      }
      auto owned = std::make_unique<Connection>();
      Connection& c = *owned;
      c.id = next_id++;
      c.fd = fd;
      c.address = std::move(key);
      // A new connection's request starts at its accept.
      c.started = true;
      c.request_deadline = now + std::chrono::seconds(options.request_seconds);
      ++addresses[c.address].open;
      park(c, now + std::chrono::seconds(options.header_seconds));
      connections.emplace(c.id, std::move(owned));
      epoll_event e{};
      e.events = EPOLLIN | EPOLLONESHOT;
      e.data.u64 = c.id;
      if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &e) != 0) close_locked(c.id);
    }
  }

  Connection* find(uint64_t id) {
    std::lock_guard lock(mutex);
    auto it = connections.find(id);
    return it == connections.end() || it->second->state == State::kWorking ? nullptr
                                                                           : it->second.get();
  }

  void close_connection(Connection& c) {
    std::lock_guard lock(mutex);
    close_locked(c.id);
  }

  // Sends a small response from the event thread and drains what the client
  // still sends, so that closing does not reset the connection before the
  // client has read the answer.
  void answer_and_drain(Connection& c, HubResponse& res) {
    res.keep_alive(false);
    res.prepare_payload();
    std::ostringstream text;
    text << res;
    const std::string bytes = text.str();
    const ssize_t n = send(c.fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(bytes.size())) return close_connection(c);
    shutdown(c.fd, SHUT_WR);
    c.state = State::kDraining;
    c.parser.reset();
    c.buffer.clear();
    std::lock_guard lock(mutex);
    set_deadline(c, Clock::now() + std::chrono::seconds(1));
    rearm(c);
  }

  // Reads what has arrived and advances the request; hands a complete one to a
  // worker. Returns without touching `c` again once it is handed over or closed.
  void on_readable(Connection& c) {
    if (c.state == State::kDraining) {
      char sink[16384];
      for (;;) {
        const ssize_t n = recv(c.fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0 && (c.drained += static_cast<size_t>(n)) < kMaxDrainBytes) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return close_connection(c);  // end of stream, error or enough
      }
      std::lock_guard lock(mutex);
      rearm(c);
      return;
    }
    bool end_of_stream = false;
    for (;;) {
      // Into one shared chunk, then only what arrived into the connection's
      // buffer: a thousand idle or trickling connections hold bytes, not chunks.
      const ssize_t n = recv(c.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n > 0) {
        const size_t got = static_cast<size_t>(n);
        std::memcpy(c.buffer.prepare(got).data(), chunk.data(), got);
        c.buffer.commit(got);
        if (got < chunk.size()) break;
        // A full chunk: more may be waiting, unless the request is complete.
        if (parse(c) != Progress::kNeedMore) return;
        continue;
      }
      if (n == 0) {
        end_of_stream = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        return close_connection(c);
      }
      break;
    }
    if (parse(c) != Progress::kNeedMore) return;
    if (end_of_stream) return close_connection(c);
    std::lock_guard lock(mutex);
    rearm(c);
  }

  enum class Progress { kNeedMore, kDone };  // kDone: handed over, answered or closed

  Progress parse(Connection& c) {
    if (c.buffer.size() == 0) return Progress::kNeedMore;
    if (!c.started) {  // the first byte of a request on a kept-alive connection
      c.started = true;
      const Clock::time_point now = Clock::now();
      c.request_deadline = now + std::chrono::seconds(options.request_seconds);
      std::lock_guard lock(mutex);
      set_deadline(c, now + std::chrono::seconds(options.header_seconds));
    }
    if (!c.parser) {
      c.parser.emplace();
      c.parser->body_limit(options.max_body_bytes);
    }
    auto& parser = *c.parser;
    while (c.buffer.size() > 0 && !parser.is_done()) {
      boost::beast::error_code ec;
      const size_t used = parser.put(c.buffer.data(), ec);
      c.buffer.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) {
        HubResponse res;
        res.version(parser.is_header_done() ? parser.get().version() : 11);
        if (ec == http::error::body_limit) {
          refuse(res, 413, "body_too_large",
                 "the request body exceeds the server's limit; send smaller batches");
        } else {
          refuse(res, 400, "bad_request",
                 ("the HTTP request could not be parsed: " + ec.message()).c_str());
        }
        answer_and_drain(c, res);
        return Progress::kDone;
      }
      if (parser.is_header_done() && !c.header_checked) {
        c.header_checked = true;
        {
          std::lock_guard lock(mutex);
          set_deadline(c, c.request_deadline);
        }
        HubResponse denied;
        denied.version(parser.get().version());
        if (!authorize(parser.get(), denied)) {
          answer_and_drain(c, denied);
          return Progress::kDone;
        }
        // curl and most HTTP clients wait (curl: 1 s) for this before a large body.
        if (!parser.is_done() &&
            boost::beast::iequals(parser.get()[http::field::expect], "100-continue")) {
          constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          if (send(c.fd, kContinue.data(), kContinue.size(), MSG_DONTWAIT | MSG_NOSIGNAL) !=
              static_cast<ssize_t>(kContinue.size())) {
            close_connection(c);
            return Progress::kDone;
          }
        }
      }
      if (used == 0) break;
    }
    if (!parser.is_done()) return Progress::kNeedMore;
    {
      std::lock_guard lock(mutex);
      unpark(c);
      c.state = State::kWorking;
    }
    std::lock_guard lock(work_mutex);
    work.push_back(&c);
    ++working;
    work_ready.notify_one();
    return Progress::kDone;
  }

  void expire(Clock::time_point now) {
    std::lock_guard lock(mutex);
    while (!deadlines.empty() && deadlines.begin()->first <= now) {
      close_locked(deadlines.begin()->second);
    }
  }

  int wait_ms(Clock::time_point now) {
    std::lock_guard lock(mutex);
    Clock::time_point next = now + std::chrono::seconds(1);
    if (!deadlines.empty()) next = std::min(next, deadlines.begin()->first);
    if (listener_off) next = std::min(next, resume_accept);
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::max<int64_t>(ms, 0));
  }

  void event_loop() {
    {
      epoll_event e{};
      e.events = EPOLLIN;
      e.data.u64 = kListenerId;
      epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &e);
    }
    std::vector<epoll_event> events(256);
    while (!stopping) {
      const int n =
          epoll_wait(epoll, events.data(), static_cast<int>(events.size()), wait_ms(Clock::now()));
      for (int i = 0; i < n && !stopping; ++i) {
        const uint64_t id = events[static_cast<size_t>(i)].data.u64;
        if (id == kListenerId) {
          accept_all();
        } else if (id == kWakeId) {
          uint64_t count;
          [[maybe_unused]] const ssize_t r = read(wake, &count, sizeof count);
          std::vector<uint64_t> ready;
          {
            std::lock_guard lock(mutex);
            ready.swap(handed_back);
          }
          for (const uint64_t back : ready) {
            if (Connection* c = find(back)) {
              if (parse(*c) == Progress::kNeedMore) {
                std::lock_guard lock(mutex);
                rearm(*c);
              }
            }
          }
        } else if (Connection* c = find(id)) {
          on_readable(*c);
        }
      }
      const Clock::time_point now = Clock::now();
      expire(now);
      if (listener_off && now >= resume_accept) {
        listener_off = false;
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u64 = kListenerId;
        epoll_ctl(epoll, EPOLL_CTL_MOD, listener, &e);
      }
    }
    epoll_ctl(epoll, EPOLL_CTL_DEL, listener, nullptr);
    // Parked connections close now; those with a worker once it has answered.
    std::lock_guard lock(mutex);
    while (!parked.empty()) close_locked(parked.begin()->second);
  }

  // --- workers ------------------------------------------------------------

  void worker_loop() {
    for (;;) {
      Connection* c = nullptr;
      {
        std::unique_lock lock(work_mutex);
        work_ready.wait(lock, [&] { return workers_exit || !work.empty(); });
        if (work.empty()) return;
        c = work.front();
        work.pop_front();
      }
      serve(*c);
      std::lock_guard lock(work_mutex);
      --working;
      work_done.notify_all();
    }
  }

  // Runs `req` and writes the answer; false when the connection is to close.
  bool respond(Connection& c, const HubRequest& req) {
    HubResponse res;
    res.version(req.version());
    try {
      handle(req, res);
    } catch (...) {  // handle() answers its own errors; this is a last resort
      refuse(res, 500, "internal", "internal error");
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
    SocketStream stream(c.fd);
    boost::beast::error_code ec;
    try {
      http::write(stream, res, ec);
    } catch (...) {
      ec = boost::asio::error::fault;
    }
    return !ec && res.keep_alive();
  }

  // A worker that has just answered waits a moment for the connection's next
  // request and runs it itself: a busy keep-alive client (a CRM's pool, wrk)
  // then costs one poll and one recv per request, as with a thread per
  // connection, instead of a trip through the event thread. Only while no
  // request waits for a worker and at most half of them linger.
  bool linger() {
    std::lock_guard lock(work_mutex);
    if (!work.empty() || lingering >= static_cast<size_t>(options.workers) / 2) return false;
    ++lingering;
    return true;
  }

  // The next request, complete in the connection's buffer (after at most one
  // short wait), authorized and ready to run; false leaves the buffer as it
  // was for the event thread (partial, refused or malformed requests are its).
  bool next_request(Connection& c, HubRequest& req) {
    if (c.buffer.size() == 0) {
      if (options.linger_ms <= 0 || !linger()) return false;
      pollfd p{c.fd, POLLIN, 0};
      const int ready = poll(&p, 1, options.linger_ms);
      {
        std::lock_guard lock(work_mutex);
        --lingering;
      }
      if (ready <= 0) return false;
      thread_local std::vector<char> chunk(kReadChunk);
      for (;;) {
        const ssize_t n = recv(c.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
        if (n <= 0) break;  // the event thread sees an end or error again
        const size_t got = static_cast<size_t>(n);
        std::memcpy(c.buffer.prepare(got).data(), chunk.data(), got);
        c.buffer.commit(got);
        if (got < chunk.size()) break;
      }
      if (c.buffer.size() == 0) return false;
    }
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    auto bytes = c.buffer.data();
    size_t used = 0;
    while (!parser.is_done() && used < bytes.size()) {
      boost::beast::error_code ec;
      const size_t n =
          parser.put(boost::asio::const_buffer(static_cast<const char*>(bytes.data()) + used,
                                               bytes.size() - used),
                     ec);
      if (ec || n == 0) return false;  // need_more included
      used += n;
    }
    if (!parser.is_done()) return false;
    HubResponse denied;
    if (!authorize(parser.get(), denied)) return false;
    c.buffer.consume(used);
    req = parser.release();
    return true;
  }

  void serve(Connection& c) {
    HubRequest req = c.parser->release();
    c.parser.reset();
    bool keep = respond(c, req);
    while (keep && !stopping && next_request(c, req)) keep = respond(c, req);
    std::lock_guard lock(mutex);
    if (!keep || stopping) return close_locked(c.id);
    c.state = State::kReading;
    c.served = true;
    c.started = false;
    c.header_checked = false;
    park(c, Clock::now() + std::chrono::seconds(options.idle_seconds));
    if (c.buffer.size() > 0) {  // pipelined or partial: the event thread parses it
      handed_back.push_back(c.id);
      notify();
    } else {
      rearm(c);  // under the lock: the event thread may close it right after
    }
  }

  void run() {
    workers_exit = false;
    for (int i = 0; i < options.workers; ++i) workers.emplace_back([this] { worker_loop(); });
    event_loop();
    {
      std::unique_lock lock(work_mutex);
      work_done.wait(lock, [&] { return working == 0; });
      workers_exit = true;
      work_ready.notify_all();
    }
    for (auto& t : workers) t.join();
    workers.clear();
  }
};

ConnectionHub::ConnectionHub(int listener, HubOptions options, Authorize authorize, Handle handle,
                             Refuse refuse)
    : impl_(std::make_unique<Impl>(listener, std::move(options), std::move(authorize),
                                   std::move(handle), std::move(refuse))) {}

ConnectionHub::~ConnectionHub() = default;

void ConnectionHub::run() {
  impl_->run();
}

void ConnectionHub::stop() {
  impl_->stopping = true;
  impl_->notify();
}

}  // namespace clv
