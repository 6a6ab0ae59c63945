// Issue 13, item 18: a CRM that only speaks HTTP (or the C API) feeds the
// same columns as a CSV import. The JSON records take every column of the
// entity's CSV import (entity_fields(): a new CSV column without JSON
// support fails here), store them where the importer stores them, and refuse
// an unknown field by name. Ids are unique across both writers (item 2).
#include <filesystem>
#include <functional>
#include <string>
#include <tuple>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "clv/database.hpp"
#include "clv/engine.hpp"
#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "engine/engine_json.hpp"
#include "engine/fast_transaction_json.hpp"

namespace clv {
namespace {

using nlohmann::json;

std::string fresh_db(const std::string& name) {
  const std::string path = testing::TempDir() + "/ingest_fields_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

// A valid JSON value for each CSV column (the CSV's text as JSON's type).
json value_for(std::string_view field) {
  if (field == "timestamp" || field == "opened_at") return "2024-03-01T10:00:00Z";
  if (field == "resolved_at") return "2024-03-02T10:00:00Z";
  if (field == "amount" || field == "compensation") return 12.5;
  if (field == "quantity") return 3;
  if (field == "severity" || field == "satisfaction") return 4;
  if (field == "currency") return "EUR";
  if (field == "kind") return "purchase";
  return std::string("v-") + std::string(field);
}

std::string error_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(IngestFields, JsonRecordsTakeEveryColumnOfTheCsvImport) {
  json txn = json::object(), inc = json::object();
  for (std::string_view f : entity_fields(Entity::kTransactions))
    txn[std::string(f)] = value_for(f);
  for (std::string_view f : entity_fields(Entity::kIncidents)) inc[std::string(f)] = value_for(f);
  const std::string txn_text = json{{"transactions", {txn}}}.dump();
  const auto strict = transactions_from_json(parse_json(txn_text), 0);
  ASSERT_EQ(strict.size(), 1u);
  const TransactionRecord& t = strict[0];
  EXPECT_EQ(t.id, "v-transaction_id");
  EXPECT_EQ(t.customer_id, "v-customer_id");
  EXPECT_EQ(t.timestamp, 1709287200);
  EXPECT_EQ(t.amount_minor, 1250);
  EXPECT_EQ(t.currency, "EUR");
  EXPECT_EQ(t.quantity, 3);
  EXPECT_EQ(t.category, "v-category");
  EXPECT_EQ(t.channel, "v-channel");
  EXPECT_EQ(t.location, "v-location");
  EXPECT_EQ(t.reference, "v-reference");
  EXPECT_EQ(t.payer, "v-payer");
  // The simdjson path takes the full record itself and gives the same record.
  const auto fast = parse_transactions_fast(txn_text, 0);
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->size(), 1u);
  const TransactionRecord& f = (*fast)[0];
  EXPECT_EQ(std::tie(f.id, f.customer_id, f.timestamp, f.amount_minor, f.currency, f.kind,
                     f.quantity, f.category, f.channel, f.location, f.reference, f.payer),
            std::tie(t.id, t.customer_id, t.timestamp, t.amount_minor, t.currency, t.kind,
                     t.quantity, t.category, t.channel, t.location, t.reference, t.payer));

  const auto incidents = incidents_from_json(json{{"incidents", {inc}}}, 0);
  ASSERT_EQ(incidents.size(), 1u);
  const IncidentRecord& n = incidents[0];
  EXPECT_EQ(n.id, "v-incident_id");
  EXPECT_EQ(n.opened_at, 1709287200);
  EXPECT_EQ(n.resolved_at, 1709373600);
  EXPECT_EQ(n.severity, 4);
  EXPECT_EQ(n.satisfaction, 4);
  EXPECT_EQ(n.category, "v-category");
  EXPECT_EQ(n.channel, "v-channel");
  EXPECT_EQ(n.outcome, "v-outcome");
  EXPECT_EQ(n.employee_id, "v-employee_id");
  EXPECT_EQ(n.compensation_minor, 1250);
}

// A strict API: a field it does not know (a typo) is an error naming it and
// the known fields, never dropped; both transaction parsers say the same.
TEST(IngestFields, UnknownFieldsAreRefusedByName) {
  const std::string body =
      R"({"transactions": [{"customer_id": "a", "timestamp": 1, "amount": 1, "quantitiy": 2}]})";
  const std::string strict = error_of([&] { transactions_from_json(parse_json(body), 0); });
  EXPECT_NE(strict.find("field 'quantitiy'"), std::string::npos) << strict;
  EXPECT_NE(strict.find("quantity, category, channel, location"), std::string::npos) << strict;
  EXPECT_EQ(error_of([&] { transactions_from_json_text(body, 0); }), strict);
  EXPECT_FALSE(parse_transactions_fast(body, 0).has_value());

  const std::string inc = error_of([&] {
    incidents_from_json(parse_json(R"([{"customer_id": "a", "opened_at": 1, "staff": "E1"}])"), 0);
  });
  EXPECT_NE(inc.find("field 'staff'"), std::string::npos) << inc;
  EXPECT_NE(inc.find("employee_id, compensation"), std::string::npos) << inc;
  // Given twice under its two names, an id or a compensation is an error too.
  const std::string twice = R"([{"customer_id": "a", "timestamp": 1, "amount": 1, "id": "x",
                                 "transaction_id": "y"}])";
  EXPECT_NE(error_of([&] { transactions_from_json_text(twice, 0); }).find("transaction_id"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              incidents_from_json(parse_json(R"([{"customer_id": "a", "opened_at": 1,
                 "compensation": 1, "compensation_minor": 100}])"),
                                  0);
            }).find("compensation_minor"),
            std::string::npos);
  // Values are checked as the CSV import checks them.
  const std::string negative = R"([{"customer_id": "a", "timestamp": 1704067200, "amount": 1,
                                    "quantity": -1}])";
  auto engine = Engine::open(fresh_db("negative_quantity"), {});
  const std::string err =
      error_of([&] { engine->ingest_transactions(transactions_from_json_text(negative, 0)); });
  EXPECT_NE(err.find("negative quantity -1"), std::string::npos) << err;
}

