// A `clv serve` child process for HTTP tests: started with the given
// arguments on port 0, its port read from the first stdout line; stopped with
// SIGTERM when the object goes away.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

namespace cli_test {

class ServeChild {
 public:
  explicit ServeChild(std::vector<std::string> args) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::vector<char*> argv = {const_cast<char*>(CLV_CLI_PATH), const_cast<char*>("serve")};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(CLV_CLI_PATH, argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    char ch;
    while (poll(&p, 1, 20000) > 0 && read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
    close(out[0]);
    const auto colon = line.rfind(':');
    if (line.find("listening") != std::string::npos) port_ = std::atoi(line.c_str() + colon + 1);
  }
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;
  ~ServeChild() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace cli_test
