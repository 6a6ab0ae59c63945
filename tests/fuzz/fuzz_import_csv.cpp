// libFuzzer target: untrusted CSV bytes through the whole importer (reader,
// column layout, row validation, SQLite writes) for each of the four
// entities. The first byte picks the entity; a crash, sanitizer report or an
// exception other than clv::Error is a finding.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/importer.hpp"

namespace {

// A database on tmpfs when there is one: every run opens it and commits.
std::string scratch(const char* name) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm", ec)
                                        ? std::filesystem::path("/dev/shm")
                                        : std::filesystem::temp_directory_path();
  return (dir / ("clv_fuzz_import_" + std::to_string(::getpid()) + name)).string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::string db_path = scratch(".db");
  static int runs = 0;
  // A fresh database now and then keeps the id maps small and the runs fast.
  if (runs++ % 500 == 0) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  }
  static const clv::Entity kEntities[] = {clv::Entity::kTransactions, clv::Entity::kCustomers,
                                          clv::Entity::kIncidents, clv::Entity::kEmployees};
  const clv::Entity entity = kEntities[data[0] % 4];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  clv::ImportOptions options;
  options.rejects_path = scratch(".rejects.csv");
  options.normalized_path = scratch(".normalized.csv");
  options.cache_mib = 8;
  try {
    clv::Database db = clv::Database::open(db_path);
    clv::import_text(db, entity, text, "fuzz.csv", options);
  } catch (const clv::Error&) {
    // a clear refusal (empty file, bad header, ...) is a correct answer
  }
  return 0;
}