// The rows of a table as text, in id order, with customers and employees
// by their external ids (row numbers differ between the two databases).
std::string table_text(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, sql);
  std::string out;
  while (q.executeStep()) {
    for (int c = 0; c < q.getColumnCount(); ++c) {
      out += q.getColumn(c).isNull() ? std::string("NULL") : q.getColumn(c).getString();
      out += c + 1 < q.getColumnCount() ? "|" : "\n";
    }
  }
  return out;
}

constexpr const char* kTransactionRows =
    "SELECT t.external_id, c.external_id, t.ts, t.amount_minor, t.currency, t.kind, t.quantity, "
    "t.category, t.channel, t.location FROM transactions t JOIN customers c ON c.id = "
    "t.customer_id ORDER BY t.external_id";
constexpr const char* kIncidentRows =
    "SELECT i.external_id, c.external_id, i.opened_at, i.resolved_at, i.severity, i.category, "
    "i.channel, i.outcome, i.satisfaction, e.external_id, i.compensation_minor FROM incidents i "
    "JOIN customers c ON c.id = i.customer_id LEFT JOIN employees e ON e.id = i.employee_id "
    "ORDER BY i.external_id";

// The same transactions and incidents, once from CSV files and once through
// the engine's JSON ingest (what POST /v1/transactions and /v1/incidents and
// clv_ingest_* run), are stored as identical rows.
TEST(IngestFields, JsonIngestStoresTheRowsACsvImportStores) {
  const std::string employees = "employee_id,role,location,trust\nE1,agent,Berlin,7\n";
  const std::string csv_path = fresh_db("csv");
  {
    Database db = Database::open(csv_path);
    import_text(db, Entity::kEmployees, employees, "employees.csv");
    import_text(db, Entity::kTransactions,
                "transaction_id,customer_id,timestamp,amount,currency,kind,quantity,category,"
                "channel,location\n"
                "t1,c1,2024-03-01T10:00:00Z,12.50,EUR,purchase,3,shoes,web,Berlin\n"
                "t2,c1,2024-03-05T09:30:00Z,4.00,USD,return,,,store,\n",
                "txn.csv");
    import_text(db, Entity::kIncidents,
                "incident_id,customer_id,opened_at,resolved_at,severity,category,channel,outcome,"
                "satisfaction,employee_id,compensation\n"
                "i1,c1,2024-03-02T08:00:00Z,2024-03-02T12:00:00Z,4,delivery,phone,refunded,2,E1,"
                "15.00\n"
                "i2,c1,2024-03-06T08:00:00Z,,,,,,,,\n",
                "inc.csv");
  }
  const std::string json_path = fresh_db("json");
  {
    Database db = Database::open(json_path);
    import_text(db, Entity::kEmployees, employees, "employees.csv");
  }
  {
    auto engine = Engine::open(json_path, {});
    const IngestResult t = engine->ingest_transactions(transactions_from_json_text(
        R"({"transactions": [
          {"transaction_id": "t1", "customer_id": "c1", "timestamp": "2024-03-01T10:00:00Z",
           "amount": 12.5, "currency": "EUR", "kind": "purchase", "quantity": 3,
           "category": "shoes", "channel": "web", "location": "Berlin"},
          {"id": "t2", "customer_id": "c1", "timestamp": "2024-03-05T09:30:00Z",
           "amount_minor": 400, "kind": "return", "channel": "store"}]})",
        0));
    EXPECT_EQ(t.inserted, 2u);
    const IngestResult i = engine->ingest_incidents(incidents_from_json(parse_json(R"([
          {"incident_id": "i1", "customer_id": "c1", "opened_at": "2024-03-02T08:00:00Z",
           "resolved_at": "2024-03-02T12:00:00Z", "severity": 4, "category": "delivery",
           "channel": "phone", "outcome": "refunded", "satisfaction": 2, "employee_id": "E1",
           "compensation": 15.0},
          {"id": "i2", "customer_id": "c1", "opened_at": "2024-03-06T08:00:00Z",
           "resolved_at": null}])"),
                                                                        0));
    EXPECT_EQ(i.inserted, 2u);
  }  // closing merges the pending transactions
  const std::string csv_txn = table_text(csv_path, kTransactionRows);
  EXPECT_EQ(csv_txn,
            "t1|c1|1709287200|1250|EUR|purchase|3|shoes|web|Berlin\n"
            "t2|c1|1709631000|400|USD|return|NULL|NULL|store|NULL\n");
  EXPECT_EQ(table_text(json_path, kTransactionRows), csv_txn);
  const std::string csv_inc = table_text(csv_path, kIncidentRows);
  EXPECT_EQ(csv_inc,
            "i1|c1|1709366400|1709380800|4|delivery|phone|refunded|2|E1|1500\n"
            "i2|c1|1709712000|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
  EXPECT_EQ(table_text(json_path, kIncidentRows), csv_inc);
}

