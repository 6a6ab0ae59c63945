// Re-running an import adds nothing: rows with ids match by id, files
// without ids match by content hash.
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "import_test_support.hpp"

namespace clv {
namespace {

using test::count;

TEST(Idempotence, RowsWithIdsMatchById) {
  Database db = test::fresh_database("idem_ids.db");
  const std::string first =
      "transaction_id,customer_id,timestamp,amount\n"
      "t1,c1,2024-01-01,1\nt2,c1,2024-01-02,2\n";
  ImportResult r = import_text(db, Entity::kTransactions, first, "a.csv");
  EXPECT_EQ(r.inserted, 2u);
  r = import_text(db, Entity::kTransactions, first, "a.csv");
  EXPECT_EQ(r.inserted, 0u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_FALSE(r.already_imported);
  // A different file sharing one id: only the new row goes in.
  r = import_text(
      db, Entity::kTransactions,
      "transaction_id,customer_id,timestamp,amount\nt2,c1,2024-01-02,2\nt3,c2,2024-01-03,3\n",
      "b.csv");
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 3);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers"), 2);
}

TEST(Idempotence, RowsWithIdsRetryEarlierRejects) {
  // Rejected under --require-known-customers, the same file imports once the
  // customer exists: id files are matched row by row, not skipped by hash.
  Database db = test::fresh_database("idem_retry.db");
  const std::string file = "transaction_id,customer_id,timestamp,amount\nt1,c1,2024-01-01,1\n";
  ImportOptions options;
  options.require_known_customers = true;
  options.rejects_path = test::temp_path("idem_retry.rejects.csv");
  EXPECT_EQ(import_text(db, Entity::kTransactions, file, "a.csv", options).rejected, 1u);
  import_text(db, Entity::kCustomers, "customer_id\nc1\n", "c.csv");
  EXPECT_EQ(import_text(db, Entity::kTransactions, file, "a.csv", options).inserted, 1u);
}

TEST(Idempotence, FilesWithoutIdsMatchByContent) {
  Database db = test::fresh_database("idem_hash.db");
  const std::string file = "customer_id,timestamp,amount\nc1,2024-01-01,1\nc1,2024-01-01,1\n";
  ImportResult r = import_text(db, Entity::kTransactions, file, "a.csv");
  EXPECT_EQ(r.inserted, 2u);  // two identical purchases on one day are both real
  r = import_text(db, Entity::kTransactions, file, "renamed.csv");
  EXPECT_TRUE(r.already_imported);
  EXPECT_EQ(r.inserted, 0u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 2);
  // One more byte is another file.
  r = import_text(db, Entity::kTransactions, file + "c2,2024-01-02,5\n", "a2.csv");
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM imported_files"), 2);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions WHERE file_id IS NULL"), 0);
}

TEST(Idempotence, CustomersAndEmployeesMatchById) {
  Database db = test::fresh_database("idem_cus.db");
  import_text(db, Entity::kCustomers, "customer_id,region\nc1,north\n", "c.csv");
  const ImportResult r =
      import_text(db, Entity::kCustomers, "customer_id,region\nc1,south\nc2,west\n", "c2.csv");
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(test::text(db, "SELECT region FROM customers WHERE external_id='c1'"), "north");
  import_text(db, Entity::kEmployees, "employee_id,trust\ne1,5\n", "e.csv");
  EXPECT_EQ(import_text(db, Entity::kEmployees, "employee_id,trust\ne1,5\n", "e.csv").duplicates,
            1u);
}

TEST(Idempotence, FileOnDiskTwice) {
  Database db = test::fresh_database("idem_disk.db");
  const std::string path =
      test::write_file("idem_disk.csv", "customer_id,timestamp,amount\nc1,2024-01-01,1\n");
  EXPECT_EQ(import_file(db, Entity::kTransactions, path).inserted, 1u);
  const ImportResult again = import_file(db, Entity::kTransactions, path);
  EXPECT_TRUE(again.already_imported);
  EXPECT_EQ(again.duplicates, 1u);
}

TEST(SectorPluginSeam, NormalizesAndRejectsBatches) {
  Database db = test::fresh_database("plugin_seam.db");
  ImportOptions options;
  options.rejects_path = test::temp_path("plugin_seam.rejects.csv");
  size_t seen = 0;
  options.normalize_transactions = [&](ImportTransactionBatch& batch) {
    seen += batch.size();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch.kind[i] == "return") batch.kind[i] = "refund";  // a sector's vocabulary
      if (batch.amount_minor[i] == 0) batch.reject_reason[i] = "free items are samples";
    }
  };
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "customer_id,timestamp,amount,kind\n"
                                     "c1,2024-01-01,5,return\n"
                                     "c1,2024-01-02,0,purchase\n"
                                     "c1,bad,1,purchase\n",
                                     "p.csv", options);
  EXPECT_EQ(seen, 2u);  // the unparseable row never reaches the plugin
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(test::text(db, "SELECT kind FROM transactions"), "refund");
  const auto rejects = test::read_rejects(options.rejects_path);
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_EQ(rejects[1].line, "3");
  EXPECT_EQ(rejects[1].reason, "free items are samples");
}

TEST(SectorPluginSeam, PluginFailureRollsBack) {
  Database db = test::fresh_database("plugin_fail.db");
  ImportOptions options;
  options.normalize_transactions = [](ImportTransactionBatch&) { throw std::runtime_error("boom"); };
  EXPECT_THROW(import_text(db, Entity::kTransactions,
                           "customer_id,timestamp,amount\nc1,2024-01-01,1\n", "p.csv", options),
               Error);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 0);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers"), 0);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM imported_files"), 0);
}

}  // namespace
}  // namespace clv
