// A handle on one clv-engine database file (SQLite underneath, opened in WAL
// mode with foreign keys and the current schema). Move-only; closing happens
// in the destructor.
#pragma once

#include <memory>
#include <string>

namespace clv {

class Database {
 public:
  // Opens or creates the database at `path` and migrates it. Throws
  // clv::Error (io, corrupt_data) when that is impossible.
  static Database open(const std::string& path);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  const std::string& path() const;

  struct Impl;
  // For engine internals (store/database_access.hpp); not part of the API.
  Impl& impl() { return *impl_; }

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clv
