// The `clv` command: parses arguments and calls the engine. Errors print one
// clear line to stderr and exit non-zero; they never dump a stack.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/version.hpp"
#include "command_registry.hpp"

int main(int argc, char** argv) {
  CLI::App app{"clv — customer lifetime value and churn risk engine"};
  app.set_version_flag("--version", CLV_VERSION_STRING);
  app.require_subcommand(1);
  auto& commands = clv::cli::registered_commands();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : commands) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const clv::Error& e) {
    fmt::print(stderr, "clv: error ({}): {}\n", clv::error_code_name(e.code()), e.what());
    return e.code() == clv::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "clv: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
