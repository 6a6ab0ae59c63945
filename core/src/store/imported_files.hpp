// The imported_files table: one row per imported file and entity, so that a
// file without record ids is imported once (matched by content hash).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <sqlite3.h>

namespace clv {

struct ImportedFile {
  int64_t id = 0;
  uint64_t rows = 0;  // inserted + duplicates so far
};

std::optional<ImportedFile> find_imported_file(sqlite3* db, std::string_view entity,
                                               std::string_view content_hash);
// Records a new file (now, no rows yet); returns its id.
int64_t add_imported_file(sqlite3* db, std::string_view entity, std::string_view path,
                          std::string_view content_hash);
void add_imported_file_counts(sqlite3* db, int64_t file_id, uint64_t inserted, uint64_t duplicates,
                              uint64_t rejected);

}  // namespace clv
