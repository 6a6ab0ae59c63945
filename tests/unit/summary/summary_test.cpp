#include <charconv>
#include <cmath>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

SummaryPeriod weeks(const char* cal_end, const char* holdout_end = nullptr) {
  SummaryPeriod p;
  int64_t s = 0;
  EXPECT_TRUE(parse_timestamp(cal_end, s));
  p.calibration_end_day = day_of(s);
  if (holdout_end != nullptr) {
    EXPECT_TRUE(parse_timestamp(holdout_end, s));
    p.holdout_end_day = day_of(s);
  }
  p.unit = TimeUnit::week();
  return p;
}

// Row of customer `id` in a summary, or -1.
int64_t row_of(const CustomerSummary& s, std::string_view id) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.ids[i] == id) return static_cast<int64_t>(i);
  }
  return -1;
}

TEST(Summary, MergesSameDayPurchasesAndExcludesFirstDayFromSpend) {
  const auto s = summarize_transaction_text(
      "customer_id,timestamp,amount\n"
      "a,1997-01-01T09:00:00Z,10\n"
      "a,1997-01-01T18:00:00Z,5\n"
      "a,1997-01-08,3\n"
      "a,1997-01-08T23:59:59Z,4\n"
      "a,1997-01-22,9\n",
      {}, weeks("1997-01-29"));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.frequency[0], 2);                // three distinct days
  EXPECT_DOUBLE_EQ(s.recency[0], 3.0);         // 21 days
  EXPECT_DOUBLE_EQ(s.T[0], 4.0);               // 28 days
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 8.0);  // (3+4 + 9) / 2 days
  EXPECT_EQ(s.diagnostics.rows_used, 5u);
}

TEST(Summary, OnePurchaseCustomerHasZeroFrequencyRecencyAndSpend) {
  const auto s = summarize_transaction_text("customer_id,timestamp,amount\nb,1997-03-01,25.5\n", {},
                                            weeks("1997-03-15"));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.frequency[0], 0);
  EXPECT_EQ(s.recency[0], 0);
  EXPECT_DOUBLE_EQ(s.T[0], 2.0);
  EXPECT_EQ(s.monetary_value[0], 0);
}

TEST(Summary, PurchaseOnCalibrationEndBelongsToCalibration) {
  const auto s = summarize_transaction_text(
      "customer_id,timestamp,amount\nc,1997-09-16,1\nc,1997-09-30T23:00:00Z,7\nc,1997-10-01,100\n",
      {}, weeks("1997-09-30", "1997-10-31"));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_DOUBLE_EQ(s.recency[0], 2.0);
  EXPECT_DOUBLE_EQ(s.T[0], 2.0);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 7.0);
  EXPECT_EQ(s.frequency_holdout[0], 1);
  EXPECT_DOUBLE_EQ(s.monetary_value_holdout[0], 100.0);
  EXPECT_DOUBLE_EQ(s.duration_holdout, 31.0 / 7.0);
}

TEST(Summary, CustomersFirstSeenAfterCalibrationEndAreExcluded) {
  const char* text =
      "customer_id,timestamp,amount\n"
      "old,1997-01-01,1\n"
      "new,1997-10-05,50\n"
      "old,1997-10-02,2\n"
      "old,1997-10-02,3\n"
      "old,1997-11-01,4\n"
      "new,1997-11-01,50\n"
      "late,1998-02-01,9\n";
  const auto with_holdout = summarize_transaction_text(text, {}, weeks("1997-09-30", "1997-12-31"));
  ASSERT_EQ(with_holdout.size(), 1u);
  EXPECT_EQ(with_holdout.ids[0], "old");
  EXPECT_EQ(with_holdout.frequency_holdout[0], 2);                // 10-02 merged, 11-01
  EXPECT_DOUBLE_EQ(with_holdout.monetary_value_holdout[0], 4.5);  // (5 + 4) / 2 days
  EXPECT_EQ(with_holdout.diagnostics.customers_first_seen_in_holdout, 1u);
  EXPECT_EQ(with_holdout.diagnostics.rows_after_end, 1u);

  const auto calibration_only = summarize_transaction_text(text, {}, weeks("1997-09-30"));
  ASSERT_EQ(calibration_only.size(), 1u);
  EXPECT_EQ(calibration_only.diagnostics.rows_after_end, 6u);
  EXPECT_TRUE(calibration_only.frequency_holdout.empty());
}

