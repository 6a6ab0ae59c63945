// Maps each value of a column to the index of its first occurrence in a table
// of the column's distinct values, so terms of one value alone (lgamma of x,
// log(alpha + T)) are computed once per distinct value, not once per row.
//
// Open addressing over the raw bits (after folding -0 into 0) with a fully
// mixed hash: summaries in fractional weeks have almost one distinct T per
// customer, and std::unordered_map<double> spent more time allocating nodes
// than the likelihood spent on the whole fit.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace clv {

inline void index_distinct(const std::vector<double>& values, std::vector<double>& distinct,
                           std::vector<uint32_t>& index) {
  size_t slots = 16;
  while (slots < 2 * values.size()) slots *= 2;
  const size_t mask = slots - 1;
  std::vector<uint32_t> table(slots, 0);  // distinct index + 1; 0 = empty
  distinct.clear();
  index.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i] + 0.0;
    uint64_t h = std::bit_cast<uint64_t>(v);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    size_t s = h & mask;
    while (true) {
      const uint32_t slot = table[s];
      if (slot == 0) {
        distinct.push_back(v);
        table[s] = static_cast<uint32_t>(distinct.size());
        index[i] = table[s] - 1;
        break;
      }
      if (distinct[slot - 1] == v) {
        index[i] = slot - 1;
        break;
      }
      s = (s + 1) & mask;
    }
  }
}

}  // namespace clv
