// The reads behind database covariates (churn/db_covariates): the customers'
// profile columns and every incident with the handling employee's profile,
// with their SQL. The churn code turns the rows into covariates.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace clv::covariate_tables {

struct CustomerProfileRow {
  int64_t row = 0;                                   // customers.id
  std::string external_id, sector, segment, region;  // "" for NULL
  std::string attributes;                            // JSON text, "" for NULL
};

struct IncidentStaffRow {
  int64_t customer_row = 0;
  int64_t opened_at = 0;  // UTC seconds
  std::optional<int64_t> resolved_at, severity;
  std::string category;  // "" for NULL
  std::optional<double> satisfaction;
  std::optional<double> compensation_minor;
  // The employee's trust, tact, empathy, conformity, focus and flexibility.
  std::array<std::optional<double>, 6> traits;
  std::string employee_location, employee, employee_role, channel;  // "" for NULL / no employee
};

// Every customer row, in table order.
void read_customer_profiles(const std::string& db_path,
                            const std::function<void(const CustomerProfileRow&)>& each);

// Every incident, ordered by customer row, opening time and incident id.
void read_incidents_with_staff(const std::string& db_path,
                               const std::function<void(const IncidentStaffRow&)>& each);

}  // namespace clv::covariate_tables
