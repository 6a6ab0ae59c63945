// Issue 13, item 18: a CRM that only speaks HTTP (or the C API) feeds the
// same columns as a CSV import. The JSON records take every column of the
// entity's CSV import (entity_fields(): a new CSV column without JSON
// support fails here), store them where the importer stores them, and refuse
// an unknown field by name. Ids are unique across both writers (item 2).
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

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

const std::string kPluginDir = std::string(CLV_BINARY_DIR) + "/plugins";

EngineOptions with_plugins() {
  EngineOptions o;
  o.plugin_dirs = {kPluginDir};
  return o;
}

// Issue 13 (employees over HTTP / the C API) and issue 12 (a customer's
// sector over HTTP / the C API): customers and employees sent as JSON are
// stored as the same rows `clv import customers` / `clv import employees`
// stores from the same data.
TEST(IngestFields, CustomersAndEmployeesOverJsonStoreTheRowsACsvImportStores) {
  ASSERT_TRUE(std::filesystem::exists(kPluginDir + "/retail/manifest.json")) << kPluginDir;
  const std::string csv_path = fresh_db("csv_people");
  {
    Database db = Database::open(csv_path);
    const ImportResult e =
        import_text(db, Entity::kEmployees,
                    "employee_id,role,location,trust,tact,empathy,conformity,focus,flexibility\n"
                    "E1,agent,Berlin,7,6.5,8,5,4,9\n"
                    "E2,lead,,,,,,,\n",
                    "employees.csv");
    ASSERT_EQ(e.inserted, 2u);
    // c0 exists before (created by a transaction): its empty attributes are filled in.
    import_text(db, Entity::kTransactions, "customer_id,timestamp,amount\nc0,2024-01-02,5\n",
                "t.csv");
    const ImportResult c = import_text(db, Entity::kCustomers,
                                       "customer_id,sector,segment,region,acquired_at,tier\n"
                                       "c0,hospitality,,,,\n"
                                       "c1,retail,gold,EU,2023-05-01,platinum\n"
                                       "c2,,,,,\n",
                                       "customers.csv");
    ASSERT_EQ(c.inserted, 2u);
    ASSERT_EQ(c.updated, 1u);
  }
  const std::string json_path = fresh_db("json_people");
  {
    auto engine = Engine::open(json_path, with_plugins());
    const IngestResult e = engine->ingest_employees(employees_from_json(parse_json(R"(
        {"employees": [{"employee_id": "E1", "role": "agent", "location": "Berlin", "trust": 7,
                        "tact": 6.5, "empathy": 8, "conformity": 5, "focus": 4,
                        "flexibility": 9},
                       {"id": "E2", "role": "lead", "trust": null}]})"),
                                                                        0));
    EXPECT_EQ(e.inserted, 2u);
    engine->ingest_transactions(transactions_from_json_text(
        R"([{"customer_id": "c0", "timestamp": "2024-01-02", "amount": 5}])", 0));
    const IngestResult c = engine->ingest_customers(customers_from_json(parse_json(R"(
        {"customers": [{"customer_id": "c0", "sector": "hospitality"},
                       {"customer_id": "c1", "sector": "retail", "segment": "gold",
                        "region": "EU", "acquired_at": "2023-05-01",
                        "attributes": {"tier": "platinum"}},
                       {"id": "c2"}]})"),
                                                                        0));
    EXPECT_EQ(c.inserted, 2u);
    EXPECT_EQ(c.updated, 1u);
    EXPECT_EQ(c.duplicates, 0u);
    // Sent again: nothing to fill in, every record a duplicate.
    const IngestResult again = engine->ingest_customers(customers_from_json(
        parse_json(R"([{"customer_id": "c0", "sector": "hospitality"}, {"customer_id": "c2"}])"),
        0));
    EXPECT_EQ(again.duplicates, 2u);
    EXPECT_EQ(again.inserted + again.updated, 0u);
    const IngestResult e2 = engine->ingest_employees(
        employees_from_json(parse_json(R"([{"employee_id": "E1", "role": "other"}])"), 0));
    EXPECT_EQ(e2.duplicates, 1u);
    EXPECT_EQ(engine->stats().customers, 3u);
  }
  const char* employees =
      "SELECT external_id, role, location, trust, tact, empathy, conformity, focus, flexibility "
      "FROM employees ORDER BY external_id";
  const char* customers =
      "SELECT external_id, sector, segment, region, acquired_at, attributes FROM customers "
      "ORDER BY external_id";
  const std::string csv_employees = table_text(csv_path, employees);
  EXPECT_EQ(csv_employees,
            "E1|agent|Berlin|7.0|6.5|8.0|5.0|4.0|9.0\n"
            "E2|lead|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
  EXPECT_EQ(table_text(json_path, employees), csv_employees);
  const std::string csv_customers = table_text(csv_path, customers);
  EXPECT_EQ(csv_customers,
            "c0|hospitality|NULL|NULL|NULL|{}\n"
            "c1|retail|gold|EU|1682899200|{\"tier\":\"platinum\"}\n"
            "c2|NULL|NULL|NULL|NULL|{}\n");
  EXPECT_EQ(table_text(json_path, customers), csv_customers);
}

// Every column of `clv import customers` / `clv import employees` is a
// field of the JSON records (a new CSV column without JSON support fails).
TEST(IngestFields, CustomerAndEmployeeJsonTakeEveryColumnOfTheCsvImport) {
  json cus = json::object(), emp = json::object();
  for (std::string_view f : entity_fields(Entity::kCustomers)) {
    cus[std::string(f)] = f == "acquired_at" ? json("2023-05-01") : value_for(f);
  }
  for (std::string_view f : entity_fields(Entity::kEmployees)) {
    const bool text = f == "employee_id" || f == "role" || f == "location";
    emp[std::string(f)] = text ? value_for(f) : json(5.5);
  }
  const auto customers = customers_from_json(json{{"customers", {cus}}}, 0);
  ASSERT_EQ(customers.size(), 1u);
  EXPECT_EQ(customers[0].customer_id, "v-customer_id");
  EXPECT_EQ(customers[0].sector, "v-sector");
  EXPECT_EQ(customers[0].segment, "v-segment");
  EXPECT_EQ(customers[0].region, "v-region");
  EXPECT_EQ(customers[0].acquired_at, 1682899200);
  const auto employees = employees_from_json(json{{"employees", {emp}}}, 0);
  ASSERT_EQ(employees.size(), 1u);
  const EmployeeDetails& e = employees[0];
  EXPECT_EQ(e.employee_id, "v-employee_id");
  EXPECT_EQ(e.role, "v-role");
  EXPECT_EQ(e.location, "v-location");
  for (const auto& score : {e.trust, e.tact, e.empathy, e.conformity, e.focus, e.flexibility}) {
    EXPECT_EQ(score, 5.5);
  }
}

// The reject reason of the CSV import is the error of the JSON ingest, for
// the same bad value (one rule set: ingest/row_parsers).
std::string csv_reject_reason(Entity entity, const std::string& csv, const std::string& name) {
  const std::string path = fresh_db("reasons_" + name);
  Database db = Database::open(path);
  ImportOptions options;
  options.rejects_path = path + ".rejects.csv";
  const ImportResult r = import_text(db, entity, csv, name, options);
  EXPECT_EQ(r.rejected, 1u) << name;
  std::ifstream in(options.rejects_path);
  std::string header, line;
  std::getline(in, header);
  std::getline(in, line);
  return line;
}

TEST(IngestFields, CustomerAndEmployeeErrorsGiveTheCsvImportsReasons) {
  auto engine = Engine::open(fresh_db("people_errors"), with_plugins());
  auto employee_error = [&](const std::string& body) {
    return error_of([&] { engine->ingest_employees(employees_from_json(parse_json(body), 0)); });
  };
  auto customer_error = [&](const std::string& body) {
    return error_of([&] { engine->ingest_customers(customers_from_json(parse_json(body), 0)); });
  };
  const std::string reason = "behaviour score empathy 11 out of range 0-10";
  EXPECT_NE(csv_reject_reason(Entity::kEmployees, "employee_id,empathy\nE1,11\n", "emp.csv")
                .find(",empathy," + reason),
            std::string::npos);
  std::string err = employee_error(R"([{"employee_id": "E0"}, {"employee_id": "E1",
                                        "empathy": 11}])");
  EXPECT_NE(err.find("record 1: field 'empathy': " + reason), std::string::npos) << err;
  EXPECT_NE(employee_error(R"([{"employee_id": "E1", "focus": -0.5}])")
                .find("behaviour score focus -0.5 out of range 0-10"),
            std::string::npos);
  err = employee_error(R"([{"employee_id": ""}])");
  EXPECT_NE(err.find("field 'employee_id': missing employee_id"), std::string::npos) << err;
  err = employee_error(R"([{"employee_id": "E1"}, {"employee_id": "E1"}])");
  EXPECT_NE(err.find("record 1: field 'employee_id': duplicate employee_id 'E1' in this batch"),
            std::string::npos)
      << err;
  err = employee_error(R"([{"employee_id": "E1", "salary": 3}])");
  EXPECT_NE(err.find("field 'salary' is not an employee field"), std::string::npos) << err;
  err = employee_error("[{\"employee_id\": \"E\\u0000\"}]");
  EXPECT_NE(err.find("field 'employee_id': NUL byte at byte 2 of the field"), std::string::npos)
      << err;
  // A sector must name a loaded plugin: it selects the plugin that
  // normalizes and values the customer.
  err = customer_error(R"([{"customer_id": "c1", "sector": "retail"},
                           {"customer_id": "c2", "sector": "mining"}])");
  EXPECT_NE(err.find("record 1: field 'sector': no loaded plugin serves sector 'mining'"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("retail"), std::string::npos) << err;  // the loaded ones are listed
  err = customer_error(R"([{"customer_id": "c1", "acquired_at": "yesterday"}])");
  EXPECT_NE(err.find("field 'acquired_at' is not an ISO 8601 date"), std::string::npos) << err;
  err = customer_error(R"([{"customer_id": "c1", "attributes": {"sector": "retail"}}])");
  EXPECT_NE(err.find("attribute 'sector' is not a free attribute name"), std::string::npos) << err;
  // Nothing of a refused batch was stored.
  EXPECT_EQ(engine->stats().customers, 0u);
}

