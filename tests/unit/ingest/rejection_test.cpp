// Every rejection reason lands in the rejects CSV with its line, column and
// original text, is counted, and does not stop valid rows from importing.
#include <gtest/gtest.h>

#include "clv/importer.hpp"
#include "import_test_support.hpp"

namespace clv {
namespace {

using test::count;
using test::read_rejects;
using test::RejectRow;

struct Expected {
  int line;
  std::string column;
  std::string reason_part;
};

void expect_rejects(const std::vector<RejectRow>& rows, const std::vector<Expected>& expected) {
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i].original_text);
    EXPECT_EQ(rows[i].line, std::to_string(expected[i].line));
    EXPECT_EQ(rows[i].column, expected[i].column);
    EXPECT_NE(rows[i].reason.find(expected[i].reason_part), std::string::npos)
        << "reason was: " << rows[i].reason;
  }
}

TEST(Rejections, TransactionsEveryReason) {
  Database db = test::fresh_database("reject_txn.db");
  const std::string path =
      test::write_file("reject_txn.csv",
                       "transaction_id,customer_id,timestamp,amount,currency,kind,quantity\n"
                       "t1,c1,2024-01-02,10.00,USD,purchase,1\n"        // 2 ok
                       "t2,,2024-01-02,10.00,USD,purchase,1\n"          // 3 missing customer
                       "t3,c1,2024-02-30,10.00,USD,purchase,1\n"        // 4 impossible date
                       "t4,c1,yesterday,10.00,USD,purchase,1\n"         // 5 unparseable date
                       "t5,c1,2024-01-02,ten,USD,purchase,1\n"          // 6 unparseable amount
                       "t6,c1,2024-01-02,1.234,USD,purchase,1\n"        // 7 sub-cent amount
                       "t7,c1,2024-01-02,10.00,usd$,purchase,1\n"       // 8 bad currency
                       "t8,c1,2024-01-02,10.00,USD,gift,1\n"            // 9 unknown kind
                       "t9,c1,2024-01-02,10.00,USD,purchase,-2\n"       // 10 negative quantity
                       "t10,c1,2024-01-02,10.00,USD,purchase,x\n"       // 11 unparseable quantity
                       "t11,c1,2024-01-02,10.00\n"                      // 12 wrong field count
                       "t12,c1,\"2024-01-02\"x,10.00,USD,purchase,1\n"  // 13 malformed quoting
                       "t1,c2,2024-01-03,5.00,USD,purchase,1\n"         // 14 duplicate id in file
                       "t13,c1,,10.00,USD,purchase,1\n"                 // 15 missing timestamp
                       "t14,c1,2024-01-02,,USD,purchase,1\n"            // 16 missing amount
                       "t15,c1,20240105,-3.50,JPY,refund,\n");          // 17 JPY has no decimals
  const ImportResult r = import_file(db, Entity::kTransactions, path);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.rejected, 15u);
  // The database and the file share the temp dir, so the default lands next to both.
  EXPECT_TRUE(std::filesystem::equivalent(r.rejects_file, path + ".rejects.csv"));
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 1);
  const auto rows = read_rejects(r.rejects_file);
  expect_rejects(
      rows, {{3, "customer_id", "missing customer_id"},
             {4, "timestamp", "unparseable date '2024-02-30'"},
             {5, "timestamp", "unparseable date 'yesterday'"},
             {6, "amount", "unparseable amount 'ten'"},
             {7, "amount", "unparseable amount '1.234'"},
             {8, "currency", "unknown currency 'usd$'"},
             {9, "kind", "unknown kind 'gift'"},
             {10, "quantity", "negative quantity -2"},
             {11, "quantity", "unparseable quantity 'x'"},
             {12, "", "wrong field count: expected 7, found 4"},
             {13, "", "malformed CSV"},
             {14, "transaction_id", "duplicate transaction_id 't1' in this file (first on line 2)"},
             {15, "timestamp", "missing timestamp"},
             {16, "amount", "missing amount"},
             {17, "amount", "at most 0 decimals for JPY"}});
  ASSERT_EQ(rows.size(), 15u);
  EXPECT_EQ(rows[0].file, path);
  EXPECT_EQ(rows[0].original_text, "t2,,2024-01-02,10.00,USD,purchase,1");
  EXPECT_EQ(rows[10].original_text, "t12,c1,\"2024-01-02\"x,10.00,USD,purchase,1");
}

TEST(Rejections, UnknownCustomersUnderRequireKnownCustomers) {
  Database db = test::fresh_database("reject_known.db");
  import_text(db, Entity::kCustomers, "customer_id\nc1\n", "customers.csv");
  ImportOptions options;
  options.require_known_customers = true;
  options.rejects_path = test::temp_path("reject_known.rejects.csv");
  const ImportResult r = import_text(
      db, Entity::kTransactions, "customer_id,timestamp,amount\nc1,2024-01-01,1\nc9,2024-01-01,2\n",
      "t.csv", options);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.customers_created, 0u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers"), 1);
  expect_rejects(read_rejects(options.rejects_path),
                 {{3, "customer_id", "unknown customer 'c9' (--require-known-customers)"}});
}

