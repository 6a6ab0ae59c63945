#include "store/imported_files.hpp"

#include "store/prepared_statement.hpp"

namespace clv {

std::optional<ImportedFile> find_imported_file(sqlite3* db, std::string_view entity,
                                               std::string_view content_hash) {
  PreparedStatement s(db,
                      "SELECT id, inserted + duplicates FROM imported_files "
                      "WHERE entity = ? AND content_hash = ?");
  s.bind_text_or_null(1, entity);
  s.bind_text_or_null(2, content_hash);
  if (!s.step()) return std::nullopt;
  return ImportedFile{s.column_int64(0), static_cast<uint64_t>(s.column_int64(1))};
}

int64_t add_imported_file(sqlite3* db, std::string_view entity, std::string_view path,
                          std::string_view content_hash) {
  PreparedStatement s(db,
                      "INSERT INTO imported_files(entity, path, content_hash, imported_at, "
                      "inserted, duplicates, rejected) VALUES (?,?,?,strftime('%s','now'),0,0,0)");
  s.bind_text_or_null(1, entity);
  s.bind_text_or_null(2, path);
  s.bind_text_or_null(3, content_hash);
  s.step();
  return s.last_insert_rowid();
}

void add_imported_file_counts(sqlite3* db, int64_t file_id, uint64_t inserted, uint64_t duplicates,
                              uint64_t rejected) {
  PreparedStatement s(db,
                      "UPDATE imported_files SET inserted = inserted + ?, duplicates = "
                      "duplicates + ?, rejected = rejected + ? WHERE id = ?");
  s.bind(1, static_cast<int64_t>(inserted));
  s.bind(2, static_cast<int64_t>(duplicates));
  s.bind(3, static_cast<int64_t>(rejected));
  s.bind(4, file_id);
  s.step();
}

}  // namespace clv
