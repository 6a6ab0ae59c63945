// `clv import customers|transactions|incidents|employees FILE`: validated,
// atomic, idempotent import into the database.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "clv/plugin_registry.hpp"
#include "command_registry.hpp"
#include "sector_plugins.hpp"

namespace {

struct ImportArgs {
  std::string entity;
  std::string file;
  std::string db_path;
  std::string format = "auto";
  std::string delimiter = ",";
  bool no_header = false;
  std::vector<std::string> maps;
  std::string sector;
  bool require_known = false;
  bool require_plugins = false;
  std::string currency = "USD";
  std::string rejects;
  bool json = false;
  int cache_mib = 256;
  int64_t max_rejects = -1;  // < 0: no limit
  clv::cli::PluginArgs plugins;
  std::string normalized;
};

nlohmann::json normalization_json(const clv::ImportResult& r) {
  nlohmann::json normalized = nlohmann::json::object();
  for (const auto& [sector, n] : r.normalized) {
    normalized[sector] = {
        {"plugin", n.plugin},       {"rows", n.rows},       {"kept", n.kept},
        {"dropped", n.dropped},     {"netted", n.netted},   {"merged", n.merged},
        {"cancelled", n.cancelled}, {"flagged", n.flagged}, {"adjusted", n.adjusted}};
  }
  nlohmann::json no_plugin = nlohmann::json::object();
  uint64_t total = 0;
  for (const auto& [sector, rows] : r.no_plugin) {
    no_plugin[sector.empty() ? "(no sector)" : sector] = rows;
    total += rows;
  }
  return {{"normalized", normalized},
          {"no_plugin", total},
          {"no_plugin_by_sector", no_plugin},
          {"normalized_away", r.normalized_away},
          {"normalized_file", r.normalized_file}};
}

std::vector<std::pair<std::string, std::string>> parse_maps(const std::vector<std::string>& maps) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& joined : maps) {
    size_t start = 0;
    while (start <= joined.size()) {
      size_t comma = joined.find(',', start);
      if (comma == std::string::npos) comma = joined.size();
      const std::string item = joined.substr(start, comma - start);
      start = comma + 1;
      if (item.empty()) continue;
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
        throw clv::Error::invalid_argument(
            fmt::format("--map '{}': expected field=column, e.g. --map timestamp=date", item));
      }
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  return out;
}

// Test hook for the kill test: stop (SIGSTOP) once this many rows were read,
// so the parent can SIGKILL the import at a known point without sleeping.
uint64_t stop_after_rows() {
  const char* text = std::getenv("CLV_IMPORT_STOP_AFTER_ROWS");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 0;
}

