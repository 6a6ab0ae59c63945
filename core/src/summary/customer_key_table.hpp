// Maps customer-id bytes to dense 32-bit indices for the streaming summary.
// Ids of up to 15 bytes (nearly all real ones) are stored inline in a
// 16-byte key per customer, so a lookup costs two independent cache misses
// (hash slot, then key + customer state together) instead of a chain of
// slot -> id offset -> id bytes. Longer ids live in an overflow arena and are
// compared there. Memory: an 8-byte slot at <= 3/4 load (11-21 bytes) plus
// 16 bytes per customer, which includes the id bytes themselves.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "clv/customer_summary.hpp"
#include "clv/error.hpp"
#include "summary/page_buffer.hpp"
#include "summary/prefetch.hpp"

namespace clv {

// The 16-byte form of an id: byte 0 is the length and bytes 1..15 the id,
// zero-padded (ids of <= 15 bytes); or byte 0 is kLongMarker and bytes 8..15
// the index of the id in the overflow arena.
struct CustomerKey {
  static constexpr size_t kInlineBytes = 15;
  static constexpr uint8_t kLongMarker = 0xFF;
  uint64_t word[2] = {0, 0};

  uint8_t first_byte() const { return *reinterpret_cast<const uint8_t*>(word); }
  bool is_long() const { return first_byte() == kLongMarker; }
  // Builds the inline key of a short id (`id.size() <= kInlineBytes`).
  static CustomerKey inline_key(std::string_view id) {
    CustomerKey key;
    char bytes[16] = {};
    bytes[0] = static_cast<char>(id.size());
    std::memcpy(bytes + 1, id.data(), id.size());
    std::memcpy(key.word, bytes, sizeof bytes);
    return key;
  }
  std::string_view inline_id() const {
    return {reinterpret_cast<const char*>(word) + 1, first_byte()};
  }
  bool operator==(const CustomerKey& o) const {
    return word[0] == o.word[0] && word[1] == o.word[1];
  }
};
static_assert(sizeof(CustomerKey) == 16);

class CustomerKeyTable {
 public:
  CustomerKeyTable() : slots_(1024), mask_(1023) {}

  size_t size() const { return count_; }

  // A probe for `id`: its key (inline ids) and hash. The id must stay valid
  // until find_or_insert for long ids; short ids are copied into the key.
  struct Probe {
    CustomerKey key;
    uint32_t hash = 0;
    bool is_long = false;
  };
  static Probe probe(std::string_view id) {
    Probe p;
    if (id.size() <= CustomerKey::kInlineBytes) {
      p.key = CustomerKey::inline_key(id);
      p.hash = mix_to_32(mix(p.key.word[0] ^ mix(p.key.word[1] ^ 0x9E3779B97F4A7C15ull)));
    } else {
      p.is_long = true;
      p.hash = hash_bytes(id);
    }
    return p;
  }

  // Pipeline hints: the slot of a probe, then (once it has arrived) the key
  // of the first candidate on its probe path, whose index is returned (-1
  // when the path has none; a hint only, ids are not compared).
  void prefetch_slot(uint32_t hash) const { CLV_PREFETCH(&slots_[hash & mask_]); }
  int64_t candidate(uint32_t hash) const {
    for (size_t pos = hash & mask_;; pos = (pos + 1) & mask_) {
      const uint64_t slot = slots_[pos];
      if (slot == 0) return -1;
      if (static_cast<uint32_t>(slot >> 32) == hash) return static_cast<uint32_t>(slot) - 1;
    }
  }
  void prefetch_key(uint32_t index) const { CLV_PREFETCH(&key(index)); }

  // Index of the id behind `p` (`long_id` is the id when p.is_long), adding
  // it when new (then `inserted` is true).
  uint32_t find_or_insert(const Probe& p, std::string_view long_id, bool& inserted) {
    size_t pos = p.hash & mask_;
    for (;; pos = (pos + 1) & mask_) {
      const uint64_t slot = slots_[pos];
      if (slot == 0) break;
      if (static_cast<uint32_t>(slot >> 32) != p.hash) continue;
      const uint32_t index = static_cast<uint32_t>(slot) - 1;
      if (matches(key(index), p, long_id)) {
        inserted = false;
        return index;
      }
    }
    const uint32_t index = append_key(p, long_id);
    slots_[pos] = (uint64_t{p.hash} << 32) | (uint64_t{index} + 1);
    inserted = true;
    if (++used_slots_ * 4 > slots_.size() * 3) grow();
    return index;
  }

