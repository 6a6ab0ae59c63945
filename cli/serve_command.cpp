// `clv serve`: the engine behind a local HTTP/JSON API (docs/embedding.md).
// Binds 127.0.0.1 unless told otherwise; any other address needs a bearer
// token. SIGTERM/SIGINT stop accepting, finish in-flight requests and exit 0;
// every acknowledged ingest is already committed, so even SIGKILL loses none.
#include <pthread.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "clv/calendar.hpp"
#include "clv/engine.hpp"
#include "clv/error.hpp"
#include "clv/http_service.hpp"
#include "command_registry.hpp"
#include "sector_plugins.hpp"

namespace {

struct ServeArgs {
  std::string db_path, token_file, model = "bgnbd", time_unit = "week", observation_end;
  std::string pg_source, pg_source_file, pg_mapping;  // POST /v1/pg/run
  double horizon = 52;
  std::optional<double> margin, discount_rate, cost_to_serve, referral_value;
  clv::cli::PluginArgs plugins;
  clv::ServiceOptions service;
};

std::string read_token(const ServeArgs& args) {
  std::string token;
  if (!args.token_file.empty()) {
    std::ifstream in(args.token_file);
    if (!in) {
      throw clv::Error::not_found(fmt::format("token file {} cannot be read", args.token_file));
    }
    std::getline(in, token);
  } else if (const char* env = std::getenv("CLV_SERVE_TOKEN")) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if ((!args.token_file.empty() || std::getenv("CLV_SERVE_TOKEN")) && token.size() < 16) {
    throw clv::Error::invalid_argument("the bearer token must be at least 16 characters");
  }
  return token;
}

void run(ServeArgs args) {
  clv::EngineOptions eo;
  eo.count_model = args.model;
  eo.time_unit = clv::TimeUnit::parse(args.time_unit);
  eo.horizon = args.horizon;
  eo.margin = args.margin;
  eo.annual_discount_rate = args.discount_rate;
  eo.cost_to_serve = args.cost_to_serve;
  eo.referral_value = args.referral_value;
  eo.plugin_dirs = args.plugins.dirs;
  eo.use_plugins = !args.plugins.none;
  if (!args.observation_end.empty()) {
    int64_t seconds = 0;
    if (!clv::parse_timestamp(args.observation_end, seconds)) {
      throw clv::Error::invalid_argument("--observation-end must be a date like 1997-09-30");
    }
    eo.observation_end_day = clv::day_of(seconds);
  }
  eo.pg_source =
      args.pg_source_file.empty() ? args.pg_source : clv::read_conninfo_file(args.pg_source_file);
  eo.pg_mapping = args.pg_mapping;
  args.service.token = read_token(args);

  // Signals go to one waiting thread, never interrupting a request.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto engine = clv::Engine::open(args.db_path, eo);
  for (const std::string& problem : engine->plugin_problems()) {
    fmt::print(stderr, "clv serve: warning: plugin refused: {}\n", problem);
  }
  clv::HttpService service(*engine, args.service);
  std::thread waiter([&service, signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    fmt::print(stderr, "clv serve: signal {}, finishing in-flight requests\n", signal);
    service.stop();
  });
  // Tests and scripts read the port (useful with --port 0) from this line.
  fmt::print("clv serve: listening on http://{}:{} ({} customers, run {})\n", args.service.host,
             service.port(), engine->stats().customers,
             engine->current_run() ? std::to_string(engine->current_run()->id) : "none");
  std::fflush(stdout);
  service.run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake it if we stopped otherwise
  waiter.join();
  fmt::print(stderr, "clv serve: stopped\n");
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve scores and ingest over HTTP/JSON (/v1)");
  clv::cli::add_db_option(*cmd, args->db_path);
  cmd->add_option("--host", args->service.host, "Address to bind (default 127.0.0.1)");
  cmd->add_option("--port", args->service.port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--token-file", args->token_file,
                  "File holding the bearer token (else CLV_SERVE_TOKEN); required off loopback");
  cmd->add_option("--max-body-bytes", args->service.max_body_bytes, "Request body limit")
      ->capture_default_str();
  cmd->add_option("--max-batch", args->service.max_batch, "Records per ingest batch limit")
      ->capture_default_str();
  cmd->add_option("--threads", args->service.threads,
                  "Worker threads running requests (idle connections hold none)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--request-seconds", args->service.request_seconds,
                  "Time a client has to send one whole request (headers and body)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--header-seconds", args->service.header_seconds,
                  "Time a client has to send a request's header (from connecting, or from its "
                  "first byte on a kept-alive connection)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--max-connections", args->service.max_connections,
                  "Open connections in all (0 = what the descriptor limit allows); at the cap "
                  "the oldest connection not being served is closed")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-address", args->service.max_connections_per_address,
                  "Open connections per client address; at the cap that address's oldest "
                  "connection not being served is closed")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--ingest-nice", args->service.ingest_nice,
                  "CPU priority of ingests below scoring (nice increment, 0..19)")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  cmd->add_option("--model", args->model, "Purchase-count model: bgnbd, mbgnbd, pnbd")
      ->capture_default_str();
  cmd->add_option("--time-unit", args->time_unit, "day, week, month")->capture_default_str();
  cmd->add_option("--horizon", args->horizon, "Horizon in time units")->capture_default_str();
  cmd->add_option("--margin", args->margin,
                  "Profit share of spend (default: each customer's sector plugin's, else 1)");
  cmd->add_option("--discount-rate", args->discount_rate,
                  "Annual discount rate, 0.1 = 10% (default: the sector plugin's, else 0)");
  cmd->add_option("--cost-to-serve", args->cost_to_serve,
                  "Cost per customer per time unit while alive (default: the sector plugin's)");
  cmd->add_option("--referral-value", args->referral_value,
                  "Referral value of a customer who stays (default: the sector plugin's)");
  clv::cli::add_plugin_options(*cmd, args->plugins);
  cmd->add_option("--observation-end", args->observation_end,
                  "Fixed calibration end date (default: latest purchase day)");
  cmd->add_option("--pg-source", args->pg_source,
                  "The CRM's PostgreSQL for POST /v1/pg/run (libpq string or postgresql:// URI)");
  cmd->add_option("--pg-source-file", args->pg_source_file,
                  "File whose first line is that connection string (keeps passwords off argv)");
  cmd->add_option("--pg-mapping", args->pg_mapping,
                  "TOML/JSON mapping of the CRM's tables (default: the engine's own schema)");
  cmd->callback([args] { run(*args); });
}

CLV_REGISTER_COMMAND(90, setup);

}  // namespace
