#include <fmt/format.h>

#include "clv/version.hpp"
#include "command_registry.hpp"

namespace {

void setup(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print the engine version");
  cmd->callback([] { fmt::print("clv {}\n", CLV_VERSION_STRING); });
}

}  // namespace

CLV_REGISTER_COMMAND(99, setup);
