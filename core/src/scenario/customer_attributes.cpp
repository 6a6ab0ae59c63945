// customers.csv (customer_id,sector,segment,region,...) aligned with a summary.
#include <unordered_map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/whatif.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {

CustomerAttributes read_customer_attributes(const std::string& path,
                                            const std::vector<std::string>& ids) {
  CsvReader reader(path);
  CsvRecord rec;
  if (!reader.next(rec)) throw Error::invalid_argument(fmt::format("{} is empty", path));
  int id_col = -1, sector_col = -1, segment_col = -1, region_col = -1;
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    const std::string_view f = rec.fields[i];
    if (f == "customer_id") id_col = static_cast<int>(i);
    if (f == "sector") sector_col = static_cast<int>(i);
    if (f == "segment") segment_col = static_cast<int>(i);
    if (f == "region") region_col = static_cast<int>(i);
  }
  if (id_col < 0) {
    throw Error::invalid_argument(fmt::format("{}:1: needs a customer_id column", path));
  }
  std::unordered_map<std::string, size_t> row_of;
  row_of.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) row_of.emplace(ids[i], i);
  CustomerAttributes out;
  if (sector_col >= 0) out.sector.assign(ids.size(), "");
  if (segment_col >= 0) out.segment.assign(ids.size(), "");
  if (region_col >= 0) out.region.assign(ids.size(), "");
  std::vector<char> seen(ids.size(), 0);
  const auto field = [&](int col) -> std::string {
    return col >= 0 && static_cast<size_t>(col) < rec.fields.size() ? std::string(rec.fields[col])
                                                                    : std::string();
  };
  while (reader.next(rec)) {
    if (!rec.error.empty()) {
      throw Error::invalid_argument(fmt::format("{}:{}: {}", path, rec.line, rec.error));
    }
    auto it = row_of.find(field(id_col));
    if (it == row_of.end()) continue;  // a customer without repeat history in this summary
    const size_t i = it->second;
    seen[i] = 1;
    if (sector_col >= 0) out.sector[i] = field(sector_col);
    if (segment_col >= 0) out.segment[i] = field(segment_col);
    if (region_col >= 0) out.region[i] = field(region_col);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen[i]) {
      throw Error::invalid_argument(
          fmt::format("summary customer {} is not in {}: targets and segments need every customer",
                      ids[i], path));
    }
  }
  return out;
}

}  // namespace clv
