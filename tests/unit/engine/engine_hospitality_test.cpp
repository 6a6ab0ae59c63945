// Records pushed through the Engine (HTTP, C API) reach the hospitality
// plugin with their location, as `clv import` sends them: a guest's night
// lines at one hotel without a folio id become one stay.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/database.hpp"
#include "clv/engine.hpp"
#include "clv/importer.hpp"

namespace clv {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kFirstNight = 1718146800;  // 2024-06-11T23:00:00Z

TransactionRecord night(const std::string& id, int64_t day, int64_t cents, const std::string& hotel,
                        const std::string& folio = "") {
  TransactionRecord t;
  t.customer_id = "guest";
  t.id = id;
  t.timestamp = kFirstNight + day * kDay;
  t.amount_minor = cents;
  t.location = hotel;
  t.reference = folio;
  return t;
}

TEST(EngineHospitality, NightLinesWithoutAFolioAreOneStayPerHotelVisit) {
  const std::string path = testing::TempDir() + "/engine_hospitality.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  {
    Database db = Database::open(path);
    import_text(db, Entity::kCustomers, "customer_id,sector\nguest,hospitality\n", "customers.csv");
  }
  EngineOptions options;
  options.plugin_dirs = {std::string(CLV_BINARY_DIR) + "/plugins"};
  auto engine = Engine::open(path, options);
  const std::vector<TransactionRecord> batch = {
      night("n1", 0, 8000, "hotel-rome"),          // stay 1
      night("n2", 1, 8000, "hotel-rome"),          //   merged
      night("n3", 2, 8000, "hotel-rome"),          //   merged
      night("n4", 3, 9000, "hotel-lisbon"),        // stay 2: the next night, another hotel
      night("n5", 5, 9000, "hotel-lisbon"),        // stay 3: a night without a line between
      night("n6", 6, 9000, "hotel-lisbon", "F9"),  // a folio id: never merged by nights
  };
  const IngestResult r = engine->ingest_transactions(batch);
  EXPECT_EQ(r.normalized_away, 2u);
  EXPECT_EQ(r.inserted, 4u);
}

}  // namespace
}  // namespace clv