// Issue 13: a negative compensation is a reject (CSV) and a refused batch
// (JSON, C++), with the same reason.
TEST(IngestFields, NegativeCompensationIsRefusedOnEveryPath) {
  const std::string line = csv_reject_reason(
      Entity::kIncidents, "customer_id,opened_at,compensation\nc1,2024-01-02,-5.00\n", "inc.csv");
  EXPECT_NE(line.find(",compensation,negative compensation '-5.00'"), std::string::npos) << line;
  auto engine = Engine::open(fresh_db("negative_compensation"), {});
  for (const char* body :
       {R"([{"customer_id": "c1", "opened_at": 1704153600, "compensation": -5}])",
        R"([{"customer_id": "c1", "opened_at": 1704153600, "compensation_minor": -500}])"}) {
    const std::string err =
        error_of([&] { engine->ingest_incidents(incidents_from_json(parse_json(body), 0)); });
    EXPECT_NE(err.find("record 0: field 'compensation"), std::string::npos) << err;
    EXPECT_NE(err.find("negative compensation"), std::string::npos) << err;
  }
  IncidentRecord r;
  r.customer_id = "c1";
  r.opened_at = 1704153600;
  r.compensation_minor = -1;
  const std::string err = error_of([&] { engine->ingest_incidents({&r, 1}); });
  EXPECT_NE(err.find("record 0: field 'compensation': negative compensation"), std::string::npos)
      << err;
  EXPECT_EQ(engine->stats().incidents, 0u);
  r.compensation_minor = 0;  // no compensation is fine
  EXPECT_EQ(engine->ingest_incidents({&r, 1}).inserted, 1u);
}

