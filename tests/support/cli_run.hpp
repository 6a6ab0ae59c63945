// Runs the `clv` executable (CLV_CLI_PATH) as the CLI integration tests do:
// through the shell, with stdout and stderr captured. The capture files are
// unique to the process and the call, so tests that ctest runs in parallel
// never read each other's output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace cli_test {

struct CliRun {
  int exit_code;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `args` is appended to the command line as written (shell quoting applies).
inline CliRun run_clv(const std::string& args) {
  static std::atomic<int> calls{0};
  const std::string stem =
      testing::TempDir() + "/clv_cli_" + std::to_string(getpid()) + "_" + std::to_string(calls++);
  const std::string out = stem + ".out", err = stem + ".err";
  const std::string cmd = std::string(CLV_CLI_PATH) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliRun run{WEXITSTATUS(status), slurp(out), slurp(err)};
  std::remove(out.c_str());
  std::remove(err.c_str());
  return run;
}

}  // namespace cli_test
