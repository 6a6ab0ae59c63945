// Which sector each customer to be valued belongs to, from a summary file's
// sector column or the database's customers.
#include <fmt/format.h>

#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/import_sectors.hpp"
#include "clv/sector_economics.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {

std::vector<std::string> read_summary_sectors(const std::string& path, size_t rows,
                                              const std::string& fallback) {
  CsvReader reader(path, CsvDialect{});
  CsvRecord record;
  int column = -1;
  if (reader.next(record)) {
    // A `# clv: ...` first line records the summary's unit; the header follows.
    if (!record.fields.empty() && !record.fields[0].empty() && record.fields[0][0] == '#') {
      if (!reader.next(record)) record.fields.clear();
    }
    for (size_t c = 0; c < record.fields.size(); ++c) {
      if (record.fields[c] == "sector") column = static_cast<int>(c);
    }
  }
  if (column < 0) return std::vector<std::string>(rows, fallback);
  std::vector<std::string> sectors;
  while (reader.next(record)) {
    if (record.fields.size() == 1 && record.fields[0].empty()) continue;  // blank line
    const std::string_view sector = static_cast<size_t>(column) < record.fields.size()
                                        ? std::string_view(record.fields[column])
                                        : std::string_view();
    sectors.emplace_back(sector.empty() ? std::string_view(fallback) : sector);
  }
  if (sectors.size() != rows) {
    throw Error::invalid_argument(
        fmt::format("{}: the sector column has {} rows but the summary {}; check the file", path,
                    sectors.size(), rows));
  }
  return sectors;
}

std::vector<std::string> database_customer_sectors(const std::string& db_path,
                                                   const std::vector<std::string>& ids,
                                                   const std::string& fallback) {
  if (!fallback.empty()) return std::vector<std::string>(ids.size(), fallback);
  Database db = Database::open(db_path);
  const auto sectors = customer_sectors(db);
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    const auto it = sectors.find(id);
    out.push_back(it != sectors.end() ? it->second : std::string());
  }
  return out;
}

}  // namespace clv
