// Maps customer-id bytes to dense 32-bit indices for the streaming summary.
// Ids of up to 15 bytes (nearly all real ones) are stored inline in a
// 16-byte key per customer, so a lookup costs two independent cache misses
// (hash slot, then key + customer state together) instead of a chain of
// slot -> id offset -> id bytes. Longer ids live in an overflow arena and are
// compared there. Memory: an 8-byte slot at <= 3/4 load (11-21 bytes) plus
// 16 bytes per customer, which includes the id bytes themselves.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "clv/customer_summary.hpp"
#include "clv/error.hpp"
#include "summary/page_buffer.hpp"
#include "summary/prefetch.hpp"

namespace clv {

// The 16-byte form of an id, as two little-endian words: ids of <= 15 bytes
// are stored inline (bytes 0..14, zero-padded, byte 15 the length); longer
// ids have kLongMarker in byte 15 and their overflow-arena index in word 0.
struct CustomerKey {
  static constexpr size_t kInlineBytes = 15;
  static constexpr uint8_t kLongMarker = 0xFF;
  uint64_t word[2] = {0, 0};

  uint8_t length_byte() const { return static_cast<uint8_t>(word[1] >> 56); }
  bool is_long() const { return length_byte() == kLongMarker; }
  // The inline key of a short id (`id.size() <= kInlineBytes`), built from
  // fixed-size loads: a variable-length copy into a buffer read back as words
  // stalls store forwarding on every row.
  static CustomerKey inline_key(std::string_view id) {
    const char* p = id.data();
    const size_t n = id.size();
    CustomerKey key;
    if (n > 8) {
      key.word[0] = load<uint64_t>(p);
      key.word[1] = load<uint64_t>(p + n - 8) >> (8 * (16 - n));
    } else if (n >= 4) {
      const uint64_t head = load<uint32_t>(p), tail = load<uint32_t>(p + n - 4);
      key.word[0] = head | (tail << (8 * (n - 4)));  // overlapping bytes agree
    } else if (n > 0) {
      const auto byte = [&](size_t i) { return uint64_t{static_cast<uint8_t>(p[i])} << (8 * i); };
      key.word[0] = byte(0) | byte(n / 2) | byte(n - 1);
    }
    key.word[1] |= uint64_t{n} << 56;
    return key;
  }
  std::string_view inline_id() const {
    return {reinterpret_cast<const char*>(word), length_byte()};
  }
  bool operator==(const CustomerKey& o) const {
    return word[0] == o.word[0] && word[1] == o.word[1];
  }

 private:
  template <typename T>
  static uint64_t load(const char* p) {
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
  }
};
static_assert(std::endian::native == std::endian::little,
              "CustomerKey lays ids out as little-endian words");
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
    if (id.size() <= CustomerKey::kInlineBytes) return probe(CustomerKey::inline_key(id));
    Probe p;
    p.is_long = true;
    p.hash = hash_bytes(id);
    return p;
  }

  // The probe of a short id's inline key.
  static Probe probe(const CustomerKey& key) {
    Probe p;
    p.key = key;
    p.hash = mix_to_32(mix(key.word[0] ^ mix(key.word[1] ^ 0x9E3779B97F4A7C15ull)));
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
    return k.is_long() ? long_ids_[static_cast<size_t>(k.word[0])] : k.inline_id();
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
    return k.is_long() && long_ids_[static_cast<size_t>(k.word[0])] == long_id;
  }

  uint32_t append_key(const Probe& p, std::string_view long_id) {
    if (count_ == UINT32_MAX) {
      throw Error::invalid_argument(
          "more than 4 billion customers in one summary: split the input");
    }
    if ((count_ & (kChunkSize - 1)) == 0) chunks_.emplace_back(kChunkSize);
    CustomerKey k = p.key;
    if (p.is_long) {
      k.word[0] = long_ids_.add(long_id);
      k.word[1] = uint64_t{CustomerKey::kLongMarker} << 56;
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
