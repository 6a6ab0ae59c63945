// Opens the SQLite database behind the engine with the settings every caller
// relies on (WAL, foreign keys, busy timeout) and brings its schema up to date.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

namespace clv {

// Opens (creating if needed) and migrates the database at `path`. Throws
// clv::Error: io when it cannot be opened, corrupt_data when its schema is
// newer than this build knows. `serialized_by_caller`: the caller never uses
// the connection from two threads at once (it holds its own lock), so
// SQLite's per-call connection mutex is skipped (SQLITE_OPEN_NOMUTEX).
std::unique_ptr<SQLite::Database> open_database(const std::string& path,
                                                bool serialized_by_caller = false);

// The schema version this build writes.
int current_schema_version();

}  // namespace clv
