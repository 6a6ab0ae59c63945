#include "clv/database.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "store/database.hpp"
#include "store/database_access.hpp"

namespace clv {
namespace {

TEST(ClvDatabase, OpensMigratedDatabaseBehindThePublicHandle) {
  const std::string path = testing::TempDir() + "/clv_database.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  Database db = Database::open(path);
  EXPECT_EQ(db.path(), path);
  EXPECT_EQ(sqlite_of(db).execAndGet("PRAGMA user_version").getInt(), current_schema_version());
  Database moved = std::move(db);
  EXPECT_TRUE(sqlite_of(moved).tableExists("transactions"));
}

TEST(ClvDatabase, UnopenablePathIsAnIoError) {
  try {
    Database::open(testing::TempDir() + "/no/such/dir/x.db");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

}  // namespace
}  // namespace clv
