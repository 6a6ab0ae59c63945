// An out-of-tree C++ consumer of the installed libclv.so: every installed
// header in one translation unit, clv::Engine on CDNOW_sample (argv[2]) in a
// new database (argv[1]), its score equal to the C API's, and a clv::Error
// thrown inside the library caught here by type, and the installed plugins
// found from where libclv.so is.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "all_headers.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: consumer_cxx DB CDNOW_sample.txt INSTALLED_PLUGIN_DIR\n");
    return 2;
  }
  std::remove(argv[1]);
  std::vector<clv::TransactionRecord> batch;
  std::ifstream in(argv[2]);
  std::string master, id, date;
  int cds = 0;
  double dollars = 0;
  while (in >> master >> id >> date >> cds >> dollars) {
    clv::TransactionRecord t;
    t.customer_id = std::to_string(std::stoi(id));
    const int y = std::stoi(date.substr(0, 4)), m = std::stoi(date.substr(4, 2)),
              d = std::stoi(date.substr(6, 2));
    // Days since 1970-01-01 (civil calendar), times 86400.
    const int yy = y - (m <= 2), era = yy / 400, yoe = yy - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long days = era * 146097L + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
    t.timestamp = days * 86400;
    t.amount_minor = std::llround(dollars * 100);
    batch.push_back(std::move(t));
  }
  if (batch.size() != 6919) {
    std::fprintf(stderr, "read %zu transactions from %s, expected 6919\n", batch.size(), argv[2]);
    return 1;
  }
  clv::EngineOptions options;
  options.time_unit = clv::TimeUnit::week();
  options.observation_end_day = 10134;  // 1997-09-30
  double p_alive = 0;
  try {
    auto engine = clv::Engine::open(argv[1], options);
    engine->ingest_transactions(batch);
    engine->refit();
    const clv::CustomerScore s = engine->score("1");
    if (s.frequency != 2 || std::fabs(s.recency - 30.43) > 0.01 || !s.clv) {
      std::fprintf(stderr, "unexpected C++ score: x=%g t_x=%g\n", s.frequency, s.recency);
      return 1;
    }
    p_alive = s.p_alive;
    try {
      (void)engine->score("nobody");
      std::fprintf(stderr, "scoring an unknown customer did not throw\n");
      return 1;
    } catch (const clv::Error& e) {
      if (e.code() != clv::ErrorCode::kNotFound) return 1;
      std::printf("unknown customer: %s\n", std::string(clv::error_code_name(e.code())).c_str());
    }
  } catch (const clv::Error& e) {
    std::fprintf(stderr, "clv::Error: %s\n", e.what());
    return 1;
  }
  // The same database through the C API of the same library.
  clv_engine* c_engine = nullptr;
  clv_score_record r{};
  r.struct_size = sizeof r;
  if (clv_engine_open(argv[1], "{\"time_unit\":\"week\",\"observation_end\":\"1997-09-30\"}",
                      &c_engine) != CLV_OK ||
      clv_score_customer_record(c_engine, "1", &r) != CLV_OK) {
    std::fprintf(stderr, "C API: %s\n", clv_last_error());
    return 1;
  }
  clv_engine_close(c_engine);
  if (r.p_alive != p_alive) {
    std::fprintf(stderr, "C++ P(alive) %.17g, C %.17g\n", p_alive, r.p_alive);
    return 1;
  }
  // The installed plugins, found from where libclv.so is (this program lives
  // elsewhere and CLV_PLUGIN_PATH is unset).
  clv::PluginRegistry registry;
  for (const auto& problem : registry.discover({})) {
    std::fprintf(stderr, "plugin refused: %s\n", problem.message.c_str());
    return 1;
  }
  const std::string plugin_dir = argc > 3 ? argv[3] : "";
  std::string ids;
  for (const auto& plugin : registry.plugins()) {
    ids += plugin.id() + " ";
    if (plugin_dir.empty() || plugin.info().library_path.rfind(plugin_dir, 0) != 0) {
      std::fprintf(stderr, "plugin %s from %s, not from %s\n", plugin.id().c_str(),
                   plugin.info().library_path.c_str(), plugin_dir.c_str());
      return 1;
    }
  }
  if (ids != "financial healthcare hospitality retail travel ") {
    std::fprintf(stderr, "plugins found: %s\n", ids.c_str());
    return 1;
  }
  std::printf("clv %s (%s): customer 1 P(alive) %.3f from C++ and C; plugins %s\n",
              CLV_VERSION_STRING, clv_version(), p_alive, ids.c_str());
  return 0;
}
