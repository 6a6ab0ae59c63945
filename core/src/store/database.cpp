#include "store/database.hpp"

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "clv/error.hpp"
#include "store/migrations.hpp"

namespace clv {

int current_schema_version() {
  return schema_migrations().back().version;
}

std::unique_ptr<SQLite::Database> open_database(const std::string& path,
                                                bool serialized_by_caller) {
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(path,
                                            SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE |
                                                (serialized_by_caller ? SQLite::OPEN_NOMUTEX : 0));
    db->setBusyTimeout(10000);
    // Only takes effect when the file is created. 16 KiB pages quarter the
    // page writes and B-tree page visits of bulk loads and scans (import of
    // 10M rows: ~20% less CPU than SQLite's 4 KiB default).
    db->exec("PRAGMA page_size=16384");
    db->exec("PRAGMA journal_mode=WAL");
    db->exec("PRAGMA synchronous=NORMAL");
    db->exec("PRAGMA foreign_keys=ON");
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot open database '{}': {}", path, e.what()));
  }
  const int version = db->execAndGet("PRAGMA user_version").getInt();
  if (version > current_schema_version()) {
    throw Error::corrupt_data(
        fmt::format("database '{}' has schema version {}, newer than this clv build knows ({}); "
                    "upgrade clv",
                    path, version, current_schema_version()));
  }
  for (const Migration& m : schema_migrations()) {
    if (m.version <= version) continue;
    try {
      // IMMEDIATE, and the version read again under that write lock: another
      // process opening the same old database at once may have migrated it.
      SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
      if (db->execAndGet("PRAGMA user_version").getInt() >= m.version) continue;
      db->exec(m.sql);
      db->exec(fmt::format("PRAGMA user_version={}", m.version));
      tx.commit();
    } catch (const SQLite::Exception& e) {
      throw Error::io(fmt::format("migrating database '{}' to schema version {} failed: {}", path,
                                  m.version, e.what()));
    }
  }
  return db;
}

}  // namespace clv
