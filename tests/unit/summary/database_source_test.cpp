#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/database.hpp"
#include "clv/error.hpp"
#include "clv/importer.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "store/database.hpp"
#include "summary/database_source.hpp"

namespace clv {
namespace {

std::string fresh_db(const char* name) {
  const std::string path = testing::TempDir() + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

int64_t ts(const char* text) {
  int64_t s = 0;
  EXPECT_TRUE(parse_timestamp(text, s)) << text;
  return s;
}

struct Tx {
  const char* customer;
  const char* when;
  int64_t cents;
  const char* kind;
};

// The same transactions, deliberately inserted out of time order and with
// customer row ids that do not follow the external id order.
constexpr Tx kTransactions[] = {
    {"zed", "1997-03-01T12:00:00Z", 1500, "purchase"},
    {"amy", "1997-01-01", 1000, "purchase"},
    {"amy", "1997-01-01T20:00:00Z", 250, "purchase"},
    {"amy", "1997-02-01", 700, "purchase"},
    {"amy", "1997-02-03", 9999, "return"},
    {"zed", "1997-01-15", 300, "purchase"},
    {"amy", "1997-10-10", 4000, "purchase"},
    {"amy", "1997-10-10", 1000, "purchase"},
    {"bob", "1997-09-30T23:59:59Z", 5000, "purchase"},
    {"new", "1997-11-01", 800, "purchase"},
    {"zed", "1998-02-01", 100, "purchase"},
};

TEST(DatabaseSummary, EqualsTheFileSummaryOfTheSameTransactions) {
  const std::string path = fresh_db("summary_db.db");
  std::string csv = "customer_id,timestamp,amount,kind\n";
  {
    auto db = open_database(path);
    SQLite::Statement add_customer(*db, "INSERT OR IGNORE INTO customers(external_id) VALUES (?)");
    SQLite::Statement add_tx(*db,
                             "INSERT INTO transactions(customer_id, ts, amount_minor, kind) "
                             "SELECT id, ?, ?, ? FROM customers WHERE external_id = ?");
    for (const auto& t : kTransactions) {
      add_customer.bind(1, t.customer);
      add_customer.exec();
      add_customer.reset();
      add_tx.bind(1, ts(t.when));
      add_tx.bind(2, t.cents);
      add_tx.bind(3, t.kind);
      add_tx.bind(4, t.customer);
      EXPECT_EQ(add_tx.exec(), 1);
      add_tx.reset();
      csv += fmt::format("{},{},{},{}\n", t.customer, t.when, static_cast<double>(t.cents) / 100.0,
                         t.kind);
    }
  }
  SummaryPeriod period;
  period.calibration_end_day = day_of(ts("1997-09-30"));
  period.holdout_end_day = day_of(ts("1997-12-31"));
  period.unit = TimeUnit::week();

  const auto from_db = summarize_database(path, period);
  const auto from_file = summarize_transaction_text(csv, {}, period);
  ASSERT_EQ(from_db.size(), 3u);  // "new" starts in the holdout
  ASSERT_EQ(from_file.size(), 3u);
  EXPECT_EQ(from_db.diagnostics.rows_not_purchase, 1u);
  EXPECT_EQ(from_db.diagnostics.rows_after_end, 1u);
  EXPECT_EQ(from_db.diagnostics.customers_first_seen_in_holdout, 1u);
  EXPECT_EQ(from_db.source, "sqlite:" + path);
  for (size_t i = 0; i < from_db.size(); ++i) {
    size_t j = 0;
    while (j < from_file.size() && from_file.ids[j] != from_db.ids[i]) ++j;
    ASSERT_LT(j, from_file.size()) << from_db.ids[i];
    EXPECT_EQ(from_db.frequency[i], from_file.frequency[j]) << from_db.ids[i];
    EXPECT_DOUBLE_EQ(from_db.recency[i], from_file.recency[j]) << from_db.ids[i];
    EXPECT_DOUBLE_EQ(from_db.T[i], from_file.T[j]) << from_db.ids[i];
    EXPECT_DOUBLE_EQ(from_db.monetary_value[i], from_file.monetary_value[j]) << from_db.ids[i];
    EXPECT_EQ(from_db.frequency_holdout[i], from_file.frequency_holdout[j]) << from_db.ids[i];
    EXPECT_DOUBLE_EQ(from_db.monetary_value_holdout[i], from_file.monetary_value_holdout[j]);
  }
  // Spot-check the conventions on "amy": two calibration days, the return
  // excluded, the holdout day's two purchases merged.
  size_t amy = 0;
  while (from_db.ids[amy] != "amy") ++amy;
  EXPECT_EQ(from_db.frequency[amy], 1);
  EXPECT_DOUBLE_EQ(from_db.recency[amy], 31.0 / 7.0);
  EXPECT_DOUBLE_EQ(from_db.monetary_value[amy], 7.0);
  EXPECT_EQ(from_db.frequency_holdout[amy], 1);
  EXPECT_DOUBLE_EQ(from_db.monetary_value_holdout[amy], 50.0);
}

TEST(DatabaseSummary, MissingDatabaseIsNotFoundAndNotCreated) {
  const std::string path = fresh_db("summary_missing.db");
  SummaryPeriod period;
  period.calibration_end_day = 10000;
  try {
    summarize_database(path, period);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(DatabaseSummary, EmptyDatabaseGivesAnEmptySummary) {
  const std::string path = fresh_db("summary_empty.db");
  open_database(path);
  SummaryPeriod period;
  period.calibration_end_day = 10000;
  const auto s = summarize_database(path, period);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.diagnostics.rows_read, 0u);
}

// Amounts are stored in minor units of their currency: yen have none, dinars
// three decimals. Imported through the real importer, then summarized.
CustomerSummary summarize_imported(const char* name, const std::string& csv) {
  const std::string path = fresh_db(name);
  {
    Database db = Database::open(path);
    const ImportResult r = import_text(db, Entity::kTransactions, csv, name);
    EXPECT_EQ(r.rejected, 0u);
  }
  SummaryPeriod period;
  period.calibration_end_day = day_of(ts("2024-12-31"));
  period.unit = TimeUnit::day();
  return summarize_database(path, period);
}

TEST(DatabaseSummary, SpendUsesTheCurrencysMinorUnits) {
  const auto yen =
      summarize_imported("summary_jpy.db",
                         "customer_id,timestamp,amount,currency\n"
                         "k,2024-01-01,500,JPY\nk,2024-01-05,1200,JPY\nk,2024-01-09,800,JPY\n");
  ASSERT_EQ(yen.size(), 1u);
  EXPECT_EQ(yen.frequency[0], 2);
  EXPECT_DOUBLE_EQ(yen.monetary_value[0], 1000.0);  // (1200 + 800) / 2 yen

  const auto dinar = summarize_imported("summary_bhd.db",
                                        "customer_id,timestamp,amount,currency\n"
                                        "b,2024-02-01,1.500,BHD\nb,2024-02-02,2.125,BHD\n");
  ASSERT_EQ(dinar.size(), 1u);
  EXPECT_DOUBLE_EQ(dinar.monetary_value[0], 2.125);

  // Several currencies: each row is scaled by its own exponent.
  // Customers in different currencies each keep their own currency's decimals.
  const auto mixed =
      summarize_imported("summary_mixed.db",
                         "customer_id,timestamp,amount,currency\n"
                         "m,2024-03-01,300,JPY\nm,2024-03-02,300,JPY\nu,2024-03-01,1,BHD\n"
                         "u,2024-03-03,0.250,BHD\nu,2024-03-04,4.750,BHD\n");
  ASSERT_EQ(mixed.size(), 2u);
  for (size_t i = 0; i < mixed.size(); ++i) {
    if (mixed.ids[i] == "m") {
      EXPECT_DOUBLE_EQ(mixed.monetary_value[i], 300.0);
    } else {
      EXPECT_EQ(mixed.ids[i], "u");
      EXPECT_DOUBLE_EQ(mixed.monetary_value[i], (0.25 + 4.75) / 2);
    }
  }
}

// Issue 13 item 6: 500 JPY and 5 KWD of one customer averaged to 252.5 "of
// something". A customer's purchases in several currencies are refused.
TEST(DatabaseSummary, OneCustomersPurchasesInSeveralCurrenciesAreRefused) {
  try {
    summarize_imported("summary_mixed_one.db",
                       "customer_id,timestamp,amount,currency\n"
                       "k,2024-03-01,500,JPY\nk,2024-03-02,5.000,KWD\n");
    FAIL() << "a summary averaged JPY and KWD";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("customer 'k' has purchases in JPY and KWD"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace clv
