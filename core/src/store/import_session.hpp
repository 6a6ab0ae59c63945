// One import's hold on the database: bulk-load settings and one write
// transaction. Everything an import writes commits together or not at all.
#pragma once

#include <cstdint>

#include <sqlite3.h>

namespace SQLite {
class Database;
}

namespace clv {

class ImportSession {
 public:
  // BEGIN IMMEDIATE after the bulk-load pragmas; `cache_mib` of page cache.
  ImportSession(SQLite::Database& db, int cache_mib);
  // Rolls back unless committed, and restores the connection's settings.
  ~ImportSession();
  ImportSession(const ImportSession&) = delete;
  ImportSession& operator=(const ImportSession&) = delete;

  void commit();
  sqlite3* handle() const;

 private:
  void restore_settings() noexcept;

  SQLite::Database& db_;
  int64_t cache_ = 0;
  bool done_ = false;
};

}  // namespace clv
