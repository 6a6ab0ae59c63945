// Cache hints for the summary's software pipeline. A compiler builtin, kept
// out of the public headers: other compilers get a no-op (correct, slower).
#pragma once

#include <cstdint>

#include "clv/customer_summary.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define CLV_PREFETCH(address) __builtin_prefetch(address)
#else
#define CLV_PREFETCH(address) static_cast<void>(address)
#endif

namespace clv {

// Reaches into CustomerIds (a friend) so the public header needs no builtin.
struct CustomerIdsPrefetch {
  // The index entry of id `i`; once it has arrived, prefetch_id(i).
  static void prefetch_entry(const CustomerIds& ids, size_t i) { CLV_PREFETCH(&ids.starts_[i]); }
  static void prefetch_id(const CustomerIds& ids, size_t i) {
    const uint32_t start = ids.starts_[i];
    CLV_PREFETCH(ids.blocks_[start >> CustomerIds::kBlockShift].get() +
                 (start & (CustomerIds::kBlockBytes - 1)));
  }
};

}  // namespace clv
