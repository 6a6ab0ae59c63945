#include "pg_test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace clv_test {
namespace {

bool as_root() {
  return geteuid() == 0;
}

// Runs `cmd` as the server's user; returns exit status and output.
int run(const std::string& cmd, std::string* output = nullptr) {
  const std::string full = as_root() ? "runuser -u postgres -- " + cmd : cmd;
  std::string text;
  FILE* p = popen((full + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = pclose(p);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void give_to_server_user(const std::string& path) {
  if (!as_root()) return;
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) throw std::runtime_error("no 'postgres' user to run the test server as");
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("cannot chown " + path);
  }
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// One initdb per machine and PostgreSQL version (~1 s), copied per server.
std::string template_dir() {
  const std::string base = "/tmp/clv-pg-template-15-" + std::to_string(geteuid());
  const std::string ready = base + "/READY";
  if (fs::exists(ready)) return base + "/data";
  const std::string lock_path = base + ".lock";
  const int lock = open(lock_path.c_str(), O_CREAT | O_RDWR, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + lock_path);
  struct Unlock {
    int fd;
    ~Unlock() {
      flock(fd, LOCK_UN);
      close(fd);
    }
  } unlock{lock};
  if (fs::exists(ready)) return base + "/data";
  fs::remove_all(base);
  fs::create_directories(base);
  fs::permissions(base, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  give_to_server_user(base);
  std::string out;
  if (run(pg_bin_dir() + "/initdb -D " + base +
              "/data -U clv --auth=trust --encoding=UTF8 "
              "--locale=C --no-sync",
          &out) != 0) {
    throw std::runtime_error("initdb failed:\n" + out);
  }
  std::ofstream(ready) << "ok\n";
  return base + "/data";
}

}  // namespace

std::string pg_bin_dir() {
  if (const char* env = std::getenv("CLV_PG_BIN"); env != nullptr && *env != '\0') return env;
  return "/usr/lib/postgresql/15/bin";
}

std::unique_ptr<PgTestServer> PgTestServer::start(std::string& why, const std::string& settings) {
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"}) {
    if (!fs::exists(pg_bin_dir() + "/" + tool)) {
      why = "PostgreSQL server binaries not found in " + pg_bin_dir() +
            " (install postgresql-15, or set CLV_PG_BIN)";
      return nullptr;
    }
  }
  if (as_root() && getpwnam("postgres") == nullptr) {
    why = "running as root and there is no 'postgres' user to run the server as";
    return nullptr;
  }
  const std::string tmpl = template_dir();
  std::unique_ptr<PgTestServer> s(new PgTestServer());
  std::string pattern = "/tmp/clv-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  s->dir_ = pattern;
  s->settings_ = settings;
  give_to_server_user(s->dir_);
  s->data_ = s->dir_ + "/data";
  std::string out;
  if (run("cp -a " + tmpl + " " + s->data_, &out) != 0) {
    throw std::runtime_error("cannot copy the template cluster: " + out);
  }
  s->start_server();
  return s;
}

void PgTestServer::start_server() {
  std::string out;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    const std::string cmd =
        pg_bin_dir() + "/pg_ctl -D " + data_ + " -l " + dir_ + "/server.log -w -t 30 -o \"-p " +
        std::to_string(port_) +
        " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB "
        "-c max_connections=30 -c max_worker_processes=8 " +
        settings_ + "\" start";
    if (run(cmd, &out) == 0) return;
  }
  throw std::runtime_error("pg_ctl start failed:\n" + out + "\n" + slurp(dir_ + "/server.log"));
}

void PgTestServer::restart() {
  // fast, not immediate: with synchronous_commit=off an immediate stop may
  // lose the last commits.
  run(pg_bin_dir() + "/pg_ctl -D " + data_ + " -m fast -w stop");
  start_server();
}

PgTestServer::~PgTestServer() {
  if (!data_.empty()) run(pg_bin_dir() + "/pg_ctl -D " + data_ + " -m immediate -w stop");
  std::error_code ignored;
  if (std::getenv("CLV_KEEP_TEST_TMP") == nullptr && !dir_.empty()) fs::remove_all(dir_, ignored);
}

std::string PgTestServer::conninfo(const std::string& db, const std::string& user) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + db + " user=" + user;
}

std::string PgTestServer::psql(const std::string& sql, const std::string& db) const {
  const std::string file = dir_ + "/psql_" + std::to_string(getpid()) + ".sql";
  std::ofstream(file) << sql;
  if (as_root()) give_to_server_user(file);
  std::string out;
  const int rc = run(pg_bin_dir() + "/psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
                         std::to_string(port_) + " -U clv -d " + db + " -f " + file,
                     &out);
  std::remove(file.c_str());
  if (rc != 0) throw std::runtime_error("psql failed: " + out + "\nSQL: " + sql.substr(0, 2000));
  return out;
}

}  // namespace clv_test
