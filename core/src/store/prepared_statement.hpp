// A thin RAII wrapper over sqlite3_stmt for hot loops: binds string_views
// without copying (SQLITE_STATIC: the caller keeps the text alive until
// step()), and reports errors as clv::Error. SQLiteCpp's Statement copies
// every bound string, which costs ~15% of import time.
#pragma once

#include <cstdint>
#include <string_view>

#include <sqlite3.h>

namespace clv {

class PreparedStatement {
 public:
  PreparedStatement(sqlite3* db, std::string_view sql);
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  void bind_null(int index) { check(sqlite3_bind_null(stmt_, index)); }
  void bind(int index, int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind(int index, double value) { check(sqlite3_bind_double(stmt_, index, value)); }
  // Empty text binds NULL: an empty CSV cell means "unknown".
  void bind_text_or_null(int index, std::string_view text);

  // Runs the statement; true when it produced a row (read it with column_*).
  bool step();
  void reset();  // after step(), ready for new bindings
  int64_t column_int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string_view column_text(int col) const;
  int changes() const { return sqlite3_changes(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

 private:
  void check(int rc) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace clv
