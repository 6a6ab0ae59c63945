#include "store/purchase_days.hpp"

#include <unordered_map>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "store/database.hpp"

namespace clv {

std::vector<std::vector<int32_t>> load_purchase_days(const std::string& db_path,
                                                     const std::vector<std::string>& external_ids,
                                                     int64_t last_day) {
  std::unordered_map<std::string, size_t> row_of;
  row_of.reserve(external_ids.size());
  for (size_t i = 0; i < external_ids.size(); ++i) row_of.emplace(external_ids[i], i);
  std::vector<std::vector<int32_t>> days(external_ids.size());
  try {
    auto db = open_database(db_path);
    SQLite::Statement q(*db,
                        "SELECT c.external_id, t.ts FROM transactions t JOIN customers c ON "
                        "c.id = t.customer_id WHERE t.kind = 'purchase' AND t.ts < ? "
                        "ORDER BY t.customer_id, t.ts");
    q.bind(1, (last_day + 1) * kSecondsPerDay);
    std::string current;
    std::vector<int32_t>* list = nullptr;
    while (q.executeStep()) {
      const char* id = q.getColumn(0).getText();
      if (list == nullptr || current != id) {
        current = id;
        const auto it = row_of.find(current);
        list = it == row_of.end() ? nullptr : &days[it->second];
        if (list == nullptr) continue;
      }
      const auto day = static_cast<int32_t>(day_of(q.getColumn(1).getInt64()));
      if (list->empty() || list->back() != day) list->push_back(day);
    }
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot read purchase days from {}: {}", db_path, e.what()));
  }
  return days;
}

}  // namespace clv
