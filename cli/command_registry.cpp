#include "command_registry.hpp"

#include <cstdlib>

namespace clv::cli {

std::vector<std::pair<int, CommandSetup>>& registered_commands() {
  static std::vector<std::pair<int, CommandSetup>> commands;
  return commands;
}

CommandRegistration::CommandRegistration(int order, CommandSetup setup) {
  registered_commands().emplace_back(order, std::move(setup));
}

void add_db_option(CLI::App& command, std::string& db_path) {
  const char* env = std::getenv("CLV_DB");
  db_path = env != nullptr && *env != '\0' ? env : "clv.db";
  command.add_option("--db", db_path, "SQLite database (default: $CLV_DB or ./clv.db)");
}

}  // namespace clv::cli
