// The CDNOW reference files import to the row and customer counts that the
// data README documents (checked there against the files themselves).
#include <gtest/gtest.h>

#include "clv/importer.hpp"
#include "domain/calendar.hpp"
#include "import_test_support.hpp"

namespace clv {
namespace {

using test::count;

const std::string kData = CLV_SHARED_DATA_DIR;

TEST(ReferenceData, CdnowMasterWhitespace) {
  Database db = test::fresh_database("ref_master.db");
  ImportOptions options;
  options.format = InputFormat::kWhitespace;
  options.column_map = {
      {"timestamp", "date"}, {"amount", "dollar_value"}, {"quantity", "number_of_cds"}};
  const ImportResult r =
      import_file(db, Entity::kTransactions, kData + "/cdnow/CDNOW_master.txt", options);
  EXPECT_EQ(r.inserted, 69659u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.customers_created, 23570u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 69659);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers"), 23570);
  // Sum of dollar_value is 2,500,315.63 (awk over the file); exact in cents.
  EXPECT_EQ(count(db, "SELECT SUM(amount_minor) FROM transactions"), 250031563);
  EXPECT_EQ(count(db, "SELECT MIN(ts) FROM transactions"), days_from_civil(1997, 1, 1) * 86400);
  EXPECT_EQ(count(db, "SELECT MAX(ts) FROM transactions"), days_from_civil(1998, 6, 30) * 86400);
  // The README's 2,068 rows that repeat a (customer, date) pair.
  EXPECT_EQ(
      count(db, "SELECT COUNT(*) - COUNT(DISTINCT customer_id || '/' || ts) FROM transactions"),
      2068);
}

TEST(ReferenceData, ClvtoolsCdnowWithMap) {
  Database db = test::fresh_database("ref_clvtools.db");
  ImportOptions options;
  options.column_map = {
      {"customer_id", "Id"}, {"timestamp", "Date"}, {"amount", "Price"}, {"quantity", "CDs"}};
  const ImportResult r =
      import_file(db, Entity::kTransactions, kData + "/cdnow/clvtools_cdnow.csv", options);
  EXPECT_EQ(r.inserted, 6696u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers"), 2357);
}

}  // namespace
}  // namespace clv
