// Shared helpers for the import tests: fresh databases, files on disk and
// the rejects CSV read back through the project's own CSV reader.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "clv/database.hpp"
#include "ingest/csv_reader.hpp"
#include "store/database_access.hpp"

namespace clv::test {

inline std::string temp_path(const std::string& name) {
  return testing::TempDir() + "/" + name;
}

inline Database fresh_database(const std::string& name) {
  const std::string path = temp_path(name);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return Database::open(path);
}

inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  std::filesystem::remove(path + ".rejects.csv");
  return path;
}

inline int64_t count(Database& db, const std::string& sql) {
  return sqlite_of(db).execAndGet(sql).getInt64();
}

inline std::string text(Database& db, const std::string& sql) {
  return sqlite_of(db).execAndGet(sql).getString();
}

struct RejectRow {
  std::string file, line, column, reason, original_text;
};

inline std::vector<RejectRow> read_rejects(const std::string& path) {
  std::vector<RejectRow> rows;
  CsvReader reader(path);
  CsvRecord record;
  EXPECT_TRUE(reader.next(record));
  EXPECT_EQ(record.fields.size(), 5u);
  EXPECT_EQ(record.fields[0], "file");
  while (reader.next(record)) {
    EXPECT_TRUE(record.error.empty()) << record.error;
    EXPECT_EQ(record.fields.size(), 5u) << record.raw;
    if (record.fields.size() != 5) continue;
    rows.push_back({std::string(record.fields[0]), std::string(record.fields[1]),
                    std::string(record.fields[2]), std::string(record.fields[3]),
                    std::string(record.fields[4])});
  }
  return rows;
}

}  // namespace clv::test
