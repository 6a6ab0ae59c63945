#include "ingest/id_index.hpp"

#include <string>
#include <unordered_map>

#include <gtest/gtest.h>

namespace clv {
namespace {

TEST(IdIndex, AgreesWithUnorderedMapThroughGrowthAndLongKeys) {
  IdIndex index;
  std::unordered_map<std::string, int64_t> reference;
  for (int64_t i = 0; i < 50000; ++i) {
    // Short ids inline, long ids (> 14 chars) in the arena, and the empty id.
    std::string id =
        i % 3 == 0 ? "customer-with-a-long-id-" + std::to_string(i) : std::to_string(i);
    if (i == 7) id.clear();
    index.insert(id, i);
    reference.emplace(id, i);
  }
  EXPECT_EQ(index.size(), reference.size());
  for (const auto& [id, row] : reference) ASSERT_EQ(index.find(id), row) << id;
  EXPECT_EQ(index.find("50001"), -1);
  EXPECT_EQ(index.find("customer-with-a-long-id-1"), -1);  // 1 % 3 != 0: stored short
  EXPECT_EQ(index.find("1"), 1);
}

}  // namespace
}  // namespace clv
