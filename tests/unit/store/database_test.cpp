#include "store/database.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "clv/error.hpp"

namespace clv {
namespace {

std::string fresh_db(const char* name) {
  const std::string path = testing::TempDir() + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TEST(Database, CreatesSchemaWithWalAndForeignKeys) {
  const std::string path = fresh_db("store_create.db");
  auto db = open_database(path);
  EXPECT_EQ(db->execAndGet("PRAGMA user_version").getInt(), current_schema_version());
  EXPECT_EQ(db->execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(db->execAndGet("PRAGMA foreign_keys").getInt(), 1);
  for (const char* table : {"customers", "transactions", "incidents", "employees", "imported_files"}) {
    EXPECT_TRUE(db->tableExists(table)) << table;
  }
  // Foreign keys are enforced: a transaction of an unknown customer is refused.
  EXPECT_THROW(db->exec("INSERT INTO transactions(customer_id, ts, amount_minor) VALUES (99, 0, 1)"),
               SQLite::Exception);
}

TEST(Database, ReopeningIsIdempotent) {
  const std::string path = fresh_db("store_reopen.db");
  open_database(path)->exec("INSERT INTO customers(external_id) VALUES ('c1')");
  auto db = open_database(path);
  EXPECT_EQ(db->execAndGet("SELECT COUNT(*) FROM customers").getInt(), 1);
}

TEST(Database, RefusesNewerSchema) {
  const std::string path = fresh_db("store_newer.db");
  open_database(path)->exec("PRAGMA user_version=999");
  try {
    open_database(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
    EXPECT_NE(std::string(e.what()).find("999"), std::string::npos);
  }
}

}  // namespace
}  // namespace clv
