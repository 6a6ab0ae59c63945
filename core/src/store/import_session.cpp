#include "store/import_session.hpp"

#include <algorithm>

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

namespace clv {

// synchronous=OFF only skips fsyncs; atomicity still comes from the
// transaction and the WAL. The importer resolves every reference itself
// (customer and employee maps), so SQLite's per-row foreign-key probes are
// pure overhead; the same for CHECK constraints: every one of them (kind,
// quantity, severity, scores, resolved >= opened) is validated per row before
// the insert, and SQLite evaluates `kind IN (...)` by building a temporary
// table per row.
ImportSession::ImportSession(SQLite::Database& db, int cache_mib) : db_(db) {
  cache_ = db_.execAndGet("PRAGMA cache_size").getInt64();
  db_.exec("PRAGMA synchronous=OFF");
  db_.exec("PRAGMA foreign_keys=OFF");
  db_.exec("PRAGMA ignore_check_constraints=ON");
  db_.exec(
      fmt::format("PRAGMA cache_size={}", -1024 * static_cast<int64_t>(std::max(cache_mib, 1))));
  try {
    db_.exec("BEGIN IMMEDIATE");
  } catch (...) {
    restore_settings();  // no destructor runs for a constructor that throws
    throw;
  }
}

ImportSession::~ImportSession() {
  if (!done_) {
    done_ = true;
    try {
      db_.exec("ROLLBACK");
    } catch (...) {  // nothing more to do: the connection is going away or broken
    }
  }
  restore_settings();
}

void ImportSession::restore_settings() noexcept {
  try {
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec("PRAGMA foreign_keys=ON");
    db_.exec("PRAGMA ignore_check_constraints=OFF");
    db_.exec(fmt::format("PRAGMA cache_size={}", cache_));
  } catch (...) {  // restoring speed settings must never mask the real error
  }
}

void ImportSession::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

sqlite3* ImportSession::handle() const {
  return db_.getHandle();
}

}  // namespace clv
