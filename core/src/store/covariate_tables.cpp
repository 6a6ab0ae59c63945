#include "store/covariate_tables.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/database.hpp"

namespace clv::covariate_tables {
namespace {

std::string text_column(SQLite::Statement& q, int column) {
  return q.getColumn(column).isNull() ? std::string() : q.getColumn(column).getString();
}

template <typename T>
std::optional<T> optional_column(SQLite::Statement& q, int column);

template <>
std::optional<int64_t> optional_column(SQLite::Statement& q, int column) {
  if (q.getColumn(column).isNull()) return std::nullopt;
  return q.getColumn(column).getInt64();
}

template <>
std::optional<double> optional_column(SQLite::Statement& q, int column) {
  if (q.getColumn(column).isNull()) return std::nullopt;
  return q.getColumn(column).getDouble();
}

}  // namespace

void read_customer_profiles(const std::string& db_path,
                            const std::function<void(const CustomerProfileRow&)>& each) {
  auto db = open_database(db_path);
  SQLite::Statement q(*db,
                      "SELECT id, external_id, sector, segment, region, attributes FROM customers");
  CustomerProfileRow row;
  while (q.executeStep()) {
    row.row = q.getColumn(0).getInt64();
    row.external_id = q.getColumn(1).getString();
    row.sector = text_column(q, 2);
    row.segment = text_column(q, 3);
    row.region = text_column(q, 4);
    row.attributes = text_column(q, 5);
    each(row);
  }
}

void read_incidents_with_staff(const std::string& db_path,
                               const std::function<void(const IncidentStaffRow&)>& each) {
  auto db = open_database(db_path);
  SQLite::Statement q(
      *db,
      "SELECT i.customer_id, i.opened_at, i.resolved_at, i.severity, i.category, "
      "i.satisfaction, i.compensation_minor, e.trust, e.tact, e.empathy, e.conformity, "
      "e.focus, e.flexibility, e.location, e.external_id, e.role, i.channel FROM incidents i "
      "LEFT JOIN employees e ON "
      "e.id = i.employee_id ORDER BY i.customer_id, i.opened_at, i.id");
  IncidentStaffRow row;
  while (q.executeStep()) {
    row.customer_row = q.getColumn(0).getInt64();
    row.opened_at = q.getColumn(1).getInt64();
    row.resolved_at = optional_column<int64_t>(q, 2);
    row.severity = optional_column<int64_t>(q, 3);
    row.category = text_column(q, 4);
    row.satisfaction = optional_column<double>(q, 5);
    row.compensation_minor = optional_column<double>(q, 6);
    for (int t = 0; t < 6; ++t) row.traits[t] = optional_column<double>(q, 7 + t);
    row.employee_location = text_column(q, 13);
    row.employee = text_column(q, 14);
    row.employee_role = text_column(q, 15);
    row.channel = text_column(q, 16);
    each(row);
  }
}

}  // namespace clv::covariate_tables
