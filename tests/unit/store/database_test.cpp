#include "store/database.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "store/migrations.hpp"

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
  for (const char* table :
       {"customers", "transactions", "incidents", "employees", "imported_files"}) {
    EXPECT_TRUE(db->tableExists(table)) << table;
  }
  // Foreign keys are enforced: a transaction of an unknown customer is refused.
  EXPECT_THROW(
      db->exec("INSERT INTO transactions(customer_id, ts, amount_minor) VALUES (99, 0, 1)"),
      SQLite::Exception);
}

TEST(Database, ReopeningIsIdempotent) {
  const std::string path = fresh_db("store_reopen.db");
  open_database(path)->exec("INSERT INTO customers(external_id) VALUES ('c1')");
  auto db = open_database(path);
  EXPECT_EQ(db->execAndGet("SELECT COUNT(*) FROM customers").getInt(), 1);
}

TEST(Database, NewDatabasesUseSixteenKibPages) {
  auto db = open_database(fresh_db("store_pages.db"));
  EXPECT_EQ(db->execAndGet("PRAGMA page_size").getInt(), 16384);
}

// Migration 4 rebuilds transactions and incidents so that external ids are
// unique through partial indexes: rows, ids and their dedup must survive.
TEST(Database, MigrationFourKeepsRowsAndIdDedup) {
  const std::string path = fresh_db("store_v3.db");
  {
    SQLite::Database old(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (const Migration& m : schema_migrations()) {
      if (m.version <= 3) old.exec(m.sql);
    }
    old.exec("PRAGMA user_version=3");
    old.exec("INSERT INTO customers(id, external_id) VALUES (1, 'c1'), (2, 'c2')");
    old.exec(
        "INSERT INTO transactions(id, external_id, customer_id, ts, amount_minor, kind) VALUES "
        "(1, 't1', 1, 100, 500, 'purchase'), (2, NULL, 1, 200, 700, 'return'), "
        "(3, NULL, 2, 300, 900, 'purchase')");
    old.exec(
        "INSERT INTO incidents(id, external_id, customer_id, opened_at, resolved_at, severity) "
        "VALUES (1, 'i1', 2, 50, 80, 3), (2, NULL, 2, 60, NULL, 1)");
  }
  auto db = open_database(path);
  EXPECT_EQ(db->execAndGet("PRAGMA user_version").getInt(), current_schema_version());
  EXPECT_EQ(db->execAndGet("SELECT group_concat(id || ':' || COALESCE(external_id, '-') || ':' || "
                           "customer_id || ':' || ts || ':' || amount_minor || ':' || kind, ' ') "
                           "FROM (SELECT * FROM transactions ORDER BY id)")
                .getString(),
            "1:t1:1:100:500:purchase 2:-:1:200:700:return 3:-:2:300:900:purchase");
  EXPECT_EQ(db->execAndGet("SELECT group_concat(id || ':' || COALESCE(external_id, '-') || ':' || "
                           "COALESCE(resolved_at, '-'), ' ') FROM (SELECT * FROM incidents "
                           "ORDER BY id)")
                .getString(),
            "1:i1:80 2:-:-");
  // Only rows with an id are in the id indexes, which still refuse a repeat.
  for (const char* index : {"transactions_by_external_id", "incidents_by_external_id"}) {
    const std::string sql =
        db->execAndGet(fmt::format("SELECT sql FROM sqlite_master WHERE name = '{}'", index))
            .getString();
    EXPECT_NE(sql.find("WHERE external_id IS NOT NULL"), std::string::npos) << sql;
  }
  EXPECT_THROW(db->exec("INSERT INTO transactions(external_id, customer_id, ts, amount_minor) "
                        "VALUES ('t1', 2, 1, 1)"),
               SQLite::Exception);
  EXPECT_EQ(db->exec("INSERT INTO transactions(external_id, customer_id, ts, amount_minor) VALUES "
                     "('t1', 2, 1, 1) ON CONFLICT(external_id) WHERE external_id IS NOT NULL "
                     "DO NOTHING"),
            0);
  db->exec("INSERT INTO transactions(customer_id, ts, amount_minor) VALUES (2, 1, 1), (2, 1, 1)");
  EXPECT_EQ(db->execAndGet("SELECT count(*) FROM transactions").getInt(), 5);
  EXPECT_THROW(db->exec("INSERT INTO incidents(external_id, customer_id, opened_at) VALUES "
                        "('i1', 1, 1)"),
               SQLite::Exception);
  // The per-customer covering index is back, and foreign keys still hold.
  EXPECT_EQ(db->execAndGet("SELECT count(*) FROM sqlite_master WHERE name IN "
                           "('transactions_by_customer_time', 'incidents_by_customer_time')")
                .getInt(),
            2);
  EXPECT_EQ(db->execAndGet("SELECT count(*) FROM pragma_foreign_key_check").getInt(), 0);
  EXPECT_THROW(
      db->exec("INSERT INTO transactions(customer_id, ts, amount_minor) VALUES (99, 0, 1)"),
      SQLite::Exception);
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
