#include "ingest/money.hpp"

#include <gtest/gtest.h>

namespace clv {
namespace {

int64_t minor(std::string_view text, int exponent) {
  int64_t value = -999999;
  EXPECT_TRUE(parse_amount_minor(text, exponent, value)) << text;
  return value;
}

bool rejects(std::string_view text, int exponent) {
  int64_t value = 0;
  return !parse_amount_minor(text, exponent, value);
}

TEST(Money, ParsesDecimalsExactly) {
  // 0.29 * 100 in binary floating point is 28.999999999999996.
  EXPECT_EQ(minor("0.29", 2), 29);
  EXPECT_EQ(minor("12.34", 2), 1234);
  EXPECT_EQ(minor("1286.01", 2), 128601);
  EXPECT_EQ(minor("-5", 2), -500);
  EXPECT_EQ(minor("+7.5", 2), 750);
  EXPECT_EQ(minor(".5", 2), 50);
  EXPECT_EQ(minor("3.", 2), 300);
  EXPECT_EQ(minor("1.230", 2), 123);  // trailing zeros lose nothing
  EXPECT_EQ(minor("1234", 0), 1234);
  EXPECT_EQ(minor("1.234", 3), 1234);
  EXPECT_EQ(minor("0.5", 3), 500);
  EXPECT_EQ(minor("9999999999999999.99", 2), INT64_C(999999999999999999));  // 18 digits
}

TEST(Money, RejectsWhatWouldLoseOrInventMoney) {
  EXPECT_TRUE(rejects("1.234", 2));  // sub-cent precision would be rounded away
  EXPECT_TRUE(rejects("1.5", 0));    // JPY has no minor unit
  EXPECT_TRUE(rejects("1e3", 2));
  EXPECT_TRUE(rejects("", 2));
  EXPECT_TRUE(rejects("-", 2));
  EXPECT_TRUE(rejects(".", 2));
  EXPECT_TRUE(rejects("12,34", 2));
  EXPECT_TRUE(rejects("1 000", 2));
  EXPECT_TRUE(rejects("abc", 2));
  EXPECT_TRUE(rejects("99999999999999999999", 2));  // beyond int64
}

TEST(Money, CurrencyExponentsFollowIso4217) {
  EXPECT_EQ(currency_exponent("USD"), 2);
  EXPECT_EQ(currency_exponent("EUR"), 2);
  EXPECT_EQ(currency_exponent("JPY"), 0);
  EXPECT_EQ(currency_exponent("KRW"), 0);
  EXPECT_EQ(currency_exponent("BHD"), 3);
  EXPECT_EQ(currency_exponent("KWD"), 3);
  EXPECT_TRUE(is_currency_code("USD"));
  EXPECT_FALSE(is_currency_code("usd"));
  EXPECT_FALSE(is_currency_code("US"));
  EXPECT_FALSE(is_currency_code("US1"));
}

}  // namespace
}  // namespace clv
