// Input shapes through the whole import: quoting, BOM/CRLF, header-less
// files, --map by name and by position, YYYYMMDD dates, whitespace files.
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "domain/calendar.hpp"
#include "import_test_support.hpp"

namespace clv {
namespace {

using test::count;
using test::text;

TEST(ImportFormats, QuotedFieldsWithCommasNewlinesAndQuotes) {
  Database db = test::fresh_database("fmt_quotes.db");
  ImportOptions options;
  options.rejects_path = test::temp_path("fmt_quotes.rejects.csv");
  const ImportResult r =
      import_text(db, Entity::kTransactions,
                  "customer_id,timestamp,amount,category,channel\n"
                  "\"c,1\",2024-01-01,\"1,00\",x,web\n"  // 2: "1,00" is no amount
                  "\"c,1\",2024-01-01,2.50,\"CDs, \"\"rare\"\"\",web\n"
                  "c2,2024-01-02,3,\"two\nlines\",shop\n"  // spans lines 4-5
                  "c2,bad,3,x,shop\n",                     // line 6
                  "quotes.csv", options);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(text(db,
                 "SELECT category FROM transactions t JOIN customers c ON c.id = t.customer_id "
                 "WHERE c.external_id = 'c,1'"),
            "CDs, \"rare\"");
  EXPECT_EQ(text(db, "SELECT category FROM transactions WHERE amount_minor = 300"), "two\nlines");
  const auto rejects = test::read_rejects(options.rejects_path);
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_EQ(rejects[0].line, "2");
  EXPECT_EQ(rejects[0].original_text, "\"c,1\",2024-01-01,\"1,00\",x,web");
  EXPECT_EQ(rejects[1].line, "6");  // line numbers count the embedded newline
}

TEST(ImportFormats, BomCrlfAndYyyymmdd) {
  Database db = test::fresh_database("fmt_bom.db");
  const ImportResult r =
      import_text(db, Entity::kTransactions,
                  "\xEF\xBB\xBF"
                  "customer_id,timestamp,amount\r\nc1,19970101,0.29\r\nc1,19971231,1\r\n",
                  "bom.csv");
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(count(db, "SELECT MIN(ts) FROM transactions"), days_from_civil(1997, 1, 1) * 86400);
  EXPECT_EQ(count(db, "SELECT MAX(ts) FROM transactions"), days_from_civil(1997, 12, 31) * 86400);
  EXPECT_EQ(count(db, "SELECT MIN(amount_minor) FROM transactions"), 29);
  EXPECT_EQ(text(db, "SELECT external_id FROM customers"), "c1");  // no BOM in the id
}

TEST(ImportFormats, MapByNameAndByPosition) {
  const std::string csv = "Id,Date,CDs,Price\n7,1997-01-01,2,29.33\n7,1997-01-18,1,9.99\n";
  for (const auto& map : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"customer_id", "Id"}, {"timestamp", "Date"}, {"amount", "Price"}, {"quantity", "CDs"}},
           {{"customer_id", "1"}, {"timestamp", "2"}, {"amount", "4"}, {"quantity", "3"}},
           {{"customer_id", "id"}, {"timestamp", "2"}, {"amount", "PRICE"}, {"quantity", "3"}}}) {
    Database db = test::fresh_database("fmt_map.db");
    ImportOptions options;
    options.column_map = map;
    const ImportResult r = import_text(db, Entity::kTransactions, csv, "map.csv", options);
    EXPECT_EQ(r.inserted, 2u);
    EXPECT_EQ(count(db, "SELECT SUM(amount_minor) FROM transactions"), 2933 + 999);
    EXPECT_EQ(count(db, "SELECT SUM(quantity) FROM transactions"), 3);
    EXPECT_EQ(text(db, "SELECT external_id FROM customers"), "7");
  }
}

