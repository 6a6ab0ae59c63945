// The `clv` command: parses arguments and calls the engine. Errors print one
// clear line to stderr and exit non-zero; they never dump a stack.
#include <algorithm>
#include <cstdio>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "clv/error.hpp"
#include "clv/version.hpp"
#include "command_registry.hpp"

int main(int argc, char** argv) {
  CLI::App app{"clv — customer lifetime value and churn risk engine"};
  app.set_version_flag("--version", CLV_VERSION_STRING);
  app.require_subcommand(1);
  clv::cli::add_output_options(app);
  auto& commands = clv::cli::registered_commands();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : commands) setup(app);
  // With --json a failure is a JSON object on stdout too (a script reading
  // stdout sees {"error": ...} rather than nothing), besides the stderr line.
  const bool json = std::any_of(argv + 1, argv + argc,
                                [](const char* a) { return std::string_view(a) == "--json"; });
  auto print_json_error = [&](std::string_view code, std::string_view message) {
    if (!json) return;
    const nlohmann::json out = {{"error", {{"code", code}, {"message", message}}}};
    // replace: a message may quote bytes of a bad input file.
    fmt::print("{}\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  try {
    app.parse(argc, argv);
    clv::cli::finish_progress(true);
  } catch (const CLI::ParseError& e) {
    clv::cli::finish_progress(false);
    if (e.get_exit_code() != 0) print_json_error("usage", e.what());
    // CLI11 prints the message; its own codes (105, 109, ...) become the one
    // usage code docs/cli.md promises, 2 (help stays 0).
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const clv::Error& e) {
    clv::cli::finish_progress(false);
    print_json_error(clv::error_code_name(e.code()), e.what());
    fmt::print(stderr, "clv: error ({}): {}\n", clv::error_code_name(e.code()), e.what());
    return e.code() == clv::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    clv::cli::finish_progress(false);
    print_json_error("internal", e.what());
    fmt::print(stderr, "clv: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
