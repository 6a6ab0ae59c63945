// The streaming summary's id table (inline keys for ids of <= 15 bytes, an
// overflow arena for longer ones) and the summary built through it, checked
// against a plain std::map reference on interleaved, time-ordered and
// shuffled rows.
#include "summary/customer_key_table.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/summarize.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

// Ids of every length around the inline limit, ids that share their first 15
// bytes, and ids that differ only by an embedded zero byte or trailing zeros.
std::vector<std::string> tricky_ids() {
  std::vector<std::string> ids;
  for (size_t length = 1; length <= 40; ++length) ids.push_back(std::string(length, 'x'));
  const std::string prefix = "customer-000000";  // 15 bytes
  for (int i = 0; i < 50; ++i) ids.push_back(prefix + std::to_string(i));
  ids.push_back(std::string("a\0", 2));
  ids.push_back(std::string("a\0\0", 3));
  ids.push_back("a");
  ids.push_back(std::string(15, '\xFF'));  // a short id whose bytes equal the long marker
  ids.push_back(std::string(16, '\xFF'));
  return ids;
}

TEST(CustomerKeyTable, FindsEveryIdThroughGrowthAndTellsSimilarIdsApart) {
  CustomerKeyTable table;
  std::vector<std::string> ids = tricky_ids();
  for (int i = 0; i < 5000; ++i) ids.push_back(fmt::format("{}-{}", i % 2 ? "c" : "long-id-", i));
  std::map<std::string, uint32_t> reference;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& id : ids) {
      bool inserted = false;
      const auto probe = CustomerKeyTable::probe(id);
      const uint32_t index = table.find_or_insert(probe, id, inserted);
      auto [it, is_new] = reference.emplace(id, index);
      EXPECT_EQ(inserted, is_new) << id;
      EXPECT_EQ(index, it->second) << id;
    }
  }
  ASSERT_EQ(table.size(), reference.size());
  for (const auto& [id, index] : reference) {
    EXPECT_EQ(table.find(id), static_cast<int64_t>(index)) << id;
    EXPECT_EQ(table.id(index), id);
  }
  EXPECT_EQ(table.find("not-there"), -1);
  EXPECT_EQ(table.find(std::string(41, 'x')), -1);
  table.release_slots();
  const CustomerIds out = table.take_ids();
  ASSERT_EQ(out.size(), reference.size());
  for (const auto& [id, index] : reference) EXPECT_EQ(out[index], id);
}

// Two ids of the form `pattern` with the same 32-bit hash (birthday search):
// the table must tell them apart by their bytes, not their hash.
std::pair<std::string, std::string> colliding_ids(const char* pattern) {
  std::unordered_map<uint32_t, std::string> seen;
  for (int i = 0;; ++i) {
    std::string id = fmt::format(fmt::runtime(pattern), i);
    auto [it, added] = seen.emplace(CustomerKeyTable::probe(id).hash, id);
    if (!added) return {it->second, id};
  }
}

TEST(CustomerKeyTable, IdsWithTheSameHashStayDistinct) {
  for (const char* pattern : {"id-{:010}", "a-long-customer-id-{:010}"}) {
    const auto [a, b] = colliding_ids(pattern);
    ASSERT_NE(a, b);
    ASSERT_EQ(CustomerKeyTable::probe(a).hash, CustomerKeyTable::probe(b).hash);
    CustomerKeyTable table;
    bool inserted = false;
    const uint32_t ia = table.find_or_insert(CustomerKeyTable::probe(a), a, inserted);
    EXPECT_TRUE(inserted);
    const uint32_t ib = table.find_or_insert(CustomerKeyTable::probe(b), b, inserted);
    EXPECT_TRUE(inserted) << a << " and " << b << " were merged";
    EXPECT_NE(ia, ib);
    EXPECT_EQ(table.find(a), static_cast<int64_t>(ia));
    EXPECT_EQ(table.find(b), static_cast<int64_t>(ib));
    EXPECT_EQ(table.find_or_insert(CustomerKeyTable::probe(b), b, inserted), ib);
    EXPECT_FALSE(inserted);
  }
}

