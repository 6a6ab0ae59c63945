// Issue 13: bad bytes, odd numbers and ids from two writers. Each row that
// cannot be stored is rejected with its line, column and reason, and the rows
// around it still import.
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "import_test_support.hpp"

namespace clv {
namespace {

using test::count;
using test::read_rejects;
using test::text;

ImportOptions with_rejects(const std::string& name) {
  ImportOptions options;
  options.rejects_path = test::temp_path(name);
  std::filesystem::remove(options.rejects_path);
  return options;
}

// Item 2: an id the engine accepted over HTTP (waiting in
// transactions_pending) is a duplicate for a later file, not a second row.
TEST(HostileInput, IdsPendingFromHttpAreDuplicatesForAFile) {
  Database db = test::fresh_database("hostile_pending.db");
  import_text(db, Entity::kCustomers, "customer_id\nc1\n", "customers.csv");
  for (int i = 0; i < 3; ++i) {
    sqlite_of(db).exec(
        "INSERT INTO transactions_pending(external_id, customer_id, ts, amount_minor, currency, "
        "kind) VALUES ('dup-" +
        std::to_string(i) + "', 1, 1704067200, 500, 'USD', 'purchase')");
  }
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "transaction_id,customer_id,timestamp,amount\n"
                                     "dup-0,c1,2024-01-02,1.00\n"
                                     "dup-1,c1,2024-01-03,1.00\n"
                                     "new-1,c1,2024-01-04,1.00\n",
                                     "dup.csv");
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 1);
  EXPECT_EQ(text(db, "SELECT external_id FROM transactions"), "new-1");
}

// Items 3, 4, 10: invalid UTF-8, NUL and a byte order mark inside the data
// are rejected per row, with line and column; the other rows import.
TEST(HostileInput, BadBytesRejectTheRowNotTheFile) {
  Database db = test::fresh_database("hostile_bytes.db");
  auto options = with_rejects("hostile_bytes.rejects.csv");
  const ImportResult customers = import_text(db, Entity::kCustomers,
                                             std::string("customer_id,note\n"
                                                         "C1,ok\n"
                                                         "C2,x\xff\n"
                                                         "C3,fine\n"),
                                             "customers.csv", options);
  EXPECT_EQ(customers.inserted, 2u);
  EXPECT_EQ(customers.rejected, 1u);
  auto rows = read_rejects(options.rejects_path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].line, "3");
  EXPECT_EQ(rows[0].column, "note");
  EXPECT_NE(rows[0].reason.find("invalid UTF-8 at byte 2"), std::string::npos) << rows[0].reason;

  auto txn_options = with_rejects("hostile_bytes_txn.rejects.csv");
  std::string csv =
      "transaction_id,customer_id,timestamp,amount\n"
      "t1,C1,2024-01-02,1.00\n"
      "t2,bad\xc3\x28,2024-01-02,1.00\n";                     // 3: invalid continuation byte
  csv += std::string("t3,C") + '\0' + "1,2024-01-02,1.00\n";  // 4: NUL inside the id
  csv += "\xEF\xBB\xBFt4,C1,2024-01-03,1.00\n";               // 5: BOM of a concatenated file
  csv += "t5,C\xC3\xA9,2024-01-04,2.00\n";                    // 6: valid UTF-8 (Cé)
  const ImportResult r = import_text(db, Entity::kTransactions, csv, "bytes.csv", txn_options);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(r.rejected, 3u);
  rows = read_rejects(txn_options.rejects_path);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].line, "3");
  EXPECT_EQ(rows[0].column, "customer_id");
  EXPECT_NE(rows[0].reason.find("invalid UTF-8"), std::string::npos);
  EXPECT_EQ(rows[1].line, "4");
  EXPECT_EQ(rows[1].column, "customer_id");
  EXPECT_NE(rows[1].reason.find("NUL byte at byte 2"), std::string::npos) << rows[1].reason;
  EXPECT_EQ(rows[2].line, "5");
  EXPECT_EQ(rows[2].column, "transaction_id");
  EXPECT_NE(rows[2].reason.find("byte order mark"), std::string::npos);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM customers WHERE external_id = 'C\xC3\xA9'"), 1);
}