TEST(Rejections, IncidentsEveryReason) {
  Database db = test::fresh_database("reject_inc.db");
  import_text(db, Entity::kEmployees, "employee_id\ne1\n", "employees.csv");
  ImportOptions options;
  options.rejects_path = test::temp_path("reject_inc.rejects.csv");
  const ImportResult r =
      import_text(db, Entity::kIncidents,
                  "incident_id,customer_id,opened_at,resolved_at,severity,satisfaction,employee_id,"
                  "compensation\n"
                  "i1,c1,2024-01-02,2024-01-03,3,4,e1,12.50\n"  // 2 ok
                  "i2,c1,2024-01-05,2024-01-04,3,4,e1,\n"       // 3 resolved before opened
                  "i3,c1,2024-01-05,,0,,,\n"                    // 4 severity out of range
                  "i4,c1,2024-01-05,,6,,,\n"                    // 5 severity out of range
                  "i5,c1,2024-01-05,,3,9,,\n"                   // 6 satisfaction out of range
                  "i6,c1,2024-01-05,,3,,e7,\n"                  // 7 unknown employee
                  "i7,,2024-01-05,,,,,\n"                       // 8 missing customer
                  "i8,c1,,,,,,\n"                               // 9 missing opened_at
                  "i9,c1,2024-01-05,,,,,1.2.3\n"                // 10 bad compensation
                  "i1,c1,2024-01-06,,,,,\n"                     // 11 duplicate id
                  "i10,c1,2024-01-05,soon,,,,\n",               // 12 unparseable resolved_at
                  "incidents.csv", options);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.rejected, 10u);
  expect_rejects(read_rejects(options.rejects_path),
                 {{3, "resolved_at", "is before opened_at"},
                  {4, "severity", "severity 0 out of range 1-5"},
                  {5, "severity", "severity 6 out of range 1-5"},
                  {6, "satisfaction", "satisfaction 9 out of range 1-5"},
                  {7, "employee_id", "unknown employee 'e7': import employees first"},
                  {8, "customer_id", "missing customer_id"},
                  {9, "opened_at", "missing opened_at"},
                  {10, "compensation", "unparseable amount '1.2.3'"},
                  {11, "incident_id", "duplicate incident_id 'i1'"},
                  {12, "resolved_at", "unparseable date 'soon'"}});
  EXPECT_EQ(count(db, "SELECT compensation_minor FROM incidents"), 1250);
  EXPECT_EQ(count(db, "SELECT resolved_at - opened_at FROM incidents"), 86400);
}

TEST(Rejections, EmployeeBehaviourScoresOutOfRange) {
  Database db = test::fresh_database("reject_emp.db");
  ImportOptions options;
  options.rejects_path = test::temp_path("reject_emp.rejects.csv");
  const ImportResult r =
      import_text(db, Entity::kEmployees,
                  "employee_id,role,trust,tact,empathy,conformity,focus,flexibility\n"
                  "e1,agent,7,8.5,10,0,5,6\n"  // 2 ok
                  "e2,agent,11,5,5,5,5,5\n"    // 3 trust > 10
                  "e3,agent,5,5,5,5,-0.5,5\n"  // 4 focus < 0
                  "e4,agent,5,5,five,5,5,5\n"  // 5 not a number
                  ",agent,5,5,5,5,5,5\n"       // 6 missing id
                  "e1,agent,5,5,5,5,5,5\n",    // 7 duplicate
                  "employees.csv", options);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.rejected, 5u);
  expect_rejects(read_rejects(options.rejects_path),
                 {{3, "trust", "behaviour score trust 11 out of range 0-10"},
                  {4, "focus", "behaviour score focus -0.5 out of range 0-10"},
                  {5, "empathy", "unparseable empathy 'five'"},
                  {6, "employee_id", "missing employee_id"},
                  {7, "employee_id", "duplicate employee_id 'e1'"}});
  EXPECT_EQ(test::text(db, "SELECT tact FROM employees WHERE external_id='e1'"), "8.5");
}

TEST(Rejections, CustomersBadDateAndMissingId) {
  Database db = test::fresh_database("reject_cus.db");
  ImportOptions options;
  options.rejects_path = test::temp_path("reject_cus.rejects.csv");
  const ImportResult r = import_text(db, Entity::kCustomers,
                                     "customer_id,acquired_at,tier\n"
                                     "c1,2023-05-01,gold\n"
                                     "c2,01/05/2023,silver\n"
                                     ",2023-05-01,gold\n",
                                     "customers.csv", options);
  EXPECT_EQ(r.inserted, 1u);
  expect_rejects(read_rejects(options.rejects_path),
                 {{3, "acquired_at", "unparseable date '01/05/2023'"},
                  {4, "customer_id", "missing customer_id"}});
}

TEST(Rejections, NoRejectsFileWhenEverythingIsValid) {
  Database db = test::fresh_database("reject_none.db");
  const std::string path =
      test::write_file("reject_none.csv", "customer_id,timestamp,amount\nc1,2024-01-01,1\n");
  const ImportResult r = import_file(db, Entity::kTransactions, path);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_TRUE(r.rejects_file.empty());
  EXPECT_FALSE(std::filesystem::exists(path + ".rejects.csv"));
}

}  // namespace
}  // namespace clv
