// Versioned schema of the clv-engine database. Migration N brings a database
// from PRAGMA user_version N-1 to N; they are append-only: a released
// migration is never edited, a change is a new migration.
#pragma once

#include <span>

namespace clv {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> schema_migrations();

}  // namespace clv
