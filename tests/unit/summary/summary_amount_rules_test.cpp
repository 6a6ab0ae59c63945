// Issue 13 item 7: the streaming summary reads amounts with the importer's
// rule (ingest/money.hpp), so what the importer rejects never reaches a
// summary as inf or a rounded sub-cent value.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

SummaryPeriod days_to(const char* end) {
  SummaryPeriod p;
  int64_t s = 0;
  EXPECT_TRUE(parse_timestamp(end, s));
  p.calibration_end_day = day_of(s);
  p.unit = TimeUnit::day();
  return p;
}

TEST(SummaryAmountRules, ImporterRejectsAreRejectedHereToo) {
  std::vector<RejectedRow> rejects;
  const auto s = summarize_transaction_text(
      "customer_id,timestamp,amount,kind\n"
      "a,2024-01-01,10.00,purchase\n"
      "a,2024-01-02,1e23,purchase\n"               // 3: exponent notation
      "a,2024-01-03,1e308,purchase\n"              // 4
      "a,2024-01-04,0.001,purchase\n"              // 5: sub-cent
      "a,2024-01-05,-5.00,purchase\n"              // 6: negative purchase
      "a,2024-01-06,90071992547409.92,purchase\n"  // 7: 2^53 cents
      "a,2024-01-07,20.00,PURCHASE\n"              // kinds in any case, like the importer
      "a,2024-01-08,-3.00,return\n",               // money back may be negative
      {}, days_to("2024-12-31"), [&](const RejectedRow& r) { rejects.push_back(r); });
  ASSERT_EQ(rejects.size(), 5u);
  EXPECT_EQ(rejects[0].line, 3u);
  EXPECT_NE(rejects[0].reason.find("unparseable amount '1e23'"), std::string::npos)
      << rejects[0].reason;
  EXPECT_NE(rejects[2].reason.find("at most 2 decimals for USD"), std::string::npos);
  EXPECT_NE(rejects[3].reason.find("negative amount"), std::string::npos);
  EXPECT_NE(rejects[4].reason.find("too large"), std::string::npos);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_TRUE(std::isfinite(s.monetary_value[0]));
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 20.0);
}

TEST(SummaryAmountRules, CurrencyDecimalsApply) {
  TransactionFileFormat yen;
  yen.currency = "JPY";
  std::vector<RejectedRow> rejects;
  const auto s = summarize_transaction_text(
      "customer_id,timestamp,amount\nk,2024-01-01,500\nk,2024-01-02,1200\nk,2024-01-03,1.5\n", yen,
      days_to("2024-12-31"), [&](const RejectedRow& r) { rejects.push_back(r); });
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_NE(rejects[0].reason.find("at most 0 decimals for JPY"), std::string::npos);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 1200.0);
  TransactionFileFormat bad;
  bad.currency = "ZZZ";
  EXPECT_THROW(
      summarize_transaction_text("customer_id,timestamp,amount\n", bad, days_to("2024-12-31")),
      Error);
  TransactionFileFormat cents;
  cents.amount_divisor = 100.0;
  const auto c = summarize_transaction_text(
      "customer_id,timestamp,amount\nk,2024-01-01,500\nk,2024-01-02,1234\n", cents,
      days_to("2024-12-31"));
  EXPECT_DOUBLE_EQ(c.monetary_value[0], 12.34);
}

TEST(SummaryAmountRules, DuplicateHeaderNamesAreRefused) {
  EXPECT_THROW(summarize_transaction_text("customer_id,timestamp,amount,amount\n", {},
                                          days_to("2024-12-31")),
               Error);
}

}  // namespace
}  // namespace clv
