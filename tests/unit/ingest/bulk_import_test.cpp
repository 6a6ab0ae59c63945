// A bulk import into an empty table (more than ~100k rows, no ids) holds the
// rows and stores them in customer order, with the customer index rebuilt at
// the end: every valid row must arrive unchanged, rejects still go to the
// rejects file, and sector plugins still see each customer whole.
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/importer.hpp"
#include "clv/plugin_registry.hpp"
#include "import_test_support.hpp"

namespace clv {
namespace {

using test::count;
using test::fresh_database;
using test::write_file;

struct Row {
  std::string customer;
  int day;
  int cents;
  int quantity;
};

// 160k rows over 3000 customers in random order (5 MB: over the bulk threshold).
std::vector<Row> random_rows() {
  std::mt19937_64 rng(7);
  std::vector<Row> rows;
  for (int i = 0; i < 160'000; ++i) {
    rows.push_back({fmt::format("C{:05}", rng() % 3000), static_cast<int>(rng() % 700),
                    static_cast<int>(1 + rng() % 90000), static_cast<int>(rng() % 4)});
  }
  return rows;
}

std::string csv_of(const std::vector<Row>& rows, const std::vector<size_t>& bad_lines) {
  std::string text = "customer_id,timestamp,amount,quantity,category\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const bool bad = std::find(bad_lines.begin(), bad_lines.end(), i) != bad_lines.end();
    const std::string date =
        bad ? "not-a-date" : fmt::format("2024{:02}{:02}", 1 + r.day / 28 % 12, 1 + r.day % 28);
    text += fmt::format("{},{},{}.{:02},{},cat{}\n", r.customer, date, r.cents / 100, r.cents % 100,
                        r.quantity, r.day % 7);
  }
  return text;
}

TEST(BulkImport, EveryRowArrivesInCustomerOrder) {
  const auto rows = random_rows();
  const std::vector<size_t> bad = {5, 77'777, 159'999};
  const std::string iso = csv_of(rows, bad);
  const std::string path = write_file("bulk.csv", iso);
  ASSERT_GT(iso.size(), 3'200'000u);  // large enough for the bulk path
  Database db = fresh_database("bulk.db");
  const ImportResult r = import_file(db, Entity::kTransactions, path);
  EXPECT_EQ(r.inserted, rows.size() - bad.size());
  EXPECT_EQ(r.rejected, bad.size());
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"),
            static_cast<int64_t>(rows.size() - bad.size()));

  // Per customer: the same multiset of (amount, quantity) as the file.
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> expected, got;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (std::find(bad.begin(), bad.end(), i) != bad.end()) continue;
    expected[rows[i].customer].push_back({rows[i].cents, rows[i].quantity});
  }
  SQLite::Statement q(sqlite_of(db),
                      "SELECT c.external_id, t.amount_minor, t.quantity, t.customer_id FROM "
                      "transactions t JOIN customers c ON c.id = t.customer_id ORDER BY t.id");
  int64_t previous_customer = 0;
  bool customer_order = true;
  while (q.executeStep()) {
    got[q.getColumn(0).getString()].push_back(
        {q.getColumn(1).getInt64(), q.getColumn(2).getInt64()});
    customer_order = customer_order && q.getColumn(3).getInt64() >= previous_customer;
    previous_customer = q.getColumn(3).getInt64();
  }
  for (auto* m : {&expected, &got}) {
    for (auto& [id, list] : *m) std::sort(list.begin(), list.end());
  }
  EXPECT_TRUE(got == expected);
  EXPECT_TRUE(customer_order) << "rows of the bulk path are stored in customer order";
  // The index is back and used by per-customer scans.
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                  "'transactions_by_customer_time'"),
            1);
  // Importing the same file again adds nothing.
  const ImportResult again = import_file(db, Entity::kTransactions, path);
  EXPECT_TRUE(again.already_imported);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"),
            static_cast<int64_t>(rows.size() - bad.size()));
}

TEST(BulkImport, PluginSeesEachCustomerWholeOnTheBulkPath) {
  PluginRegistry plugins;
  plugins.load(std::string(CLV_BINARY_DIR) + "/plugins/retail");
  // Each customer buys once and returns it fully later, far apart in the
  // file: only a plugin that sees the customer whole can net them away.
  std::string text = "customer_id,timestamp,amount,kind,reference\n";
  constexpr int kCustomers = 60'000;
  for (int pass = 0; pass < 2; ++pass) {
    for (int c = 0; c < kCustomers; ++c) {
      text += fmt::format("C{:06},2024-0{}-15,12.50,{},ORDER{:06}\n", c, pass + 1,
                          pass == 0 ? "purchase" : "return", c);
    }
  }
  text += "KEEP,2024-03-01,9.99,purchase,K1\n";
  ASSERT_GT(text.size(), 3'200'000u);
  const std::string path = write_file("bulk_retail.csv", text);
  Database db = fresh_database("bulk_retail.db");
  ImportOptions options;
  options.sector = "retail";
  options.plugins = &plugins;
  const ImportResult r = import_file(db, Entity::kTransactions, path, options);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.normalized_away, 2u * kCustomers);
  EXPECT_EQ(r.normalized.at("retail").netted, 2u * kCustomers);
  EXPECT_EQ(count(db, "SELECT amount_minor FROM transactions"), 999);
}

}  // namespace
}  // namespace clv
