// Throw-away PostgreSQL 15 servers for tests: initdb once into a template
// (shared by test runs, guarded by a lock), then each server is a copy of it
// in a temporary directory, started by pg_ctl on a free loopback port (as the
// `postgres` user when the tests run as root: initdb refuses root). Never a
// system service; stopped and removed by the destructor.
#pragma once

#include <memory>
#include <string>

namespace clv_test {

class PgTestServer {
 public:
  // Empty with `why` set when the server binaries are absent (then tests skip);
  // throws std::runtime_error (with the server log) when they are present but
  // the server does not start.
  // `settings` are extra server options ("-c shared_buffers=1GB ...").
  static std::unique_ptr<PgTestServer> start(std::string& why, const std::string& settings = "");
  ~PgTestServer();
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  int port() const { return port_; }
  // Superuser connection string to `db` (trust authentication, no password).
  std::string conninfo(const std::string& db = "postgres", const std::string& user = "clv") const;
  // Runs SQL through psql; throws std::runtime_error with psql's output.
  std::string psql(const std::string& sql, const std::string& db = "postgres") const;
  const std::string& log_dir() const { return dir_; }
  // Stops the server (pg_ctl -m fast: clients are disconnected) and starts it again.
  void restart();

 private:
  PgTestServer() = default;
  void start_server();
  std::string dir_, data_, settings_;
  int port_ = 0;
};

// Where the server binaries are ($CLV_PG_BIN, else Debian's PostgreSQL 15).
std::string pg_bin_dir();

}  // namespace clv_test