void run(const ImportArgs& args) {
  const auto entity = clv::parse_entity(args.entity);
  if (!entity) {
    throw clv::Error::invalid_argument(fmt::format(
        "unknown entity '{}': use customers, transactions, incidents or employees", args.entity));
  }
  clv::ImportOptions options;
  if (args.format == "csv") {
    options.format = clv::InputFormat::kCsv;
  } else if (args.format == "whitespace") {
    options.format = clv::InputFormat::kWhitespace;
  } else if (args.format != "auto") {
    throw clv::Error::invalid_argument(
        fmt::format("--format {}: use auto, csv or whitespace", args.format));
  }
  if (args.delimiter == "\\t" || args.delimiter == "tab") {
    options.delimiter = '\t';
  } else if (args.delimiter.size() == 1) {
    options.delimiter = args.delimiter[0];
  } else {
    throw clv::Error::invalid_argument("--delimiter takes one character (or 'tab')");
  }
  options.has_header = !args.no_header;
  options.column_map = parse_maps(args.maps);
  options.sector = args.sector;
  options.require_known_customers = args.require_known;
  options.require_plugins = args.require_plugins;
  options.default_currency = args.currency;
  options.rejects_path = args.rejects;
  options.cache_mib = args.cache_mib;
  options.normalized_path = args.normalized;
  if (args.max_rejects >= 0) options.max_rejects = static_cast<uint64_t>(args.max_rejects);
  // Sector plugins normalize transactions (hook 1); other entities need none.
  clv::PluginRegistry plugins;
  if (*entity == clv::Entity::kTransactions) {
    plugins = clv::cli::load_plugins(args.plugins, "import");
    options.plugins = &plugins;
  }

  const uint64_t stop_at = stop_after_rows();
  bool stopped = false;
  options.progress = clv::cli::progress_callback();
  if (stop_at > 0) {
    options.progress = [&, draw = options.progress](const clv::Progress& p) {
      if (!stopped && p.items >= stop_at) {
        stopped = true;
        std::raise(SIGSTOP);
      }
      if (draw) draw(p);
    };
  }
  clv::Database db = clv::Database::open(args.db_path);
  const clv::ImportResult r = clv::import_file(db, *entity, args.file, options);
  clv::cli::progress().break_line();
  // Rows of a sector without its plugin cannot be normalized later (a second
  // import finds them stored): say so where a person will see it.
  for (const auto& [sector, rows] : r.no_plugin) {
    if (!sector.empty() && isatty(STDERR_FILENO) == 1) {
      fmt::print(stderr,
                 "clv: warning: {} rows of sector '{}' were stored without normalization: no "
                 "plugin for it is loaded (--require-plugins rejects them instead)\n",
                 rows, sector);
    }
  }
  if (args.json) {
    nlohmann::json out = {{"inserted", r.inserted},
                          {"duplicates", r.duplicates},
                          {"rejected", r.rejected},
                          {"rejects_file", r.rejects_file},
                          {"customers_created", r.customers_created},
                          {"updated", r.updated},
                          {"already_imported", r.already_imported}};
    if (*entity == clv::Entity::kTransactions) out.update(normalization_json(r));
    fmt::print("{}\n", out.dump());
    return;
  }
  std::string line = fmt::format("{}: {} {} inserted, {} duplicates, {} rejected", args.file,
                                 r.inserted, args.entity, r.duplicates, r.rejected);
  if (r.updated > 0) line += fmt::format(", {} updated", r.updated);
  if (r.customers_created > 0) line += fmt::format(", {} new customers", r.customers_created);
  if (r.already_imported) line += " (file already imported: nothing to do)";
  if (r.rejected > 0) line += fmt::format(" (see {})", r.rejects_file);
  fmt::print("{}\n", line);
  for (const auto& [sector, n] : r.normalized) {
    fmt::print(
        "  sector {} (plugin {}): {} rows normalized, {} kept, {} dropped ({} netted, {} merged, "
        "{} cancelled), {} flagged\n",
        sector, n.plugin, n.rows, n.kept, n.dropped, n.netted, n.merged, n.cancelled, n.flagged);
  }
  for (const auto& [sector, rows] : r.no_plugin) {
    fmt::print("  sector {}: {} rows stored unchanged (no plugin loaded for it)\n",
               sector.empty() ? "(none)" : sector, rows);
  }
  if (!r.normalized_file.empty()) {
    fmt::print("  rows dropped or flagged by plugins are listed in {}\n", r.normalized_file);
  }
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd =
      app.add_subcommand("import", "Import customers, transactions, incidents or employees");
  cmd->add_option("entity", args->entity, "customers | transactions | incidents | employees")
      ->required();
  cmd->add_option("file", args->file, "CSV or whitespace-separated file")->required();
  clv::cli::add_db_option(*cmd, args->db_path);
  cmd->add_option("--format", args->format, "auto | csv | whitespace")->capture_default_str();
  cmd->add_option("--delimiter", args->delimiter, "CSV delimiter (one character or 'tab')")
      ->capture_default_str();
  cmd->add_flag("--no-header", args->no_header,
                "the first line is data; columns follow the field order unless --map is given");
  cmd->add_option("--map", args->maps,
                  "field=column (column by header name or 1-based position); repeatable or "
                  "comma-joined. Transactions also take reference (order/folio/booking id) "
                  "and payer, read by sector plugins");
  cmd->add_option("--sector", args->sector, "sector of customers created on the fly");
  cmd->add_flag("--require-known-customers", args->require_known,
                "reject rows of customers not yet imported instead of creating them");
  cmd->add_flag("--require-plugins", args->require_plugins,
                "reject transactions of customers whose sector has no plugin loaded instead of "
                "storing them unnormalized");
  cmd->add_option("--currency", args->currency, "currency when the file has no currency column")
      ->capture_default_str();
  cmd->add_option("--rejects", args->rejects,
                  "rejects CSV (default: FILE.rejects.csv next to the database)");
  cmd->add_option("--cache-mib", args->cache_mib, "SQLite page cache for the import (MiB)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--normalized-log", args->normalized,
                  "where rows a sector plugin dropped or flagged are listed (default: "
                  "FILE.normalized.csv next to the rejects file)");
  cmd->add_option("--max-rejects", args->max_rejects,
                  "fail the whole import (nothing stored, exit code 2; the rejects file "
                  "still lists the rows rejected so far) when more than N rows are rejected; "
                  "default: no limit")
      ->check(CLI::NonNegativeNumber);
  clv::cli::add_plugin_options(*cmd, args->plugins);
  cmd->add_flag("--json", args->json, "print the counts as JSON");
  clv::cli::add_output_options(*cmd);
  cmd->callback([args] { run(*args); });
}

}  // namespace

CLV_REGISTER_COMMAND(20, setup);