TEST(HostileInput, DuplicateHeaderNamesAreRefused) {
  Database db = test::fresh_database("hostile_header.db");
  try {
    import_text(db, Entity::kTransactions,
                "customer_id,timestamp,amount,Amount\nc1,2024-01-01,1.00,2.00\n", "h.csv");
    FAIL() << "a header naming 'amount' twice was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("names column 'Amount' twice (columns 3 and 4)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions"), 0);
}

// Item 5: "-5.00" is not a purchase of -500 cents. Money paid back may be
// written negative and is stored as the positive amount of a return.
TEST(HostileInput, NegativeAmountsOnlyForMoneyPaidBack) {
  Database db = test::fresh_database("hostile_negative.db");
  auto options = with_rejects("hostile_negative.rejects.csv");
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "transaction_id,customer_id,timestamp,amount,kind\n"
                                     "t1,c1,2024-01-02,-5.00,purchase\n"
                                     "t2,c1,2024-01-02,-5.00,cancellation\n"
                                     "t3,c1,2024-01-03,10.00,purchase\n"
                                     "t3-R,c1,2024-01-04,-4.00,return\n"
                                     "t4,c1,2024-01-05,-1.50,Refund\n",
                                     "neg.csv", options);
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(r.rejected, 2u);
  const auto rows = read_rejects(options.rejects_path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].column, "amount");
  EXPECT_NE(rows[0].reason.find("negative amount '-5.00' for a purchase"), std::string::npos);
  EXPECT_NE(rows[1].reason.find("for a cancellation"), std::string::npos);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM transactions WHERE amount_minor < 0"), 0);
  EXPECT_EQ(count(db, "SELECT amount_minor FROM transactions WHERE external_id = 't3-R'"), 400);
  EXPECT_EQ(count(db, "SELECT amount_minor FROM transactions WHERE external_id = 't4'"), 150);
}

// Item 6: a code is checked against ISO 4217, not just its shape.
TEST(HostileInput, UnknownCurrencyCodesAreRejected) {
  Database db = test::fresh_database("hostile_currency.db");
  auto options = with_rejects("hostile_currency.rejects.csv");
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "customer_id,timestamp,amount,currency\n"
                                     "c1,2024-01-02,5.00,ZZZ\n"
                                     "c1,2024-01-02,5.00,QQQ\n"
                                     "c1,2024-01-02,500,JPY\n"
                                     "c1,2024-01-02,5.000,KWD\n",
                                     "cur.csv", options);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(r.rejected, 2u);
  const auto rows = read_rejects(options.rejects_path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[0].reason.find("unknown currency 'ZZZ'"), std::string::npos);
  EXPECT_EQ(rows[1].column, "currency");
  ImportOptions bad_default;
  bad_default.default_currency = "ZZZ";
  EXPECT_THROW(import_text(db, Entity::kTransactions, "customer_id,timestamp,amount\n", "x.csv",
                           bad_default),
               Error);
}

// Item 7 (importer side): amounts beyond 2^53 minor units are refused, so
// nothing downstream can overflow a double's exact range or reach inf.
TEST(HostileInput, HugeAmountsAreRejected) {
  Database db = test::fresh_database("hostile_huge.db");
  auto options = with_rejects("hostile_huge.rejects.csv");
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "customer_id,timestamp,amount\n"
                                     "c1,2024-01-02,1e23\n"
                                     "c1,2024-01-02,90071992547409.92\n"  // 2^53 cents
                                     "c1,2024-01-02,90071992547409.91\n",
                                     "huge.csv", options);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.rejected, 2u);
  const auto rows = read_rejects(options.rejects_path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[1].reason.find("too large"), std::string::npos) << rows[1].reason;
}

