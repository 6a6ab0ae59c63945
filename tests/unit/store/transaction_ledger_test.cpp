#include "store/transaction_ledger.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "store/database.hpp"

namespace clv {
namespace {

std::unique_ptr<SQLite::Database> fresh(const char* name) {
  const std::string path = testing::TempDir() + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return open_database(path);
}

// Test scale: decimals by a tiny table, and "BAD" is not a currency.
double test_scale(std::string_view code) {
  if (code == "BAD") throw Error::corrupt_data("currency BAD");
  return code == "JPY" ? 1.0 : code == "KWD" ? 0.001 : 0.01;
}

// Customer row ids deliberately not in external-id order; transactions
// inserted out of time order, with a return.
void fill(SQLite::Database& db, const char* second_currency) {
  db.exec("INSERT INTO customers (id, external_id) VALUES (7, 'amy'), (3, 'zed'), (9, 'bob')");
  db.exec(std::string("INSERT INTO transactions (customer_id, ts, amount_minor, currency, kind) "
                      "VALUES (7, 200, 1500, 'USD', 'purchase'), (3, 500, 999, 'USD', 'return'), "
                      "(3, 100, 250, 'USD', 'purchase'), (7, 50, 5125, '") +
          second_currency + "', 'purchase'), (9, 10, 1, 'USD', 'purchase')");
}

struct Row {
  int64_t customer_id, ts;
  double amount;
  std::string external;
};

std::vector<Row> read_all(PurchaseLedgerScan& scan) {
  std::vector<Row> rows;
  LedgerPurchase p;
  int64_t current = -1;
  std::string external;
  while (scan.next(p)) {
    if (p.customer_id != current) external = std::string(scan.external_id(p.customer_id));
    current = p.customer_id;
    rows.push_back({p.customer_id, p.ts, scan.amount(p), external});
  }
  return rows;
}

TEST(TransactionLedger, PurchasesInCustomerTimeOrderWithEachCurrencysDecimals) {
  auto db = fresh("ledger_mixed.db");
  fill(*db, "KWD");
  PurchaseLedgerScan scan(*db, test_scale);
  EXPECT_EQ(scan.rows(), 5u);  // every kind, the return included
  const std::vector<Row> rows = read_all(scan);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].external, "zed");
  EXPECT_EQ(rows[0].ts, 100);
  EXPECT_DOUBLE_EQ(rows[0].amount, 2.5);
  EXPECT_EQ(rows[1].external, "amy");
  EXPECT_EQ(rows[1].ts, 50);
  EXPECT_DOUBLE_EQ(rows[1].amount, 5.125);  // 5125 minor units of KWD (3 decimals)
  EXPECT_EQ(rows[2].ts, 200);
  EXPECT_DOUBLE_EQ(rows[2].amount, 15.0);
  EXPECT_EQ(rows[3].external, "bob");
  EXPECT_DOUBLE_EQ(rows[3].amount, 0.01);
}

TEST(TransactionLedger, ATableInOneCurrencyUsesItsDecimals) {
  auto db = fresh("ledger_jpy.db");
  db->exec("INSERT INTO customers (id, external_id) VALUES (1, 'k')");
  db->exec(
      "INSERT INTO transactions (customer_id, ts, amount_minor, currency) VALUES "
      "(1, 1, 500, 'JPY'), (1, 2, 1200, 'JPY')");
  PurchaseLedgerScan scan(*db, test_scale);
  const std::vector<Row> rows = read_all(scan);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].amount, 500.0);
  EXPECT_DOUBLE_EQ(rows[1].amount, 1200.0);
}

TEST(TransactionLedger, ABadCurrencyIsReportedOnlyWhenItsAmountIsRead) {
  auto db = fresh("ledger_bad.db");
  fill(*db, "BAD");
  PurchaseLedgerScan scan(*db, test_scale);
  LedgerPurchase p;
  ASSERT_TRUE(scan.next(p));  // zed, USD
  EXPECT_DOUBLE_EQ(scan.amount(p), 2.5);
  ASSERT_TRUE(scan.next(p));  // amy, BAD: skipped rows never read the currency
  ASSERT_TRUE(scan.next(p));
  EXPECT_DOUBLE_EQ(scan.amount(p), 15.0);
  ASSERT_TRUE(scan.next(p));
  EXPECT_FALSE(scan.next(p));

  PurchaseLedgerScan again(*db, test_scale);
  ASSERT_TRUE(again.next(p));
  ASSERT_TRUE(again.next(p));
  try {
    (void)again.amount(p);
    FAIL() << "expected corrupt_data";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
  }
}

TEST(TransactionLedger, ATransactionWithoutItsCustomerRowIsCorruptData) {
  auto db = fresh("ledger_orphan.db");
  db->exec("PRAGMA foreign_keys=OFF");
  db->exec("INSERT INTO customers (id, external_id) VALUES (1, 'a')");
  db->exec("INSERT INTO transactions (customer_id, ts, amount_minor) VALUES (1, 1, 1), (2, 1, 1)");
  PurchaseLedgerScan scan(*db, test_scale);
  LedgerPurchase p;
  ASSERT_TRUE(scan.next(p));
  EXPECT_EQ(scan.external_id(p.customer_id), "a");
  ASSERT_TRUE(scan.next(p));
  try {
    (void)scan.external_id(p.customer_id);
    FAIL() << "expected corrupt_data";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
    EXPECT_NE(std::string(e.what()).find("customer 2"), std::string::npos) << e.what();
  }
}

TEST(TransactionLedger, TheScanRestoresTheConnectionAndNestsInATransaction) {
  auto db = fresh("ledger_nest.db");
  fill(*db, "USD");
  const int64_t mmap_before = db->execAndGet("PRAGMA mmap_size").getInt64();
  db->exec("BEGIN");
  {
    PurchaseLedgerScan scan(*db, test_scale);
    EXPECT_EQ(read_all(scan).size(), 4u);
  }
  db->exec("COMMIT");  // the savepoint was released inside the caller's transaction
  EXPECT_EQ(db->execAndGet("PRAGMA mmap_size").getInt64(), mmap_before);
}

TEST(TransactionLedger, PurchaseTimesInCustomerTimeOrder) {
  auto db = fresh("ledger_times.db");
  fill(*db, "USD");
  PurchaseTimeScan scan(*db);
  std::vector<std::pair<int64_t, int64_t>> rows;
  int64_t customer = 0, ts = 0;
  while (scan.next(customer, ts)) rows.emplace_back(customer, ts);
  EXPECT_EQ(rows, (std::vector<std::pair<int64_t, int64_t>>{{3, 100}, {7, 50}, {7, 200}, {9, 10}}));
}

}  // namespace
}  // namespace clv