// An employee the database does not know refuses the batch, as the CSV
// import rejects the row: nothing of it is stored.
TEST(IngestFields, UnknownEmployeeRefusesTheIncidentBatch) {
  const std::string path = fresh_db("unknown_employee");
  auto engine = Engine::open(path, {});
  const std::string err = error_of([&] {
    engine->ingest_incidents(incidents_from_json(parse_json(R"([
        {"customer_id": "c1", "opened_at": 1704067200},
        {"customer_id": "c2", "opened_at": 1704067200, "employee_id": "E404"}])"),
                                                 0));
  });
  EXPECT_NE(err.find("record 1: field 'employee_id' names unknown employee 'E404'"),
            std::string::npos)
      << err;
  EXPECT_EQ(engine->stats().incidents, 0u);
  EXPECT_EQ(engine->stats().customers, 0u);
}

// Item 2 across writers: an id a CSV import stored is a duplicate for the
// engine's ingest (HTTP, C API), and the reverse, pending or merged.
TEST(IngestFields, IdsAreUniqueAcrossCsvImportAndJsonIngest) {
  const std::string path = fresh_db("cross_ids");
  {
    Database db = Database::open(path);
    const ImportResult r = import_text(db, Entity::kTransactions,
                                       "transaction_id,customer_id,timestamp,amount\n"
                                       "csv-1,c1,2024-01-02,1.00\n"
                                       "csv-2,c1,2024-01-03,2.00\n",
                                       "first.csv");
    ASSERT_EQ(r.inserted, 2u);
  }
  {
    auto engine = Engine::open(path, {});
    const IngestResult r = engine->ingest_transactions(transactions_from_json_text(
        R"([{"id": "csv-1", "customer_id": "c1", "timestamp": 1704240000, "amount": 9},
            {"id": "http-1", "customer_id": "c1", "timestamp": 1704240000, "amount": 3}])",
        0));
    EXPECT_EQ(r.inserted, 1u);
    EXPECT_EQ(r.duplicates, 1u);
    EXPECT_EQ(engine->stats().transactions, 3u);
  }  // closed: http-1 is merged into transactions
  Database db = Database::open(path);
  const ImportResult again = import_text(db, Entity::kTransactions,
                                         "transaction_id,customer_id,timestamp,amount\n"
                                         "http-1,c1,2024-01-05,7.00\n"
                                         "csv-3,c1,2024-01-06,1.00\n",
                                         "second.csv");
  EXPECT_EQ(again.inserted, 1u);
  EXPECT_EQ(again.duplicates, 1u);
  EXPECT_EQ(table_text(path,
                       "SELECT external_id, amount_minor FROM transactions ORDER BY "
                       "external_id"),
            "csv-1|100\ncsv-2|200\ncsv-3|100\nhttp-1|300\n");
}

}  // namespace
}  // namespace clv
