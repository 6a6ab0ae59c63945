// Engine-internal access to the SQLite connection behind a clv::Database.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

#include "clv/database.hpp"

namespace clv {

struct Database::Impl {
  std::string path;
  std::unique_ptr<SQLite::Database> sqlite;
};

inline SQLite::Database& sqlite_of(Database& db) {
  return *db.impl().sqlite;
}

}  // namespace clv