struct Reference {
  std::set<int64_t> cal_days, hold_days;
  std::map<int64_t, double> spend;
};

// Interleaved customers with short and long ids over random days, written in
// time order (as exports are) and shuffled: both equal a direct computation.
TEST(Summary, InterleavedShortAndLongIdsMatchADirectComputation) {
  std::mt19937 rng(7);
  const int64_t start = days_from_civil(2020, 1, 1);
  const int64_t cal_end = start + 300, hold_end = start + 400;
  struct Row {
    std::string id;
    int64_t day;
    int cents;
  };
  std::vector<Row> rows;
  const std::vector<std::string> special = tricky_ids();
  for (int c = 0; c < 3000; ++c) {
    const std::string id =
        c < static_cast<int>(special.size())
            ? special[static_cast<size_t>(c)]
            : (c % 3 == 0 ? fmt::format("a-rather-long-customer-id-{}", c) : fmt::format("C{}", c));
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      rows.push_back(
          {id, start + static_cast<int64_t>(rng() % 420), static_cast<int>(rng() % 9000)});
    }
  }
  std::map<std::string, Reference> expected;
  for (const Row& r : rows) {
    if (r.day > hold_end) continue;
    Reference& e = expected[r.id];
    (r.day <= cal_end ? e.cal_days : e.hold_days).insert(r.day);
    e.spend[r.day] += r.cents / 100.0;
  }
  SummaryPeriod period;
  period.calibration_end_day = cal_end;
  period.holdout_end_day = hold_end;
  period.unit = TimeUnit::day();
  for (const bool shuffled : {false, true}) {
    if (shuffled) {
      std::shuffle(rows.begin(), rows.end(), rng);
    } else {
      std::stable_sort(rows.begin(), rows.end(),
                       [](const Row& a, const Row& b) { return a.day < b.day; });
    }
    std::string text = "customer_id,timestamp,amount\n";
    for (const Row& r : rows) {
      // Quoted so ids with zero bytes or 0xFF bytes are one field.
      text += fmt::format("\"{}\",{},{}.{:02}\n", r.id, format_date(r.day), r.cents / 100,
                          r.cents % 100);
    }
    const CustomerSummary s = summarize_transaction_text(text, {}, period);
    EXPECT_EQ(s.diagnostics.rows_rejected, 0u);
    size_t with_calibration = 0;
    for (const auto& [id, e] : expected) with_calibration += e.cal_days.empty() ? 0 : 1;
    ASSERT_EQ(s.size(), with_calibration) << "shuffled=" << shuffled;
    for (size_t i = 0; i < s.size(); ++i) {
      const std::string id(s.ids[i]);
      ASSERT_TRUE(expected.count(id)) << id;
      const Reference& e = expected.at(id);
      const int64_t first = *e.cal_days.begin(), last = *e.cal_days.rbegin();
      const auto x = static_cast<double>(e.cal_days.size() - 1);
      double repeat_spend = 0, hold_spend = 0;
      for (int64_t d : e.cal_days) repeat_spend += d == first ? 0 : e.spend.at(d);
      for (int64_t d : e.hold_days) hold_spend += e.spend.at(d);
      EXPECT_EQ(s.frequency[i], x) << id;
      EXPECT_EQ(s.recency[i], static_cast<double>(last - first)) << id;
      EXPECT_EQ(s.T[i], static_cast<double>(cal_end - first)) << id;
      EXPECT_NEAR(s.monetary_value[i], x > 0 ? repeat_spend / x : 0.0, 1e-9) << id;
      EXPECT_EQ(s.frequency_holdout[i], static_cast<double>(e.hold_days.size())) << id;
      EXPECT_NEAR(s.monetary_value_holdout[i],
                  e.hold_days.empty() ? 0.0 : hold_spend / static_cast<double>(e.hold_days.size()),
                  1e-9)
          << id;
    }
  }
}

}  // namespace
}  // namespace clv