TEST(Summary, TimeUnitsScaleRecencyAndAge) {
  const char* text = "customer_id,timestamp,amount\nd,1997-01-01,1\nd,1997-01-31,2\n";
  SummaryPeriod p = weeks("1997-03-02");
  p.unit = TimeUnit::day();
  auto s = summarize_transaction_text(text, {}, p);
  EXPECT_DOUBLE_EQ(s.recency[0], 30.0);
  EXPECT_DOUBLE_EQ(s.T[0], 60.0);
  p.unit = TimeUnit::month(30.0);
  s = summarize_transaction_text(text, {}, p);
  EXPECT_DOUBLE_EQ(s.recency[0], 1.0);
  EXPECT_DOUBLE_EQ(s.T[0], 2.0);
  EXPECT_EQ(s.period.unit.name, "month");
}

TEST(Summary, BadRowsAreCountedAndReportedWithLineAndReason) {
  std::vector<RejectedRow> sink;
  const auto s = summarize_transaction_text(
      "customer_id,timestamp,amount,kind\n"
      "e,1997-01-01,10,purchase\n"
      "e,1997-02-30,10,purchase\n"  // no such date
      "e,1997-01-05,ten,purchase\n"
      "e,1997-01-06\n"
      ",1997-01-07,1,purchase\n"
      "e,1997-01-08,1,gift\n"
      "e,1997-01-09,-4,return\n"
      "e,1997-01-15,6,purchase\n",
      {}, weeks("1997-01-31"), [&](const RejectedRow& r) { sink.push_back(r); });
  const auto& d = s.diagnostics;
  EXPECT_EQ(d.rows_read, 8u);
  EXPECT_EQ(d.rows_rejected, 5u);
  EXPECT_EQ(d.rows_not_purchase, 1u);
  EXPECT_EQ(d.rows_used, 2u);
  ASSERT_EQ(d.first_rejects.size(), 5u);
  ASSERT_EQ(sink.size(), 5u);
  EXPECT_EQ(d.first_rejects[0].line, 3u);
  EXPECT_NE(d.first_rejects[0].reason.find("invalid date"), std::string::npos);
  EXPECT_EQ(d.first_rejects[0].text, "e,1997-02-30,10,purchase");
  EXPECT_NE(d.first_rejects[1].reason.find("unparseable amount"), std::string::npos);
  EXPECT_NE(d.first_rejects[2].reason.find("fields"), std::string::npos);
  EXPECT_NE(d.first_rejects[3].reason.find("empty customer id"), std::string::npos);
  EXPECT_NE(d.first_rejects[4].reason.find("unknown kind"), std::string::npos);
  EXPECT_EQ(d.first_rejects[4].line, 7u);
  // The return is excluded, so the repeat spend is the 01-15 purchase alone.
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 6.0);
}

TEST(Summary, RowsOutOfTimeOrderGiveTheSameSummaryAsSortedRows) {
  const char* sorted =
      "customer_id,timestamp,amount\n"
      "f,1997-01-01,1\ng,1997-01-02,2\nf,1997-01-10,3\nf,1997-01-10,4\ng,1997-02-01,5\nf,1997-03-"
      "01,6\n"
      "g,1997-10-03,7\n";
  const char* shuffled =
      "customer_id,timestamp,amount\n"
      "f,1997-03-01,6\ng,1997-10-03,7\nf,1997-01-10,4\ng,1997-02-01,5\nf,1997-01-01,1\ng,1997-01-"
      "02,2\n"
      "f,1997-01-10,3\n";
  const auto a = summarize_transaction_text(sorted, {}, weeks("1997-09-30", "1997-12-31"));
  const auto b = summarize_transaction_text(shuffled, {}, weeks("1997-09-30", "1997-12-31"));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a.diagnostics.customers_out_of_order, 0u);
  EXPECT_EQ(b.diagnostics.customers_out_of_order, 2u);
  for (const char* id : {"f", "g"}) {
    const auto i = static_cast<size_t>(row_of(a, id));
    const auto j = static_cast<size_t>(row_of(b, id));
    EXPECT_EQ(a.frequency[i], b.frequency[j]) << id;
    EXPECT_DOUBLE_EQ(a.recency[i], b.recency[j]) << id;
    EXPECT_DOUBLE_EQ(a.T[i], b.T[j]) << id;
    EXPECT_DOUBLE_EQ(a.monetary_value[i], b.monetary_value[j]) << id;
    EXPECT_EQ(a.frequency_holdout[i], b.frequency_holdout[j]) << id;
    EXPECT_DOUBLE_EQ(a.monetary_value_holdout[i], b.monetary_value_holdout[j]) << id;
  }
  EXPECT_EQ(a.frequency[static_cast<size_t>(row_of(a, "f"))], 2);
  EXPECT_DOUBLE_EQ(a.monetary_value[static_cast<size_t>(row_of(a, "f"))], 6.5);  // (7 + 6) / 2
}