TEST(ImportFormats, BadMapsAreClearErrors) {
  Database db = test::fresh_database("fmt_badmap.db");
  ImportOptions options;
  options.column_map = {{"customer_id", "Id"}, {"timestamp", "When"}};
  try {
    import_text(db, Entity::kTransactions, "Id,Date,Price\n1,1997-01-01,1\n", "m.csv", options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("no column 'When'"), std::string::npos) << e.what();
  }
  options.column_map = {{"price", "Price"}};
  EXPECT_THROW(import_text(db, Entity::kTransactions, "Id,Date,Price\n", "m.csv", options), Error);
  options.column_map = {};
  try {  // no column is called customer_id and there is no --map for it
    import_text(db, Entity::kTransactions, "Id,Date,Price\n1,1997-01-01,1\n", "m.csv", options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--map customer_id=COLUMN"), std::string::npos);
  }
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM imported_files"), 0);
}

TEST(ImportFormats, NoHeaderUsesFieldOrderOrMap) {
  Database db = test::fresh_database("fmt_nohdr.db");
  ImportOptions options;
  options.has_header = false;
  // Canonical order: transaction_id,customer_id,timestamp,amount.
  ImportResult r = import_text(db, Entity::kTransactions,
                               "t1,c1,2024-01-01,5\nt2,c2,2024-01-02,6\n", "plain.csv", options);
  EXPECT_EQ(r.inserted, 2u);  // the first line is data, not a header
  options.column_map = {{"customer_id", "2"}, {"timestamp", "1"}, {"amount", "3"}};
  r = import_text(db, Entity::kTransactions, "2024-02-01,c3,7\n", "mapped.csv", options);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(count(db, "SELECT SUM(amount_minor) FROM transactions"), 1800);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers"), 3);
}

TEST(ImportFormats, WhitespaceFilesAreDetectedFromTxt) {
  Database db = test::fresh_database("fmt_ws.db");
  const std::string path = test::write_file(
      "fmt_ws.txt",
      "id  date   qty value\r\n 00001 19970101  1  11.77\r\n 00002\t19970112 1 12.00\r\n");
  ImportOptions options;
  options.column_map = {
      {"customer_id", "id"}, {"timestamp", "date"}, {"amount", "value"}, {"quantity", "qty"}};
  const ImportResult r = import_file(db, Entity::kTransactions, path, options);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(count(db, "SELECT SUM(amount_minor) FROM transactions"), 2377);
  EXPECT_EQ(text(db, "SELECT MIN(external_id) FROM customers"), "00001");  // ids stay text
}

TEST(ImportFormats, CustomerAttributesAndSector) {
  Database db = test::fresh_database("fmt_cus.db");
  ImportOptions options;
  options.sector = "retail";
  const ImportResult r = import_text(db, Entity::kCustomers,
                                     "customer_id,segment,region,acquired_at,tier,newsletter\n"
                                     "c1,smb,north,2023-05-01,gold,yes\n"
                                     "c2,,south,,,\n",
                                     "customers.csv", options);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(text(db, "SELECT attributes FROM customers WHERE external_id='c1'"),
            R"({"newsletter":"yes","tier":"gold"})");
  EXPECT_EQ(text(db, "SELECT attributes FROM customers WHERE external_id='c2'"), "{}");
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers WHERE sector='retail'"), 2);
  EXPECT_EQ(count(db, "SELECT acquired_at FROM customers WHERE external_id='c1'"),
            days_from_civil(2023, 5, 1) * 86400);
}

TEST(ImportFormats, KindsAndCurrencies) {
  Database db = test::fresh_database("fmt_kind.db");
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "customer_id,timestamp,amount,currency,kind\n"
                                     "c1,2024-01-01,1000,JPY,Purchase\n"
                                     "c1,2024-01-02,-1.5,BHD,REFUND\n"
                                     "c1,2024-01-03,2.5,,return\n",
                                     "kinds.csv");
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(text(db,
                 "SELECT group_concat(amount_minor || currency || kind, ' ') FROM "
                 "(SELECT * FROM transactions ORDER BY ts)"),
            "1000JPYpurchase 1500BHDrefund 250USDreturn");  // kind says money went back
}

TEST(ImportFormats, ConstraintsAreBackOnAfterAnImport) {
  // The import skips SQLite's FK/CHECK probes (it validates itself); they
  // must be enforced again for everyone else afterwards.
  Database db = test::fresh_database("fmt_pragmas.db");
  import_text(db, Entity::kTransactions, "customer_id,timestamp,amount\nc1,2024-01-01,1\n",
              "a.csv");
  EXPECT_EQ(count(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(count(db, "PRAGMA ignore_check_constraints"), 0);
  EXPECT_THROW(sqlite_of(db).exec("INSERT INTO transactions(customer_id, ts, amount_minor, kind) "
                                  "VALUES (1, 0, 0, 'gift')"),
               SQLite::Exception);
  EXPECT_THROW(sqlite_of(db).exec("INSERT INTO transactions(customer_id, ts, amount_minor) "
                                  "VALUES (999, 0, 0)"),
               SQLite::Exception);
}

}  // namespace
}  // namespace clv