// Issue 13: a JSON compensation is in the record's currency (ISO 4217
// decimals), as the CSV import reads it in its currency; USD by default.
TEST(IngestFields, JsonCompensationHonoursItsCurrency) {
  auto minor_of = [](const std::string& record) {
    return incidents_from_json(parse_json("[" + record + "]"), 0).at(0).compensation_minor;
  };
  const std::string base = R"("customer_id": "c1", "opened_at": 1704153600, )";
  EXPECT_EQ(minor_of("{" + base + R"("compensation": 15.5})"), 1550);
  EXPECT_EQ(minor_of("{" + base + R"("currency": "JPY", "compensation": 500})"), 500);
  EXPECT_EQ(minor_of("{" + base + R"("compensation": 5.125, "currency": "KWD"})"), 5125);
  EXPECT_EQ(minor_of("{" + base + R"("currency": "JPY", "compensation_minor": 500})"), 500);
  // The CSV import with the same currency stores the same integer.
  {
    const std::string path = fresh_db("jpy_compensation");
    Database db = Database::open(path);
    ImportOptions options;
    options.default_currency = "JPY";
    import_text(db, Entity::kIncidents, "customer_id,opened_at,compensation\nc1,2024-01-02,500\n",
                "jpy.csv", options);
    EXPECT_EQ(table_text(path, "SELECT compensation_minor FROM incidents"), "500\n");
  }
  std::string err =
      error_of([&] { minor_of("{" + base + R"("currency": "ZZZ", "compensation": 5})"); });
  EXPECT_NE(err.find("field 'currency' unknown currency 'ZZZ' (expected an upper-case ISO 4217"),
            std::string::npos)
      << err;
  err = error_of([&] { minor_of("{" + base + R"("currency": "JPY", "compensation": 1.5})"); });
  EXPECT_NE(err.find("field 'compensation' 1.5 has more decimals than JPY has (0)"),
            std::string::npos)
      << err;
}

