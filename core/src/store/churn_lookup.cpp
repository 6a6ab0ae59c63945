#include "store/churn_lookup.hpp"

#include <cmath>
#include <unordered_map>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"

namespace clv {
namespace {

// Churn runs record their time unit in details when the producer knows it.
std::string time_unit_of(const std::string& details_text) {
  const nlohmann::json d = nlohmann::json::parse(details_text, nullptr, false);
  if (!d.is_object()) return "";
  if (auto it = d.find("time_unit"); it != d.end() && it->is_string()) return *it;
  if (auto it = d.find("options"); it != d.end() && it->is_object()) {
    if (auto u = it->find("time_unit"); u != it->end() && u->is_string()) return *u;
  }
  return "";
}

double finite(double v, int64_t run_id, std::string_view customer, const char* what) {
  if (!std::isfinite(v)) {
    throw Error::corrupt_data(
        fmt::format("churn run {} stores a non-finite {} for customer '{}'; rerun `clv churn`",
                    run_id, what, customer));
  }
  return v;
}

}  // namespace

CustomerChurnRisk latest_churn_risk(SQLite::Database& db, std::string_view customer_id) {
  CustomerChurnRisk out;
  out.customer_id = std::string(customer_id);
  try {
    SQLite::Statement run(db,
                          "SELECT id, model, created_at, COALESCE(source, ''), horizon, details "
                          "FROM runs WHERE kind = 'churn' ORDER BY id DESC LIMIT 1");
    if (!run.executeStep()) {
      throw MissingRunError(
          "no churn run in the database yet: run `clv churn --db <this database>` first (it "
          "stores every customer's churn risk and drivers)");
    }
    out.churn_run_id = run.getColumn(0).getInt64();
    out.model = run.getColumn(1).getString();
    out.created_at = run.getColumn(2).getInt64();
    out.source = run.getColumn(3).getString();
    out.horizon = run.getColumn(4).isNull() ? 0 : run.getColumn(4).getDouble();
    out.time_unit = time_unit_of(run.getColumn(5).getString());

    SQLite::Statement row(db,
                          "SELECT p_alive, churn_risk, risk_band, expected_purchases, drivers "
                          "FROM churn_scores WHERE run_id = ? AND customer = ?");
    row.bind(1, out.churn_run_id);
    row.bind(2, out.customer_id);
    if (!row.executeStep()) {
      throw Error::not_found(fmt::format(
          "customer '{}' is not in the latest churn run ({}); rerun `clv churn` after its data "
          "arrived",
          customer_id, out.churn_run_id));
    }
    const int64_t id = out.churn_run_id;
    out.p_alive = finite(row.getColumn(0).getDouble(), id, customer_id, "p_alive");
    out.churn_risk = finite(row.getColumn(1).getDouble(), id, customer_id, "churn_risk");
    out.risk_band = row.getColumn(2).getString();
    out.expected_purchases =
        finite(row.getColumn(3).getDouble(), id, customer_id, "expected_purchases");
    const nlohmann::json drivers =
        nlohmann::json::parse(row.getColumn(4).getString(), nullptr, false);
    if (!drivers.is_array()) {
      throw Error::corrupt_data(fmt::format(
          "churn run {}: the drivers of customer '{}' are not a JSON array", id, customer_id));
    }
    for (const nlohmann::json& d : drivers) {
      if (!d.is_object() || !d.contains("covariate") || !d["covariate"].is_string() ||
          !d.contains("effect") || !d["effect"].is_number()) {
        throw Error::corrupt_data(
            fmt::format("churn run {}: a driver of customer '{}' is not {{covariate, effect}}", id,
                        customer_id));
      }
      out.drivers.push_back({d["covariate"].get<std::string>(),
                             finite(d["effect"].get<double>(), id, customer_id, "driver effect")});
    }
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("reading the churn run failed: {}", e.what()));
  }
  return out;
}

CustomerAttributes customer_attributes(SQLite::Database& db, const std::vector<int64_t>& rows) {
  struct Row {
    std::string sector, segment, region;
  };
  std::unordered_map<int64_t, Row> by_id;
  bool any_sector = false, any_segment = false, any_region = false;
  try {
    SQLite::Statement q(db,
                        "SELECT id, sector, segment, region FROM customers WHERE sector IS NOT "
                        "NULL OR segment IS NOT NULL OR region IS NOT NULL");
    while (q.executeStep()) {
      Row r{q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString()};
      any_sector |= !r.sector.empty();
      any_segment |= !r.segment.empty();
      any_region |= !r.region.empty();
      by_id.emplace(q.getColumn(0).getInt64(), std::move(r));
    }
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("reading customer attributes failed: {}", e.what()));
  }
  CustomerAttributes a;
  auto fill = [&](bool any, std::vector<std::string>& column, std::string Row::*field) {
    if (!any) return;
    column.reserve(rows.size());
    for (int64_t id : rows) {
      auto it = by_id.find(id);
      column.push_back(it == by_id.end() ? std::string() : it->second.*field);
    }
  };
  fill(any_sector, a.sector, &Row::sector);
  fill(any_segment, a.segment, &Row::segment);
  fill(any_region, a.region, &Row::region);
  return a;
}

}  // namespace clv
