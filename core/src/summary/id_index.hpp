// Open-addressing hash map from customer-id bytes to a dense 32-bit index.
// Each slot is one 64-bit word (32-bit hash tag + index), the ids themselves
// live once in CustomerIds; at most 3/4 full, so 11-21 bytes per customer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "clv/customer_summary.hpp"
#include "summary/page_buffer.hpp"
#include "summary/prefetch.hpp"

namespace clv {

class IdIndex {
 public:
  IdIndex() : slots_(1024), mask_(1023) {}

  // Index of `id`, adding it to `ids` when new (then `inserted` is true).
  uint32_t find_or_insert(std::string_view id, CustomerIds& ids, bool& inserted) {
    return find_or_insert(id, hash(id), ids, inserted);
  }

  // Index of `id` or -1.
  int64_t find(std::string_view id, const CustomerIds& ids) const {
    const uint32_t tag = hash(id);
    for (size_t pos = tag & mask_;; pos = (pos + 1) & mask_) {
      const uint64_t slot = slots_[pos];
      if (slot == 0) return -1;
      if (static_cast<uint32_t>(slot >> 32) == tag && ids[static_cast<uint32_t>(slot) - 1] == id) {
        return static_cast<uint32_t>(slot) - 1;
      }
    }
  }

  // Batch pipelines call these ahead of find_or_insert so that the random
  // memory accesses of many rows overlap instead of queueing.
  void prefetch_slot(uint32_t tag) const { CLV_PREFETCH(&slots_[tag & mask_]); }
  // Index in the first occupied slot with `tag` on the probe path, or -1
  // (a hint only: the id is not compared).
  int64_t candidate(uint32_t tag) const {
    for (size_t pos = tag & mask_;; pos = (pos + 1) & mask_) {
      const uint64_t slot = slots_[pos];
      if (slot == 0) return -1;
      if (static_cast<uint32_t>(slot >> 32) == tag) return static_cast<uint32_t>(slot) - 1;
    }
  }

  // As above with a precomputed hash(id).
  uint32_t find_or_insert(std::string_view id, uint32_t tag, CustomerIds& ids, bool& inserted) {
    size_t pos = tag & mask_;
    for (;;) {
      const uint64_t slot = slots_[pos];
      if (slot == 0) break;
      if (static_cast<uint32_t>(slot >> 32) == tag) {
        const uint32_t index = static_cast<uint32_t>(slot) - 1;
        if (ids[index] == id) {
          inserted = false;
          return index;
        }
      }
      pos = (pos + 1) & mask_;
    }
    const uint32_t index = ids.add(id);
    slots_[pos] = (uint64_t{tag} << 32) | (uint64_t{index} + 1);
    inserted = true;
    if (++count_ * 4 > slots_.size() * 3) grow();
    return index;
  }

  void release() { slots_.release(); }

  // 64-bit multiply-mix over 8-byte words, folded to 32 bits; ids are short,
  // so this beats byte-at-a-time hashes.
  static uint32_t hash(std::string_view s) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xC2B2AE3D27D4EB4Full);
    const char* p = s.data();
    size_t n = s.size();
    while (n >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = mix(h ^ w);
      p += 8;
      n -= 8;
    }
    if (n > 0) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = mix(h ^ w);
    }
    return static_cast<uint32_t>(h ^ (h >> 32));
  }

 private:
  static uint64_t mix(uint64_t x) {
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 29);
  }

  void grow() {
    PageBuffer<uint64_t> bigger(slots_.size() * 2);
    const size_t mask = bigger.size() - 1;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const uint64_t slot = slots_[i];
      if (slot == 0) continue;
      size_t pos = (slot >> 32) & mask;
      while (bigger[pos] != 0) pos = (pos + 1) & mask;
      bigger[pos] = slot;
    }
    slots_ = std::move(bigger);
    mask_ = mask;
  }

  PageBuffer<uint64_t> slots_;  // zero = empty
  size_t mask_;
  size_t count_ = 0;
};

}  // namespace clv
