#include "store/customer_sites.hpp"

#include <unordered_map>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "store/database.hpp"

namespace clv {

std::vector<std::string> load_home_sites(const std::string& db_path,
                                         const std::vector<std::string>& external_ids,
                                         int64_t last_day) {
  std::unordered_map<std::string, size_t> row_of;
  row_of.reserve(external_ids.size());
  for (size_t i = 0; i < external_ids.size(); ++i) row_of.emplace(external_ids[i], i);
  std::vector<std::string> site(external_ids.size());
  std::vector<int64_t> best(external_ids.size(), 0);
  try {
    auto db = open_database(db_path);
    SQLite::Statement q(*db,
                        "SELECT c.external_id, t.location, count(*) FROM transactions t JOIN "
                        "customers c ON c.id = t.customer_id WHERE t.kind = 'purchase' AND "
                        "t.location IS NOT NULL AND t.location <> '' AND t.ts < ? "
                        "GROUP BY t.customer_id, t.location ORDER BY t.customer_id, t.location");
    q.bind(1, (last_day + 1) * kSecondsPerDay);
    while (q.executeStep()) {
      const auto it = row_of.find(q.getColumn(0).getString());
      if (it == row_of.end()) continue;
      const int64_t count = q.getColumn(2).getInt64();
      if (count > best[it->second]) {
        best[it->second] = count;
        site[it->second] = q.getColumn(1).getString();
      }
    }
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot read customer locations from {}: {}", db_path, e.what()));
  }
  return site;
}

}  // namespace clv