TEST(Summary, FieldMappingByNameAndPositionAndWhitespaceFormat) {
  TransactionFileFormat by_name;
  by_name.field_map = {{"customer_id", "Id"}, {"timestamp", "Date"}, {"amount", "Price"}};
  auto s = summarize_transaction_text("Id,Date,CDs,Price\n1,19970101,2,29.33\n1,19970118,2,29.73\n",
                                      by_name, weeks("1997-09-30"));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 29.73);

  TransactionFileFormat ws;
  ws.whitespace = true;
  ws.has_header = false;
  ws.field_map = {{"customer_id", "2"}, {"timestamp", "3"}, {"amount", "5"}};
  s = summarize_transaction_text(
      " 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n", ws,
      weeks("1997-09-30"));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.ids[0], "0001");
  EXPECT_EQ(s.frequency[0], 1);
}

TEST(Summary, BadMappingOrPeriodIsAClearError) {
  TransactionFileFormat f;
  f.field_map = {{"customer_id", "Nope"}};
  try {
    summarize_transaction_text("customer_id,timestamp,amount\n", f, weeks("1997-09-30"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Nope"), std::string::npos);
  }
  TransactionFileFormat no_header;
  no_header.has_header = false;
  EXPECT_THROW(summarize_transaction_text("a,1997-01-01,1\n", no_header, weeks("1997-09-30")),
               Error);
  EXPECT_THROW(parse_field_mapping("customer_id"), Error);
  f.field_map = {{"price", "Price"}};
  EXPECT_THROW(summarize_transaction_text("customer_id,timestamp,amount\n", f, weeks("1997-09-30")),
               Error);
  EXPECT_THROW(summarize_transaction_text("customer_id,timestamp,amount\n", {},
                                          weeks("1997-09-30", "1997-09-01")),
               Error);
}

TEST(Summary, ManyCustomersKeepDistinctIdsThroughIndexGrowth) {
  std::string text = "customer_id,timestamp,amount\n";
  constexpr int kCustomers = 20000;
  for (int round = 0; round < 2; ++round) {
    for (int c = 0; c < kCustomers; ++c) {
      text += "cust-" + std::to_string(c) + (round == 0 ? ",1997-01-01," : ",1997-01-0") +
              (round == 0 ? "" : std::to_string(2 + c % 7) + ",") + std::to_string(c % 100) + "\n";
    }
  }
  const auto s = summarize_transaction_text(text, {}, weeks("1997-09-30"));
  ASSERT_EQ(s.size(), static_cast<size_t>(kCustomers));
  for (int c = 0; c < kCustomers; ++c) {
    ASSERT_EQ(s.ids[static_cast<size_t>(c)], "cust-" + std::to_string(c));
    ASSERT_EQ(s.frequency[static_cast<size_t>(c)], 1);
    ASSERT_DOUBLE_EQ(s.monetary_value[static_cast<size_t>(c)], c % 100);
    ASSERT_DOUBLE_EQ(s.recency[static_cast<size_t>(c)], (1 + c % 7) / 7.0);
  }
}

}  // namespace
}  // namespace clv

namespace clv {
namespace {

// Amounts are exact minor units (the importer's rule, ingest/money.hpp), and
// the double they give is exactly the one std::from_chars gives.
TEST(Summary, AmountsParseToTheCorrectlyRoundedDouble) {
  for (const char* amount : {"0.1", "0.3", "1234567.89", "29.73", "12.", "+7.25", "0.07",
                             "90071992547409.91", "123456789.12"}) {
    const std::string text =
        std::string("customer_id,timestamp,amount\nz,1997-01-01,1\nz,1997-01-02,") + amount + "\n";
    const auto s = summarize_transaction_text(text, {}, weeks("1997-09-30"));
    ASSERT_EQ(s.size(), 1u) << amount;
    ASSERT_EQ(s.diagnostics.rows_rejected, 0u) << amount;
    std::string_view digits = amount;
    if (digits.front() == '+') digits.remove_prefix(1);
    double expected = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), expected);
    EXPECT_EQ(s.monetary_value[0], expected) << amount;
  }
  // What the importer refuses: a negative purchase, exponent notation,
  // sub-cent digits, more than 2^53 cents.
  for (const char* amount : {"-3.5", "1e2", "0.000001", "999999999999999", "123456789.123456789"}) {
    const std::string text =
        std::string("customer_id,timestamp,amount\nz,1997-01-01,1\nz,1997-01-02,") + amount + "\n";
    const auto s = summarize_transaction_text(text, {}, weeks("1997-09-30"));
    EXPECT_EQ(s.diagnostics.rows_rejected, 1u) << amount;
  }
}

}  // namespace
}  // namespace clv
