// Each subcommand lives in its own file and registers itself here, so adding
// a command never edits main.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace clv::cli {

// Adds a subcommand to `app` and wires its callback.
using CommandSetup = std::function<void(CLI::App& app)>;

struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

std::vector<std::pair<int, CommandSetup>>& registered_commands();

// --db PATH with the CLV_DB environment variable and ./clv.db as fallbacks.
void add_db_option(CLI::App& command, std::string& db_path);

}  // namespace clv::cli

// Registers a command; `order` sorts `clv --help`.
#define CLV_REGISTER_COMMAND(order, setup_fn) \
  static const ::clv::cli::CommandRegistration clv_command_registration_##order(order, setup_fn)
