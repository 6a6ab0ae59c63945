// `clv serve` as a child process for the HTTP tests, and the raw-socket and
// cpp-httplib helpers they share.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace clv_test {

using nlohmann::json;

inline std::string fresh_db(const std::string& name) {
  const std::string path = testing::TempDir() + "/http_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

// A `clv serve` child process; the port comes from its first stdout line.
class Server {
 public:
  Server(std::vector<std::string> args, std::vector<std::string> env = {}) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv = {const_cast<char*>(CLV_CLI_PATH), const_cast<char*>("serve")};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(CLV_CLI_PATH, argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    char c;
    while (poll(&p, 1, 20000) > 0 && read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    const auto colon = line.rfind(':');
    if (line.find("listening") != std::string::npos && colon != std::string::npos) {
      port_ = std::atoi(line.c_str() + colon + 1);
    }
  }
  ~Server() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  // Sends a signal and returns the exit status (-1 on timeout), -signal if killed.
  int signal_and_wait(int sig) {
    kill(pid_, sig);
    return wait_exit();
  }
  int wait_exit() {
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1000;
  }
  httplib::Client client(const std::string& token = "") const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    if (!token.empty()) c.set_bearer_token_auth(token.c_str());
    return c;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
};

inline json body_of(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return {};
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  return json::parse(r->body);
}

inline httplib::Result post(httplib::Client& c, const std::string& path, const json& body) {
  return c.Post(path.c_str(), body.dump(), "application/json");
}

inline json cdnow_batch(size_t from, size_t count, size_t* total = nullptr) {
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) + "/cdnow/CDNOW_sample.txt");
  std::string master, sample, date;
  int cds;
  double dollars;
  json list = json::array();
  size_t i = 0;
  while (in >> master >> sample >> date >> cds >> dollars) {
    if (i >= from && i < from + count) {
      list.push_back(
          {{"customer_id", std::to_string(std::stoi(sample))},
           {"timestamp", date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2)},
           {"amount", dollars},
           {"id", "cdnow-" + std::to_string(i)}});
    }
    ++i;
  }
  if (total) *total = i;
  return {{"transactions", list}};
}

// A TCP connection to 127.0.0.1:port, or -1.
inline int connect_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends raw bytes on a fresh connection; returns what the server wrote until
// it closed or `until` appeared, waiting at most 5 s.
inline std::string raw_exchange(int port, const std::string& request,
                                const std::string& until = "") {
  const int fd = connect_loopback(port);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  std::string got;
  char chunk[4096];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 5000) > 0) {
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<size_t>(n));
    if (!until.empty() && got.find(until) != std::string::npos) break;
  }
  close(fd);
  return got;
}

}  // namespace clv_test