// Item 9: an unterminated quote rejects its own line; the valid rows after
// it import (they used to vanish into one reject).
TEST(HostileInput, UnterminatedQuoteDoesNotSwallowTheNextRows) {
  Database db = test::fresh_database("hostile_quote.db");
  auto options = with_rejects("hostile_quote.rejects.csv");
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "transaction_id,customer_id,timestamp,amount\n"
                                     "t1,c1,2024-01-02,1.00\n"
                                     "t2,\"c1,2024-01-02,2.00\n"  // 3: quote never closes
                                     "t3,c1,2024-01-03,3.00\n"
                                     "t4,c1,2024-01-04,4.00\n",
                                     "quote.csv", options);
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(r.rejected, 1u);
  auto rows = read_rejects(options.rejects_path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].line, "3");
  EXPECT_EQ(rows[0].original_text, "t2,\"c1,2024-01-02,2.00");

  // A later quote "closes" it, leaving the wrong number of fields.
  auto options2 = with_rejects("hostile_quote2.rejects.csv");
  const ImportResult r2 = import_text(db, Entity::kTransactions,
                                      "transaction_id,customer_id,timestamp,amount\n"
                                      "u1,\"c1,2024-01-02,1.00\n"  // 2: opens a quote
                                      "u2,c1,2024-01-03,2.00\n"
                                      "u3,\"c1\",2024-01-04,3.00\n",  // its quote closes line 2's
                                      "quote2.csv", options2);
  EXPECT_EQ(r2.inserted, 2u);
  EXPECT_EQ(r2.rejected, 1u);
  rows = read_rejects(options2.rejects_path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].line, "2");
  // A valid multi-line quoted field still imports as one record.
  const ImportResult r3 = import_text(db, Entity::kTransactions,
                                      "transaction_id,customer_id,timestamp,amount,category\n"
                                      "v1,c1,2024-01-02,1.00,\"two\nlines\"\n"
                                      "v2,c1,2024-01-03,2.00,x\n",
                                      "quote3.csv");
  EXPECT_EQ(r3.inserted, 2u);
  EXPECT_EQ(r3.rejected, 0u);
}

// Item 20: customers imported after their transactions fill in the
// attributes of the customers the transactions created.
TEST(HostileInput, CustomersAfterTransactionsAreUpdated) {
  Database db = test::fresh_database("hostile_update.db");
  import_text(db, Entity::kTransactions,
              "customer_id,timestamp,amount\nc1,2024-01-02,1.00\nc2,2024-01-02,1.00\n", "t.csv");
  const ImportResult r = import_text(db, Entity::kCustomers,
                                     "customer_id,sector,segment,region,tier\n"
                                     "c1,retail,vip,north,gold\n"
                                     "c2,,basic,,\n"
                                     "c3,retail,basic,south,\n",
                                     "customers.csv");
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.updated, 2u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(text(db,
                 "SELECT segment || '/' || region || '/' || sector || attributes FROM "
                 "customers WHERE external_id = 'c1'"),
            "vip/north/retail{\"tier\":\"gold\"}");
  EXPECT_EQ(text(db, "SELECT segment FROM customers WHERE external_id = 'c2'"), "basic");
  // The same file again changes nothing: all duplicates.
  const ImportResult again = import_text(db, Entity::kCustomers,
                                         "customer_id,sector,segment,region,tier\n"
                                         "c1,hospitality,vip,north,gold\n",
                                         "customers2.csv");
  EXPECT_EQ(again.updated, 0u);
  EXPECT_EQ(again.duplicates, 1u);
  EXPECT_EQ(text(db, "SELECT sector FROM customers WHERE external_id = 'c1'"), "retail");
}

// Item 21: rows whose sector has no plugin are counted per sector even when
// no plugin at all is loaded, and require_plugins rejects them.
TEST(HostileInput, RowsOfSectorsWithoutAPluginAreReported) {
  Database db = test::fresh_database("hostile_noplugin.db");
  import_text(db, Entity::kCustomers, "customer_id,sector\nh1,hospitality\nr1,retail\nn1,\n",
              "customers.csv");
  const ImportResult r = import_text(db, Entity::kTransactions,
                                     "customer_id,timestamp,amount\n"
                                     "h1,2024-01-02,1.00\nh1,2024-01-03,1.00\n"
                                     "r1,2024-01-02,1.00\nn1,2024-01-02,1.00\n",
                                     "t.csv");
  EXPECT_EQ(r.inserted, 4u);
  ASSERT_EQ(r.no_plugin.count("hospitality"), 1u);
  EXPECT_EQ(r.no_plugin.at("hospitality"), 2u);
  EXPECT_EQ(r.no_plugin.at("retail"), 1u);
  EXPECT_EQ(r.no_plugin.at(""), 1u);

  auto options = with_rejects("hostile_noplugin.rejects.csv");
  options.require_plugins = true;
  const ImportResult strict = import_text(db, Entity::kTransactions,
                                          "customer_id,timestamp,amount\n"
                                          "h1,2024-02-02,1.00\nn1,2024-02-02,1.00\n",
                                          "t2.csv", options);
  EXPECT_EQ(strict.inserted, 1u);  // n1 has no sector: nothing to normalize
  EXPECT_EQ(strict.rejected, 1u);
  const auto rows = read_rejects(options.rejects_path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].reason.find("sector 'hospitality', which has no plugin loaded"),
            std::string::npos)
      << rows[0].reason;
}

}  // namespace
}  // namespace clv
