#include "store/prepared_statement.hpp"

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

PreparedStatement::PreparedStatement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    throw Error::internal(fmt::format("cannot prepare '{}': {}", sql, sqlite3_errmsg(db)));
  }
}

PreparedStatement::~PreparedStatement() {
  sqlite3_finalize(stmt_);
}

void PreparedStatement::bind_text_or_null(int index, std::string_view text) {
  if (text.empty()) {
    bind_null(index);
  } else {
    check(
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC));
  }
}

bool PreparedStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string message = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw Error::io(fmt::format("database write failed: {}", message));
}

void PreparedStatement::reset() {
  sqlite3_reset(stmt_);
}

std::string_view PreparedStatement::column_text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

void PreparedStatement::check(int rc) const {
  if (rc != SQLITE_OK)
    throw Error::internal(fmt::format("sqlite bind failed: {}", sqlite3_errmsg(db_)));
}

}  // namespace clv