// The sector given over JSON selects the plugin that normalizes the
// customer's later transactions and values it, as a CLI import's sector.
TEST(IngestFields, SectorGivenOverJsonSelectsThePluginEconomics) {
  auto engine = Engine::open(fresh_db("sector_economics"), with_plugins());
  engine->ingest_customers(customers_from_json(
      parse_json(R"([{"customer_id": "h1", "sector": "hospitality"}, {"customer_id": "n1"}])"), 0));
  // Purchases and spend drawn as the models assume (Poisson purchases,
  // Gamma-Gamma spend), so both fits converge; h1 and n1 have one history.
  std::mt19937 rng(20261206);
  std::gamma_distribution<double> nu_of(3.0, 1.0 / 15.0);
  std::vector<TransactionRecord> batch;
  auto buy = [&](const std::string& customer, double rate_per_week, double nu) {
    std::exponential_distribution<double> gap(rate_per_week / 7.0);
    std::gamma_distribution<double> spend(6.0, 1.0 / nu);
    double day = gap(rng);
    for (int i = 0; day < 300 && i < 60; ++i, day += gap(rng)) {
      TransactionRecord t;
      t.customer_id = customer;
      t.timestamp = 1704067200 + static_cast<int64_t>(day * 86400);
      t.amount_minor = 1 + static_cast<int64_t>(spend(rng) * 100);
      batch.push_back(t);
    }
  };
  std::gamma_distribution<double> rate_of(1.5, 0.3);
  for (int k = 0; k < 300; ++k) buy(fmt::format("x{}", k), rate_of(rng), nu_of(rng));
  buy("h1", 0.5, 0.2);
  std::vector<TransactionRecord> twin;
  for (const TransactionRecord& t : batch) {
    if (t.customer_id == "h1") twin.push_back(t), twin.back().customer_id = "n1";
  }
  batch.insert(batch.end(), twin.begin(), twin.end());
  engine->ingest_transactions(batch);
  const RunInfo run = engine->refit();
  ASSERT_FALSE(run.spend_fit_json.empty()) << run.count_fit_json;
  const CustomerScore h = engine->score("h1"), n = engine->score("n1");
  EXPECT_EQ(h.sector, "hospitality");
  EXPECT_EQ(n.sector, "");
  EXPECT_EQ(h.p_alive, n.p_alive);
  ASSERT_TRUE(h.clv && n.clv);
  // The hospitality plugin's margin (and cost to serve) value h1, not margin 1.
  EXPECT_LT(*h.clv, *n.clv);
}

}  // namespace
}  // namespace clv