  // Index of `id` or -1.
  int64_t find(std::string_view id) const {
    const Probe p = probe(id);
    for (size_t pos = p.hash & mask_;; pos = (pos + 1) & mask_) {
      const uint64_t slot = slots_[pos];
      if (slot == 0) return -1;
      if (static_cast<uint32_t>(slot >> 32) != p.hash) continue;
      const uint32_t index = static_cast<uint32_t>(slot) - 1;
      if (matches(key(index), p, id)) return index;
    }
  }

  std::string_view id(uint32_t index) const {
    const CustomerKey& k = key(index);
    return k.is_long() ? long_ids_[static_cast<size_t>(k.word[1])] : k.inline_id();
  }

  // Frees the hash slots (lookups are over; id() still works).
  void release_slots() { slots_.release(); }

  // Moves the ids, in index order, into a CustomerIds, freeing the keys as
  // it goes so the two are never both whole in memory.
  CustomerIds take_ids() {
    CustomerIds out;
    out.reserve(count_);
    for (size_t i = 0; i < count_; ++i) {
      out.add(id(static_cast<uint32_t>(i)));
      if (((i + 1) & (kChunkSize - 1)) == 0) chunks_[i >> kChunkShift].release();
    }
    chunks_.clear();
    long_ids_ = CustomerIds();
    count_ = 0;
    return out;
  }

 private:
  // 2 MiB chunks: one transparent huge page each (random access, few TLB misses).
  static constexpr unsigned kChunkShift = 17;
  static constexpr size_t kChunkSize = size_t{1} << kChunkShift;

  const CustomerKey& key(uint32_t i) const {
    return chunks_[i >> kChunkShift][i & (kChunkSize - 1)];
  }
  CustomerKey& key(uint32_t i) { return chunks_[i >> kChunkShift][i & (kChunkSize - 1)]; }

  bool matches(const CustomerKey& k, const Probe& p, std::string_view long_id) const {
    if (!p.is_long) return k == p.key;
    return k.is_long() && long_ids_[static_cast<size_t>(k.word[1])] == long_id;
  }

  uint32_t append_key(const Probe& p, std::string_view long_id) {
    if (count_ == UINT32_MAX) {
      throw Error::invalid_argument(
          "more than 4 billion customers in one summary: split the input");
    }
    if ((count_ & (kChunkSize - 1)) == 0) chunks_.emplace_back(kChunkSize);
    CustomerKey k = p.key;
    if (p.is_long) {
      char bytes[8] = {};
      bytes[0] = static_cast<char>(CustomerKey::kLongMarker);
      std::memcpy(&k.word[0], bytes, sizeof bytes);
      k.word[1] = long_ids_.add(long_id);
    }
    const auto index = static_cast<uint32_t>(count_++);
    key(index) = k;
    return index;
  }

  static uint64_t mix(uint64_t x) {
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 29);
  }
  static uint32_t mix_to_32(uint64_t h) { return static_cast<uint32_t>(h ^ (h >> 32)); }
  static uint32_t hash_bytes(std::string_view s) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xC2B2AE3D27D4EB4Full);
    const char* p = s.data();
    size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = mix(h ^ w);
    }
    if (n > 0) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = mix(h ^ w);
    }
    return mix_to_32(h);
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

  PageBuffer<uint64_t> slots_;  // tag << 32 | (index + 1); zero = empty
  size_t mask_;
  size_t used_slots_ = 0;
  size_t count_ = 0;
  std::vector<PageBuffer<CustomerKey>> chunks_;  // 128 Ki keys each: growth never copies
  CustomerIds long_ids_;                         // ids longer than 15 bytes
};

}  // namespace clv
